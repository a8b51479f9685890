using System.Text;
using PyFreeze.Analyze;
using PyFreeze.Analyze.Scanning;

namespace PyFreeze.Tests.Analyze.Scanning;

[Trait("Lane", "Fast")]
public sealed class SourceDecodingTests
{
    static SourceDecodingTests() => Encoding.RegisterProvider(CodePagesEncodingProvider.Instance);

    private static byte[] Bytes(string text, Encoding encoding) => encoding.GetBytes(text);

    [Fact]
    public void DefaultIsUtf8()
    {
        var r = ImportScanner.Scan("import café\n"u8);
        Assert.Equal("utf-8", r.Encoding);
        Assert.Equal("café", Assert.Single(r.Imports).Module);
        Assert.Empty(r.Problems);
    }

    [Fact]
    public void Utf8BomIsUtf8Sig()
    {
        byte[] data = [0xEF, 0xBB, 0xBF, .. "import x\n"u8];
        var r = ImportScanner.Scan(data);
        Assert.Equal("utf-8-sig", r.Encoding);
        Assert.Equal("x", Assert.Single(r.Imports).Module);
    }

    [Fact]
    public void BomWithAnotherDeclaredEncodingIsAProblem()
    {
        byte[] data = [0xEF, 0xBB, 0xBF, .. "# coding: latin-1\nimport x\n"u8];
        var r = ImportScanner.Scan(data);
        Assert.Equal("utf-8-sig", r.Encoding);
        Assert.Contains("encoding problem", Assert.Single(r.Problems).Message);
        Assert.Single(r.Imports);
    }

    [Fact]
    public void Latin1FileWithNonAsciiIdentifiersAndStrings()
    {
        const string src = "# -*- coding: latin-1 -*-\nimport modul\u00e9\ns = '\u00e9t\u00e9'\nfrom paquet import fonction_\u00e0\n__all__ = ['\u00e9t\u00e9']\n";
        var r = ImportScanner.Scan(Bytes(src, Encoding.Latin1));
        Assert.Equal("iso-8859-1", r.Encoding);
        Assert.Empty(r.Problems);
        Assert.Equal(["modul\u00e9", "paquet"], r.Imports.Select(i => i.Module));
        Assert.Equal(["fonction_\u00e0"], r.Imports[1].Names);
        Assert.Equal(["\u00e9t\u00e9"], r.DunderAll!);
    }

    [Fact]
    public void Cp1252()
    {
        const string src = "# coding=cp1252\nx = '\u20ac'\nimport euro_\u0153\n";
        var r = ImportScanner.Scan(Bytes(src, Encoding.GetEncoding(1252)));
        Assert.Equal("cp1252", r.Encoding);
        Assert.Empty(r.Problems);
        Assert.Equal("euro_\u0153", Assert.Single(r.Imports).Module);
    }

    [Fact]
    public void VimStyleDeclarationOnLineTwo()
    {
        const string src = "#!/usr/bin/env python\n# vim: set fileencoding=iso-8859-15 :\nimport caf\u00e9\n";
        var r = ImportScanner.Scan(Bytes(src, Encoding.GetEncoding("iso-8859-15")));
        Assert.Equal("iso-8859-15", r.Encoding);
        Assert.Equal("caf\u00e9", Assert.Single(r.Imports).Module);
    }

    [Fact]
    public void DeclarationOnLineTwoIsIgnoredAfterCode()
    {
        // PEP 263: line 2 counts only when line 1 is blank or a comment.
        byte[] data = Bytes("import x\n# coding: latin-1\n", Encoding.ASCII);
        Assert.Equal("utf-8", ImportScanner.Scan(data).Encoding);
    }

    [Fact]
    public void DeclarationOnLineThreeIsIgnored()
    {
        byte[] data = Bytes("#!python\n\n# coding: latin-1\n", Encoding.ASCII);
        Assert.Equal("utf-8", ImportScanner.Scan(data).Encoding);
    }

