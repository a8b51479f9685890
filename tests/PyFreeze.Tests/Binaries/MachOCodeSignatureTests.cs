using System.Buffers.Binary;
using System.Security.Cryptography;
using System.Text.RegularExpressions;
using PyFreeze.Binaries;
using PyFreeze.Processes;
using PyFreeze.Tests.Infrastructure;

namespace PyFreeze.Tests.Binaries;

/// <summary>Real Mach-O files made by Debian's LLVM 14 (clang-14 + ld64.lld): objects compiled once per class.
/// A missing toolchain fails the tests (CI installs clang-14 lld-14 llvm-14).</summary>
public sealed class MachOToolchain : IDisposable
{
    public const string Bin = "/usr/lib/llvm-14/bin";
    public static readonly string Clang = Path.Combine(Bin, "clang");
    public static readonly string Ld64 = Path.Combine(Bin, "ld64.lld");
    public static readonly string ObjDump = Path.Combine(Bin, "llvm-objdump");
    public static readonly string Lipo = Path.Combine(Bin, "llvm-lipo");

    private readonly Infrastructure.TempDir _dir = new("macho-tc");

    // A library with more than a few pages of __TEXT (the 20000-byte table) so several code pages are hashed.
    private const string LibC = """
        int counter;
        static const char table[20000] = {1, 2, 3};
        int add(int a, int b) { return a + b + counter + table[a & 7]; }
        const char *get(void) { return table; }
        """;
    private const string MainC = """
        extern int add(int, int);
        int main(void) { return add(1, 2); }
        """;

    public MachOToolchain()
    {
        foreach (var tool in new[] { Clang, Ld64, ObjDump, Lipo })
            Assert.True(File.Exists(tool), $"{tool} is missing: apt-get install -y clang-14 lld-14 llvm-14");
        var lib = _dir.Write("lib.c", LibC);
        var main = _dir.Write("main.c", MainC);
        foreach (var arch in new[] { "arm64", "x86_64" })
        {
            Run(Clang, "-target", $"{arch}-apple-macos11", "-O1", "-c", lib, "-o", _dir[$"lib-{arch}.o"]);
            Run(Clang, "-target", $"{arch}-apple-macos11", "-O1", "-c", main, "-o", _dir[$"main-{arch}.o"]);
        }
    }

    public static ProcessResult Run(string tool, params string[] args)
    {
        var r = Requirements.Run(tool, args);
        Assert.True(r.ExitCode == 0, $"{Path.GetFileName(tool)} {string.Join(' ', args)} failed ({r.ExitCode}): {r.StdErr}");
        return r;
    }

    /// <summary>Links <paramref name="kind"/> (dylib, bundle, exe) for <paramref name="arch"/> into <paramref name="output"/>.</summary>
    public string Link(string arch, string kind, string output, params string[] extra)
    {
        var args = new List<string> { "-arch", arch, "-platform_version", "macos", "11.0", "11.0", "-o", output };
        switch (kind)
        {
            case "dylib": args.Add("-dylib"); args.Add(_dir[$"lib-{arch}.o"]); break;
            case "bundle": args.Add("-bundle"); args.Add(_dir[$"lib-{arch}.o"]); break;
            case "exe": args.AddRange(["-e", "_main", "-undefined", "dynamic_lookup", _dir[$"main-{arch}.o"], _dir[$"lib-{arch}.o"]]); break;
            default: throw new ArgumentException(kind);
        }
        args.AddRange(extra);
        Run(Ld64, [.. args]);
        return output;
    }

    public void Dispose() => _dir.Dispose();
}

