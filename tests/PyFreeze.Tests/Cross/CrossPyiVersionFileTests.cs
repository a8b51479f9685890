using System.Text;
using System.Text.Json;
using PyFreeze.Diagnostics;
using PyFreeze.Emit;
using PyFreeze.Tests.Infrastructure;

namespace PyFreeze.Tests.Cross;

/// <summary>
/// <c>--version-file</c> in PyInstaller's <c>VSVersionInfo(...)</c> syntax, read without Python: a file as
/// <c>pyi-grab_version</c> writes it (<c>Fixtures/cross/file_version_info.txt</c>), the literal subset's corners
/// checked against what CPython itself evaluates, clear one-line errors, and the VS_VERSIONINFO bytes it becomes.
/// </summary>
public class CrossPyiVersionFileTests
{
    private static string Sample => File.ReadAllText(Repo.Path_("tests", "PyFreeze.Tests", "Fixtures", "cross", "file_version_info.txt"));

    [Fact]
    public void Pyi_grab_version_file_is_read()
    {
        Assert.True(PyiVersionFile.IsVsVersionInfo(Sample));
        var v = PyiVersionFile.Parse(Sample, "file_version_info.txt");
        Assert.Equal([4, 12, 605, 3], v.FileVersion);
        Assert.Equal([4, 12, 0, 0], v.ProductVersion);
        Assert.Equal(0x3Fu, v.FileFlagsMask);
        Assert.Equal(2u, v.FileFlags);
        Assert.Equal(0x40004u, v.FileOS);
        Assert.Equal(1u, v.FileType);
        Assert.Equal(0u, v.FileSubtype);
        Assert.Equal((0u, 0u), v.FileDate);
        var table = Assert.Single(v.StringTables);
        Assert.Equal("040904B0", table.Key);
        Assert.Equal(["CompanyName", "FileDescription", "FileVersion", "InternalName", "LegalCopyright", "OriginalFilename", "ProductName", "ProductVersion", "BuildPath"],
            table.Strings.Select(s => s.Key));
        var strings = table.Strings.ToDictionary(s => s.Key, s => s.Value);
        Assert.Equal("Acme Widget Studio — résumé edition", strings["FileDescription"]);
        Assert.Equal("© Acme Widgets, Inc. All rights reserved.", strings["LegalCopyright"]);
        Assert.Equal("Acme's Widget Studio", strings["ProductName"]);
        Assert.Equal(@"C:\build\agent\widgets", strings["BuildPath"]);
        Assert.Equal([1033, 1200], v.Translation);
    }

    /// <summary>The literal subset's corners, each compared with what CPython evaluates the same text to (with stand-in
    /// classes that record their arguments), so the reader agrees with Python, not with itself.</summary>
    [Fact]
    public void Literal_subset_agrees_with_cpython()
    {
        const string text = """
            # -*- coding: utf-8 -*-
            VSVersionInfo(
              FixedFileInfo((1, 0x2, 0o3, 0b100), (1_0, 2,), 0X3F, 0, 0x4_0004, 1, 0, (0x1D9, 12345)),  # positional
              kids=[
                StringFileInfo([
                  StringTable('080904e4', [
                    StringStruct("CompanyName", "Double \"quoted\" and 'single'"),
                    StringStruct(u'Escapes', 'tab\there\nnewline \\ back \x41\u00e9\U0001F600 \101 \q'),
                    StringStruct(name=R'Raw', val=r'C:\new\table\'s'),
                    StringStruct('Joined', 'one ' "two "
                                 u'three'),
                    StringStruct('Triple', '''a 'quoted' "word"'''),
                    StringStruct('Empty', ''),
                    StringStruct('Continued', 'line \
            joined'),
                  ],),
                  StringTable(u'040704B0', [StringStruct(u'CompanyName', u'Acme GmbH')]),
                ]),
                VarFileInfo([VarStruct('Translation', [0x0809, 1252, 1031, 1200])]),
              ],
            )
            """;
        var v = PyiVersionFile.Parse(text, "v.txt");
        Assert.Equal([1, 2, 3, 4], v.FileVersion);
        Assert.Equal([10, 2, 0, 0], v.ProductVersion);
        Assert.Equal(0x3Fu, v.FileFlagsMask);
        Assert.Equal(0x40004u, v.FileOS);
        Assert.Equal((0x1D9u, 12345u), v.FileDate);
        Assert.Equal(["080904E4", "040704B0"], v.StringTables.Select(t => t.Key));
        Assert.Equal([0x0809, 1252, 1031, 1200], v.Translation);

        using var t = new TempDir("pyiver");
        var file = t.Write("v.txt", text);
        var script = t.Write("eval.py", """
            import json, sys
            def rec(name):
                return lambda *a, **k: {"call": name, "args": list(a), "kw": k}
            names = ["VSVersionInfo", "FixedFileInfo", "StringFileInfo", "StringTable", "StringStruct", "VarFileInfo", "VarStruct"]
            v = eval(open(sys.argv[1], encoding="utf-8").read(), {n: rec(n) for n in names})
            tables = v["kw"]["kids"][0]["args"][0]
            out = []
            for table in tables:
                for s in table["args"][1]:
                    a = s["args"] + [s["kw"].get("name"), s["kw"].get("val")]
                    a = [x for x in a if x is not None]
                    out.append([table["args"][0].upper(), a[0], a[1]])
            sys.stdout.buffer.write(json.dumps(out, ensure_ascii=True).encode())
            """);
        var run = Proc.Exec(Pythons.Debian, ["-I", script, file]);
        Assert.True(run.ExitCode == 0, run.ToString());
        var expected = JsonSerializer.Deserialize<string[][]>(run.StdOut)!;
        var actual = v.StringTables.SelectMany(tb => tb.Strings.Select(s => new[] { tb.Key, s.Key, s.Value })).ToArray();
        Assert.Equal(expected.Length, actual.Length);
        for (int i = 0; i < expected.Length; i++)
            Assert.Equal(expected[i], actual[i]);
        Assert.Contains(actual, a => a[1] == "Escapes" && a[2].Contains("Aé😀 A \\q", StringComparison.Ordinal));
    }