    [Theory]
    [InlineData("utf8", "utf-8")]
    [InlineData("UTF-8", "utf-8")]
    [InlineData("utf_8", "utf-8")]
    [InlineData("latin1", "iso-8859-1")]
    [InlineData("u8", "utf-8")]
    [InlineData("Latin-1", "iso-8859-1")]
    [InlineData("iso-8859-1", "iso-8859-1")]
    [InlineData("ascii", "ascii")]
    [InlineData("us-ascii", "us-ascii")]
    [InlineData("windows-1252", "windows-1252")]
    [InlineData("iso8859-15", "iso8859-15")]
    [InlineData("koi8-r", "koi8-r")]
    [InlineData("euc-jp", "euc-jp")]
    [InlineData("shift_jis", "shift_jis")]
    [InlineData("gbk", "gbk")]
    [InlineData("big5", "big5")]
    public void KnownCodecNames(string declared, string reported)
    {
        var r = ImportScanner.Scan(Encoding.ASCII.GetBytes($"# coding: {declared}\nimport x\n"));
        Assert.Equal(reported, r.Encoding);
        Assert.Empty(r.Problems);
        Assert.Single(r.Imports);
    }

    [Fact]
    public void UnknownEncodingIsAProblemAndFallsBackToLatin1()
    {
        byte[] data = [.. "# coding: klingon\nimport caf"u8, 0xE9, (byte)'\n', .. "import y\n"u8];
        var r = ImportScanner.Scan(data);
        Assert.Equal("iso-8859-1", r.Encoding);
        var p = Assert.Single(r.Problems);
        Assert.Equal((1, 11), (p.Line, p.Column));
        Assert.Contains("unknown encoding: klingon", p.Message);
        Assert.Equal(["caf\u00e9", "y"], r.Imports.Select(i => i.Module));
    }

    [Fact]
    public void InvalidUtf8IsAProblemAndFallsBackToLatin1()
    {
        byte[] data = [.. "import a\nx = '"u8, 0xFF, (byte)'\'', (byte)'\n', .. "import b\n"u8];
        var r = ImportScanner.Scan(data);
        Assert.Equal("iso-8859-1", r.Encoding);
        var p = Assert.Single(r.Problems);
        Assert.Equal((2, 6), (p.Line, p.Column));
        Assert.Contains("utf-8", p.Message);
        Assert.Equal(["a", "b"], r.Imports.Select(i => i.Module));
    }

    [Fact]
    public void BytesInvalidInTheDeclaredEncodingFallBack()
    {
        byte[] data = [.. "# coding: ascii\nimport a\nx = '"u8, 0xE9, (byte)'\'', (byte)'\n'];
        var r = ImportScanner.Scan(data);
        Assert.Equal("iso-8859-1", r.Encoding);
        Assert.Single(r.Problems);
        Assert.Equal("a", Assert.Single(r.Imports).Module);
    }

    [Fact]
    public void Utf16IsNotASourceEncoding()
    {
        var r = ImportScanner.Scan("# coding: utf-16\nimport a\n"u8);
        Assert.Equal("iso-8859-1", r.Encoding);
        Assert.Contains("unknown encoding", Assert.Single(r.Problems).Message);
        Assert.Single(r.Imports);
    }

    [Fact]
    public void DecoderReturnsText()
    {
        string text = PythonSourceDecoder.Decode([0xEF, 0xBB, 0xBF, (byte)'x'], out string enc);
        Assert.Equal("x", text);
        Assert.Equal("utf-8-sig", enc);
        Assert.Equal("iso-8859-1", PythonSourceDecoder.NormalName("latin_1"));
        Assert.Equal("utf-8", PythonSourceDecoder.NormalName("UTF-8-unix"));
        Assert.NotNull(PythonSourceDecoder.GetEncoding("cp437"));
        Assert.Null(PythonSourceDecoder.GetEncoding("no-such-codec"));
    }

    [Fact]
    public void EmptyFile()
    {
        var r = ImportScanner.Scan([]);
        Assert.Empty(r.Imports);
        Assert.Empty(r.Problems);
        Assert.Null(r.DunderAll);
        Assert.Equal("utf-8", r.Encoding);
    }
}