/// <summary>An independent reading of an embedded signature (xnu cs_blobs.h), for the assertions.</summary>
internal sealed record ParsedSignature(
    uint DataOffset, uint DataSize, uint[] BlobTypes, uint[] BlobMagics, uint Version, uint Flags, uint CodeLimit,
    string Identifier, byte HashType, byte HashSize, byte PageShift, ulong ExecSegBase, ulong ExecSegLimit, ulong ExecSegFlags,
    byte[][] SpecialHashes, byte[][] PageHashes, byte[]? Requirements)
{
    public static ParsedSignature Read(byte[] file, long sliceOffset = 0)
    {
        var img = MachOFile.Read(new MemoryStream(file), "x").Images.Single(i => i.Offset == sliceOffset);
        var (dataOff, dataSize, _) = img.CodeSignature!.Value;
        var sb = file.AsSpan((int)(sliceOffset + dataOff), (int)dataSize);
        Assert.Equal(0xfade0cc0u, U(sb, 0));
        var count = U(sb, 8);
        var types = new uint[count];
        var magics = new uint[count];
        var cdOff = -1;
        byte[]? req = null;
        for (var i = 0; i < count; i++)
        {
            types[i] = U(sb, 12 + 8 * i);
            var off = (int)U(sb, 16 + 8 * i);
            magics[i] = U(sb, off);
            if (types[i] == 0) cdOff = off;
            if (types[i] == 2) req = sb.Slice(off, (int)U(sb, off + 4)).ToArray();
        }
        var cd = sb[cdOff..];
        var hashOffset = (int)U(cd, 16);
        var identOffset = (int)U(cd, 20);
        var nSpecial = (int)U(cd, 24);
        var nCode = (int)U(cd, 28);
        var hashSize = cd[36];
        var ident = System.Text.Encoding.UTF8.GetString(cd.Slice(identOffset, cd[identOffset..].IndexOf((byte)0)));
        var specials = new byte[nSpecial][];
        for (var k = 1; k <= nSpecial; k++) specials[k - 1] = cd.Slice(hashOffset - k * hashSize, hashSize).ToArray();
        var pages = new byte[nCode][];
        for (var i = 0; i < nCode; i++) pages[i] = cd.Slice(hashOffset + i * hashSize, hashSize).ToArray();
        return new ParsedSignature(dataOff, dataSize, types, magics, U(cd, 8), U(cd, 12), U(cd, 32), ident, cd[37], hashSize, cd[39],
            BinaryPrimitives.ReadUInt64BigEndian(cd[64..]), BinaryPrimitives.ReadUInt64BigEndian(cd[72..]),
            BinaryPrimitives.ReadUInt64BigEndian(cd[80..]), specials, pages, req);
    }

    private static uint U(ReadOnlySpan<byte> s, int at) => BinaryPrimitives.ReadUInt32BigEndian(s[at..]);
}

public class MachOCodeSignatureTests(MachOToolchain tc) : IClassFixture<MachOToolchain>
{
    private const uint AdHoc = 0x2, LinkerSigned = 0x20000;

    /// <summary>Removes lld's signature the way an unsigned link would leave the file: drops LC_CODE_SIGNATURE (the
    /// last load command), truncates the blob, shrinks __LINKEDIT.</summary>
    private static byte[] StripSignature(byte[] signed)
    {
        var img = MachOFile.Read(new MemoryStream(signed), "x").Images[0];
        var (dataOff, _, cmdOff) = img.CodeSignature!.Value;
        Assert.Equal(img.HeaderSize + img.LoadCommandsSize - 16, cmdOff);
        var b = signed.AsSpan(0, (int)dataOff).ToArray();
        Array.Clear(b, (int)cmdOff, 16);
        BinaryPrimitives.WriteUInt32LittleEndian(b.AsSpan(16), img.LoadCommandCount - 1);
        BinaryPrimitives.WriteUInt32LittleEndian(b.AsSpan(20), img.LoadCommandsSize - 16);
        var le = img.Segments.Single(s => s.Name == "__LINKEDIT");
        BinaryPrimitives.WriteUInt64LittleEndian(b.AsSpan((int)le.CommandOffset + 32), dataOff - le.FileOffset);
        BinaryPrimitives.WriteUInt64LittleEndian(b.AsSpan((int)le.CommandOffset + 48), dataOff - le.FileOffset);
        return b;
    }