    [Fact]
    public void Json_and_pyinstaller_files_are_told_apart_by_content()
    {
        Assert.False(PyiVersionFile.IsVsVersionInfo("""{"CompanyName": "x"}"""));
        Assert.False(PyiVersionFile.IsVsVersionInfo("// a comment\n{}"));
        Assert.True(PyiVersionFile.IsVsVersionInfo("\uFEFF# UTF-8\n#\n\n  VSVersionInfo(kids=[])"));
        Assert.False(PyiVersionFile.IsVsVersionInfo("# VSVersionInfo(\nx = 1"));
    }

    [Theory]
    [InlineData("VSVersionInfo(\n  ffi=FixedFileInfo(filevers=(1, 2, 3, 70000)))", 2, "filevers[3] is 70000; it must be 0 to 65535")]
    [InlineData("VSVersionInfo(\n  kids=[StringFileInfo([StringTable(u'0409', [])])])", 2, "StringTable '0409': its name must be 8 hex digits")]
    [InlineData("VSVersionInfo(kids=[\n\n  Foo()])", 3, "each of kids must be StringFileInfo(...) or VarFileInfo(...), not Foo(...)")]
    [InlineData("VSVersionInfo(\n  ffi=FixedFileInfo(version=(1, 2)))", 2, "FixedFileInfo() has no argument version; it takes filevers, prodvers")]
    [InlineData("# UTF-8\nVSVersionInfo(kids=[StringFileInfo([StringTable(u'040904B0', [StringStruct(u'CompanyName', u'Acme)])])])", 2, "a string is not closed")]
    [InlineData("VSVersionInfo(\n  ffi=FixedFileInfo(filevers=VERSION))", 2, "'VERSION' is not a literal")]
    [InlineData("VSVersionInfo(\n  ffi=FixedFileInfo(filevers=(1, 2, 3, 4)\n", 3, "expected ',' or ')' in FixedFileInfo(...) but found the end of the file")]
    [InlineData("VSVersionInfo(\n  ffi=FixedFileInfo(mask=0xZZ))", 2, "'0xZZ' is not an integer")]
    [InlineData("VSVersionInfo(kids=[VarFileInfo([\n  VarStruct(u'Translation', [1033])])])", 2, "Translation must hold language and code page pairs")]
    [InlineData("VSVersionInfo(kids=[]) + 1", 1, "unexpected '+' after the VSVersionInfo(...) expression")]
    [InlineData("VSVersionInfo(kids=[StringFileInfo([StringTable(u'040904B0', [\n  StringStruct(u'A', u'x'), StringStruct(u'A', u'y')])])])", 2, "StringStruct 'A' appears twice")]
    [InlineData("VSVersionInfo(kids=[StringFileInfo([\n  StringTable(b'040904B0', [])])])", 2, "'b'040904B0'' is a bytes literal")]
    [InlineData("VSVersionInfo(kids=[StringFileInfo([\n  StringTable(f'040904B0', [])])])", 2, "expected a value but found 'f''")]
    [InlineData("VSVersionInfo(ffi=FixedFileInfo(filevers=(1, \\\n  2.5)))", 2, "'2.5' is not an integer")]
    public void Bad_input_is_one_line_naming_the_file_and_line(string text, int line, string what)
    {
        var e = Assert.Throws<PyFreezeException>(() => PyiVersionFile.Parse(text, "ver.txt"));
        Assert.Equal(2, e.ExitCode);
        Assert.StartsWith($"--version-file ver.txt: line {line}: ", e.Message);
        Assert.Contains(what, e.Message);
        Assert.DoesNotContain('\n', e.Message);
    }