    private static byte[] Page(byte[] file, int i) =>
        file.AsSpan(i * 4096, Math.Min(4096, file.Length - i * 4096)).ToArray();

    [Fact]
    public void LldsOwnSignatureVerifies()
    {
        using var d = new Infrastructure.TempDir("macsign");
        var lib = tc.Link("arm64", "dylib", d["libfoo.dylib"]);
        var info = MachOCodeSignature.Verify(lib);
        Assert.True(info.IsSigned);
        Assert.True(info.IsValid, info.Problem);
        Assert.Null(info.Problem);
        Assert.Equal("libfoo.dylib", info.Identifier);
        Assert.Equal(AdHoc | LinkerSigned, info.Flags);
        Assert.True(info.IsAdHoc);
        Assert.True(info.IsLinkerSigned);
        Assert.Equal("arm64", info.Architecture);
        var sig = ParsedSignature.Read(File.ReadAllBytes(lib));
        Assert.Equal([0u], sig.BlobTypes);    // lld writes no requirements
        Assert.Equal(sig.DataOffset, (uint)info.CodeLimit);

        var exe = tc.Link("arm64", "exe", d["app"]);
        Assert.True(MachOCodeSignature.Verify(exe).IsValid);
        Assert.Equal(1ul, ParsedSignature.Read(File.ReadAllBytes(exe)).ExecSegFlags);
    }

    [Fact]
    public void ResigningLldsOutputKeepsItsPageHashes()
    {
        using var d = new Infrastructure.TempDir("macsign");
        var lldSigned = tc.Link("arm64", "dylib", d["liboracle.dylib"]);
        var lldBytes = File.ReadAllBytes(lldSigned);
        var lld = ParsedSignature.Read(lldBytes);

        // 1. Replace lld's signature in place.
        var resigned = d["resigned.dylib"];
        File.Copy(lldSigned, resigned);
        MachOCodeSignature.Sign(resigned, "liboracle.dylib");
        var ours = File.ReadAllBytes(resigned);
        var info = MachOCodeSignature.Verify(resigned);
        Assert.True(info.IsValid, info.Problem);
        Assert.Equal(AdHoc, info.Flags);
        var sig = ParsedSignature.Read(ours);

        // Same layout: the signature starts where lld's did, so the same pages are hashed.
        Assert.Equal(lld.CodeLimit, sig.CodeLimit);
        Assert.Equal(lld.PageHashes.Length, sig.PageHashes.Length);
        Assert.True(lld.PageHashes.Length >= 5, $"only {lld.PageHashes.Length} pages");
        var identical = 0;
        for (var i = 0; i < lld.PageHashes.Length; i++)
        {
            var lldPage = Page(lldBytes, i);
            var ourPage = Page(ours, i);
            if (i * 4096 + ourPage.Length > sig.CodeLimit) ourPage = ourPage[..(int)(sig.CodeLimit - i * 4096)];
            if (i * 4096 + lldPage.Length > lld.CodeLimit) lldPage = lldPage[..(int)(lld.CodeLimit - i * 4096)];
            if (lldPage.AsSpan().SequenceEqual(ourPage))
            {
                identical++;
                Assert.Equal(lld.PageHashes[i], sig.PageHashes[i]);
            }
        }
        // Only page 0 (the header: LC_CODE_SIGNATURE datasize and __LINKEDIT sizes) differs.
        Assert.Equal(lld.PageHashes.Length - 1, identical);
        Assert.Equal(lld.PageHashes[1..], sig.PageHashes[1..]);
        Assert.Equal(SHA256.HashData(Page(ours, 0)), sig.PageHashes[0]);
        Assert.Equal((lld.Version, lld.HashType, lld.HashSize, lld.PageShift, lld.ExecSegBase, lld.ExecSegLimit, lld.ExecSegFlags),
            (sig.Version, sig.HashType, sig.HashSize, sig.PageShift, sig.ExecSegBase, sig.ExecSegLimit, sig.ExecSegFlags));

        // 2. Strip lld's signature and sign the unsigned file: the same bytes as replacing it.
        var stripped = d["stripped.dylib"];
        File.WriteAllBytes(stripped, StripSignature(lldBytes));
        Assert.False(MachOCodeSignature.Verify(stripped).IsSigned);
        MachOCodeSignature.Sign(stripped, "liboracle.dylib");
        Assert.Equal(ours, File.ReadAllBytes(stripped));
    }

    [Fact]
    public void UnsignedLinkSignedByUsAgreesWithLldOnIdenticalPages()
    {
        using var d = new Infrastructure.TempDir("macsign");
        var signed = File.ReadAllBytes(tc.Link("arm64", "bundle", d["a.so"]));
        var unsigned = tc.Link("arm64", "bundle", d["b.so"], "-no_adhoc_codesign");
        Assert.False(MachOCodeSignature.Verify(unsigned).IsSigned);
        MachOCodeSignature.Sign(unsigned, "a.so");
        var ours = File.ReadAllBytes(unsigned);
        Assert.True(MachOCodeSignature.Verify(unsigned).IsValid);
        var lld = ParsedSignature.Read(signed);
        var sig = ParsedSignature.Read(ours);
        for (var i = 1; i < Math.Min(lld.PageHashes.Length, sig.PageHashes.Length) - 1; i++)
            Assert.Equal(Page(signed, i).AsSpan().SequenceEqual(Page(ours, i)), lld.PageHashes[i].AsSpan().SequenceEqual(sig.PageHashes[i]));
    }

    public static TheoryData<string, string> Kinds => new()
    {
        { "arm64", "dylib" }, { "arm64", "bundle" }, { "arm64", "exe" },
        { "x86_64", "dylib" }, { "x86_64", "bundle" }, { "x86_64", "exe" },
    };