    [Fact]
    public void Windows_resources_write_the_files_values_into_vs_versioninfo()
    {
        using var t = new TempDir("pyires");
        var path = t.Write("file_version_info.txt", Sample);
        var r = WindowsResources.Create(null, path, company: null, productVersion: null, appName: "app");
        Assert.NotNull(r.Fixed);
        Assert.Equal("040904B0", r.StringTableKey);
        Assert.Equal("4.12.605.3 (release)", r.Version["FileVersion"]); // free text: the numbers come from filevers
        Assert.False(r.Version.ContainsKey("Comments")); // no defaults added to a PyInstaller file
        var v = r.VersionInfo();
        Assert.Equal(v.Length, BitConverter.ToUInt16(v, 0));
        var at = v.AsSpan().IndexOf(BitConverter.GetBytes(0xFEEF04BDu));
        Assert.Equal((4u << 16) | 12, BitConverter.ToUInt32(v, at + 8));
        Assert.Equal((605u << 16) | 3, BitConverter.ToUInt32(v, at + 12));
        Assert.Equal((4u << 16) | 12, BitConverter.ToUInt32(v, at + 16));
        Assert.Equal(0u, BitConverter.ToUInt32(v, at + 20));
        Assert.Equal(2u, BitConverter.ToUInt32(v, at + 28)); // flags
        var text = Encoding.Unicode.GetString(v).Replace("\0\0", "\0");
        foreach (var expected in new[] { "040904B0", "CompanyName\0Acme Widgets, Inc.", "FileDescription\0Acme Widget Studio — résumé edition", "BuildPath\0C:\\build\\agent\\widgets", "Translation" })
            Assert.Contains(expected, text);
        Assert.True(v.AsSpan().IndexOf("Translation\0"u8.ToArray().SelectMany(b => new byte[] { b, 0 }).ToArray()) > 0);
        Assert.True(v.AsSpan().IndexOf(new byte[] { 0x09, 0x04, 0xB0, 0x04 }) > 0); // 1033, 1200 little-endian

        // --company and --product-version still win over the file.
        var over = WindowsResources.Create(null, path, "Other Corp", "5.1", "app");
        Assert.Equal("Other Corp", over.Version["CompanyName"]);
        Assert.Equal("5.1", over.Version["ProductVersion"]);
        var ov = over.VersionInfo();
        var oat = ov.AsSpan().IndexOf(BitConverter.GetBytes(0xFEEF04BDu));
        Assert.Equal((5u << 16) | 1, BitConverter.ToUInt32(ov, oat + 16));
        Assert.Equal((4u << 16) | 12, BitConverter.ToUInt32(ov, oat + 8)); // the file version is the file's

        // A bad file stops with its name and line; a JSON file still works.
        var bad = t.Write("bad.txt", "# UTF-8\nVSVersionInfo(\n  ffi=FixedFileInfo(filevers=(1, 2, 3, -1)))\n");
        var e = Assert.Throws<PyFreezeException>(() => WindowsResources.Create(null, bad, null, null, "app"));
        Assert.Equal($"--version-file {bad}: line 3: filevers[3] is -1; it must be 0 to 65535 (0xFFFF)", e.Message);
        var json = t.Write("v.json", """{"CompanyName": "Json Co"}""");
        Assert.Equal("Json Co", WindowsResources.Create(null, json, null, "1.0", "app").Version["CompanyName"]);
    }
}