    [Theory]
    [MemberData(nameof(Kinds))]
    public void SignsUnsignedDylibBundleAndExecutable(string arch, string kind)
    {
        using var d = new Infrastructure.TempDir("macsign");
        var path = tc.Link(arch, kind, d["subject"], "-no_adhoc_codesign");
        var before = MachOFile.Read(path).Images[0];
        Assert.False(before.HasCodeSignature);
        File.SetUnixFileMode(path, (UnixFileMode)0b111_101_000);

        MachOCodeSignature.Sign(path, "org.example.subject");

        Assert.Equal((UnixFileMode)0b111_101_000, File.GetUnixFileMode(path));
        Assert.Equal(["subject"], Directory.GetFiles(d.Path).Select(Path.GetFileName));   // no temp file left
        var info = MachOCodeSignature.Verify(path);
        Assert.True(info.IsValid, info.Problem);
        Assert.Equal("org.example.subject", info.Identifier);
        Assert.Equal(AdHoc, info.Flags);
        Assert.False(info.IsLinkerSigned);
        Assert.Equal(arch, info.Architecture);

        var bytes = File.ReadAllBytes(path);
        var img = MachOFile.Read(path).Images[0];
        Assert.Equal(before.LoadCommandCount + 1, img.LoadCommandCount);
        Assert.Equal(before.LoadCommandsSize + 16, img.LoadCommandsSize);
        var (dataOff, dataSize, _) = img.CodeSignature!.Value;
        Assert.Equal(0u, dataOff % 16);
        Assert.Equal(bytes.Length, (long)dataOff + dataSize);
        var le = img.Segments.Single(s => s.Name == "__LINKEDIT");
        Assert.Equal((ulong)bytes.Length, le.FileOffset + le.FileSize);         // __LINKEDIT covers the blob
        var segPage = arch == "arm64" ? 0x4000ul : 0x1000ul;
        Assert.Equal(0ul, le.VmSize % segPage);
        Assert.True(le.VmSize >= le.FileSize);

        var sig = ParsedSignature.Read(bytes);
        Assert.Equal([0u, 2u, 0x10000u], sig.BlobTypes);
        Assert.Equal([0xfade0c02u, 0xfade0c01u, 0xfade0b01u], sig.BlobMagics);
        Assert.Equal(0x20400u, sig.Version);
        Assert.Equal((byte)2, sig.HashType);
        Assert.Equal((byte)32, sig.HashSize);
        Assert.Equal((byte)12, sig.PageShift);
        Assert.Equal(dataOff, sig.CodeLimit);
        Assert.Equal((int)((dataOff + 4095) / 4096), sig.PageHashes.Length);
        Assert.Equal(SHA256.HashData(bytes.AsSpan((int)(sig.PageHashes.Length - 1) * 4096, (int)dataOff - (sig.PageHashes.Length - 1) * 4096)),
            sig.PageHashes[^1]);                                                   // the last page is partial
        Assert.Equal([0xfa, 0xde, 0x0c, 0x01, 0, 0, 0, 12, 0, 0, 0, 0], sig.Requirements);
        Assert.Equal(2, sig.SpecialHashes.Length);
        Assert.Equal(new byte[32], sig.SpecialHashes[0]);                          // no Info.plist
        Assert.Equal(SHA256.HashData(sig.Requirements!), sig.SpecialHashes[1]);
        var text = img.Segments.Single(s => s.Name == "__TEXT");
        Assert.Equal((text.FileOffset, text.FileSize), (sig.ExecSegBase, sig.ExecSegLimit));
        Assert.Equal(kind == "exe" ? 1ul : 0ul, sig.ExecSegFlags);

        // An independent parser agrees on the load command.
        var dump = MachOToolchain.Run(MachOToolchain.ObjDump, "--macho", "--private-headers", path);
        Assert.DoesNotContain("truncated or malformed", dump.StdOut + dump.StdErr);
        var m = Regex.Match(dump.StdOut, @"cmd LC_CODE_SIGNATURE\s+cmdsize 16\s+dataoff (\d+)\s+datasize (\d+)");
        Assert.True(m.Success, dump.StdOut);
        Assert.Equal((dataOff.ToString(), dataSize.ToString()), (m.Groups[1].Value, m.Groups[2].Value));
        var seg = Regex.Match(dump.StdOut, @"segname __LINKEDIT\s+vmaddr \S+\s+vmsize (\S+)\s+fileoff (\d+)\s+filesize (\d+)");
        Assert.True(seg.Success, dump.StdOut);
        Assert.Equal(bytes.Length, long.Parse(seg.Groups[2].Value) + long.Parse(seg.Groups[3].Value));
        Assert.Equal(le.VmSize, Convert.ToUInt64(seg.Groups[1].Value, 16));
    }

    [Fact]
    public void ResigningGivesTheSameBytes()
    {
        using var d = new Infrastructure.TempDir("macsign");
        var a = tc.Link("arm64", "dylib", d["liba.dylib"], "-no_adhoc_codesign");
        File.Copy(a, d["libb.dylib"]);
        MachOCodeSignature.Sign(a, "liba");
        var first = File.ReadAllBytes(a);
        MachOCodeSignature.Sign(a, "liba");
        Assert.Equal(first, File.ReadAllBytes(a));                 // idempotent
        MachOCodeSignature.Sign(d["libb.dylib"], "liba");
        Assert.Equal(first, File.ReadAllBytes(d["libb.dylib"]));   // reproducible

        MachOCodeSignature.Sign(a, "a.much.longer.identifier.than.before.to.grow.the.blob");
        var longer = MachOCodeSignature.Verify(a);
        Assert.True(longer.IsValid, longer.Problem);
        Assert.Equal("a.much.longer.identifier.than.before.to.grow.the.blob", longer.Identifier);
        MachOCodeSignature.Sign(a, "liba");
        Assert.Equal(first, File.ReadAllBytes(a));

        // The stream overload writes the same bytes.
        using var output = new MemoryStream();
        using (var input = File.OpenRead(d["libb.dylib"]))
            MachOCodeSignature.Sign(input, output, "libb.dylib", "liba");
        Assert.Equal(first, output.ToArray());
    }

    [Fact]
    public void ASymbolicLinkIsFollowedAndKept()
    {
        using var d = new Infrastructure.TempDir("macsign");
        var real = tc.Link("arm64", "dylib", d["libreal.1.dylib"], "-no_adhoc_codesign");
        File.SetUnixFileMode(real, (UnixFileMode)0b110_100_100);
        var link = d["libreal.dylib"];
        File.CreateSymbolicLink(link, "libreal.1.dylib");
        MachOCodeSignature.Sign(link, "libreal");
        Assert.Equal("libreal.1.dylib", new FileInfo(link).LinkTarget);
        Assert.True(MachOCodeSignature.Verify(real).IsValid);
        Assert.Equal((UnixFileMode)0b110_100_100, File.GetUnixFileMode(real));
        Assert.Equal(2, Directory.GetFileSystemEntries(d.Path).Length);
    }

    [Fact]
    public void TamperedBytesAreReportedWithTheirPage()
    {
        using var d = new Infrastructure.TempDir("macsign");
        var p = tc.Link("arm64", "dylib", d["libt.dylib"], "-no_adhoc_codesign");
        MachOCodeSignature.Sign(p, "libt");
        var good = File.ReadAllBytes(p);

        var bad = (byte[])good.Clone();
        bad[2 * 4096 + 123] ^= 0x40;
        File.WriteAllBytes(p, bad);
        var info = MachOCodeSignature.Verify(p);
        Assert.True(info.IsSigned);
        Assert.False(info.IsValid);
        Assert.Equal(2, info.MismatchedPage);
        Assert.Contains("page 2 ", info.Problem);
        Assert.Equal("libt", info.Identifier);

        // The requirements blob no longer matches special slot 2.
        var sig = ParsedSignature.Read(good);
        bad = (byte[])good.Clone();
        var reqAt = (int)sig.DataOffset + 12 + 3 * 8 + (int)BinaryPrimitives.ReadUInt32BigEndian(good.AsSpan((int)sig.DataOffset + 36 + 4));
        Assert.Equal(0xfade0c01u, BinaryPrimitives.ReadUInt32BigEndian(bad.AsSpan(reqAt)));
        bad[reqAt + 11] = 1;
        File.WriteAllBytes(p, bad);
        info = MachOCodeSignature.Verify(p);
        Assert.False(info.IsValid);
        Assert.Null(info.MismatchedPage);
        Assert.Contains("special slot 2 (requirements)", info.Problem);

        // Signing again repairs it.
        MachOCodeSignature.Sign(p, "libt");
        Assert.Equal(good, File.ReadAllBytes(p));
    }

    [Fact]
    public void NoRoomInTheHeaderIsAClearError()
    {
        using var d = new Infrastructure.TempDir("macsign");
        var p = tc.Link("arm64", "dylib", d["libtight.dylib"], "-no_adhoc_codesign", "-headerpad", "0");
        var before = File.ReadAllBytes(p);
        var e = Assert.Throws<BinaryFormatException>(() => MachOCodeSignature.Sign(p, "libtight"));
        Assert.Contains("libtight.dylib", e.Message);
        Assert.Contains("no room in the Mach-O header for a code signature; relink with -headerpad_max_install_names", e.Message);
        Assert.Equal(before, File.ReadAllBytes(p));
        Assert.Single(Directory.GetFiles(d.Path));
        // A signed file needs no room: its LC_CODE_SIGNATURE is reused.
        var signedTight = tc.Link("arm64", "dylib", d["libtight2.dylib"], "-headerpad", "0");
        MachOCodeSignature.Sign(signedTight, "libtight2");
        Assert.True(MachOCodeSignature.Verify(signedTight).IsValid);
    }

    [Fact]
    public void BadInputIsABinaryFormatExceptionNamingTheFile()
    {
        using var d = new Infrastructure.TempDir("macsign");
        var text = d.Write("notes.txt", "this is not a Mach-O file at all, just some text");
        var e = Assert.Throws<BinaryFormatException>(() => MachOCodeSignature.Sign(text, "x"));
        Assert.Contains("notes.txt", e.Message);
        Assert.Throws<BinaryFormatException>(() => MachOCodeSignature.Verify(text));

        var lib = tc.Link("arm64", "dylib", d["libcut.dylib"], "-no_adhoc_codesign");
        var bytes = File.ReadAllBytes(lib);
        File.WriteAllBytes(lib, bytes[..200]);
        e = Assert.Throws<BinaryFormatException>(() => MachOCodeSignature.Sign(lib, "x"));
        Assert.Contains("libcut.dylib", e.Message);
        Assert.Equal(200, new FileInfo(lib).Length);

        // Cut inside __LINKEDIT: the header parses but __LINKEDIT runs past the end.
        File.WriteAllBytes(lib, bytes[..^40]);
        e = Assert.Throws<BinaryFormatException>(() => MachOCodeSignature.Sign(lib, "x"));
        Assert.Contains("libcut.dylib", e.Message);
        Assert.Contains("__LINKEDIT ends at", e.Message);

        // Data after __LINKEDIT.
        File.WriteAllBytes(lib, [.. bytes, .. new byte[16]]);
        e = Assert.Throws<BinaryFormatException>(() => MachOCodeSignature.Sign(lib, "x"));
        Assert.Contains("__LINKEDIT ends at", e.Message);

        // An object file is not signable; a 32-bit image is refused.
        var obj = d["lib.o"];
        MachOToolchain.Run(MachOToolchain.Clang, "-target", "arm64-apple-macos11", "-c", d.Write("x.c", "int x;"), "-o", obj);
        e = Assert.Throws<BinaryFormatException>(() => MachOCodeSignature.Sign(obj, "x"));
        Assert.Contains("file type Object", e.Message);
        var i386 = d["i386.dylib"];
        File.WriteAllBytes(i386, new MachOBuilder { CpuType = MachOFile.CpuTypeX86, Is64 = false }.IdDylib("libi.dylib").Build());
        e = Assert.Throws<BinaryFormatException>(() => MachOCodeSignature.Sign(i386, "x"));
        Assert.Contains("32-bit", e.Message);
        Assert.Contains("i386.dylib", e.Message);
    }

    [Fact]
    public void UniversalFileHasEverySliceSigned()
    {
        using var d = new Infrastructure.TempDir("macsign");
        var arm = tc.Link("arm64", "dylib", d["arm.dylib"], "-no_adhoc_codesign");
        var x64 = tc.Link("x86_64", "dylib", d["x64.dylib"]);
        var fat = d["libuni.dylib"];
        MachOToolchain.Run(MachOToolchain.Lipo, "-create", x64, arm, "-output", fat);
        Assert.False(MachOCodeSignature.Verify(fat).IsSigned);

        MachOCodeSignature.Sign(fat, "libuni");

        var info = MachOCodeSignature.Verify(fat);
        Assert.True(info.IsValid, info.Problem);
        Assert.Equal("x86_64+arm64", info.Architecture);
        Assert.Equal(["x86_64", "arm64"], info.Slices.Select(s => s.Architecture));
        Assert.All(info.Slices, s => Assert.True(s.IsValid && s.Identifier == "libuni" && s.Flags == AdHoc, s.Problem));
        var m = MachOFile.Read(fat);
        var bytes = File.ReadAllBytes(fat);
        long end = 0;
        foreach (var (a, img) in m.FatArchitectures.Zip(m.Images))
        {
            Assert.Equal(0, a.Offset % (1L << (int)a.Align));
            Assert.True(a.Offset >= end);
            Assert.Equal(a.Size, (long)img.CodeSignature!.Value.DataOffset + img.CodeSignature.Value.DataSize);
            end = a.Offset + a.Size;
        }
        Assert.Equal(bytes.Length, end);

        // lipo pulls the slices out; each is a valid signed thin file, equal to signing the thin file alone.
        MachOToolchain.Run(MachOToolchain.Lipo, fat, "-thin", "arm64", "-output", d["thin-arm.dylib"]);
        Assert.True(MachOCodeSignature.Verify(d["thin-arm.dylib"]).IsValid);
        MachOCodeSignature.Sign(arm, "libuni");
        Assert.Equal(File.ReadAllBytes(arm), File.ReadAllBytes(d["thin-arm.dylib"]));
        var dump = MachOToolchain.Run(MachOToolchain.ObjDump, "--macho", "--private-headers", "--arch", "all", fat);
        Assert.Equal(2, Regex.Matches(dump.StdOut, "cmd LC_CODE_SIGNATURE").Count);

        // Idempotent for universal files too.
        var once = File.ReadAllBytes(fat);
        MachOCodeSignature.Sign(fat, "libuni");
        Assert.Equal(once, File.ReadAllBytes(fat));

        // A tampered byte in the second slice is reported against it.
        var slice = m.FatArchitectures[1];
        once[slice.Offset + 4096 + 7] ^= 1;
        File.WriteAllBytes(fat, once);
        info = MachOCodeSignature.Verify(fat);
        Assert.False(info.IsValid);
        Assert.True(info.Slices[0].IsValid);
        Assert.Equal(1, info.Slices[1].MismatchedPage);
        Assert.StartsWith("arm64 slice: page 1 ", info.Problem);
    }
}

/// <summary>Signatures made by Apple's codesign (Developer ID, with CMS and alternate CodeDirectories) on real dylibs
/// shipped in a NuGet package: a second independent oracle for <see cref="MachOCodeSignature.Verify(string)"/>.</summary>
public class MachOCodeSignatureRealFileTests
{
    [FactRequires("glob:" + MachOFileTests.RealDylibs + "/libInstrumentationEngine.dylib")]
    public void CodesignedDylibsVerifyAndCanBeResignedAdHoc()
    {
        using var d = new Infrastructure.TempDir("macsign");
        var files = Directory.EnumerateFiles(Requirements.Glob(Requirements.Expand(MachOFileTests.RealDylibs)).First(), "*.dylib").Order().ToList();
        Assert.NotEmpty(files);
        foreach (var f in files)
        {
            var info = MachOCodeSignature.Verify(f);
            Assert.True(info.IsSigned, f);
            Assert.True(info.IsValid, $"{f}: {info.Problem}");
            Assert.False(info.IsAdHoc, f);
            Assert.Equal(Path.GetFileNameWithoutExtension(f), info.Identifier);

            var copy = d[Path.GetFileName(f)];
            File.Copy(f, copy);
            var bytes = File.ReadAllBytes(copy);
            var codeLimit = info.CodeLimit;
            MachOCodeSignature.Sign(copy, "adhoc." + Path.GetFileNameWithoutExtension(f));
            var again = MachOCodeSignature.Verify(copy);
            Assert.True(again.IsValid, again.Problem);
            Assert.Equal(0x2u, again.Flags);
            Assert.Equal(codeLimit, again.CodeLimit);
            // Everything after the header page up to the old signature is untouched.
            Assert.True(bytes.AsSpan(4096, (int)codeLimit - 4096).SequenceEqual(File.ReadAllBytes(copy).AsSpan(4096, (int)codeLimit - 4096)));

            var tampered = File.ReadAllBytes(f);
            tampered[(int)codeLimit - 1] ^= 0x80;
            File.WriteAllBytes(copy, tampered);
            var bad = MachOCodeSignature.Verify(copy);
            Assert.False(bad.IsValid);
            Assert.Equal((int)((codeLimit - 1) / 4096), bad.MismatchedPage);
        }
    }
}
