using PyFreeze.Binaries;

namespace PyFreeze.Tests.Binaries;

/// <summary>Truncated, mutated and random inputs: every reader either parses or throws BinaryFormatException,
/// never another exception type.</summary>
[Trait("Lane", "Fast")]
public class CorruptInputTests
{
    private const string SslModule = "glob:/usr/lib/python3.11/lib-dynload/_ssl*.so";

    private static void MustParseOrThrowFormatError(byte[] bytes, string what, Action<Stream, string> read)
    {
        try
        {
            read(new MemoryStream(bytes, writable: false), what);
        }
        catch (BinaryFormatException e)
        {
            Assert.Contains(what, e.Message);
        }
        catch (Exception e)
        {
            Assert.Fail($"{what}: {e.GetType().Name} instead of BinaryFormatException: {e.Message}\n{e.StackTrace}");
        }
    }

    private static IEnumerable<int> CutPoints(int length)
    {
        for (var i = 0; i < Math.Min(length, 512); i++) yield return i;
        for (var i = 512; i < length; i += Math.Max(1, length / 2000)) yield return i;
    }

    private static byte[] Mutate(byte[] original, Random rng, int headerSpan)
    {
        var b = (byte[])original.Clone();
        var flips = rng.Next(1, 8);
        for (var i = 0; i < flips; i++)
        {
            var at = rng.Next(2) == 0 ? rng.Next(Math.Min(headerSpan, b.Length)) : rng.Next(b.Length);
            b[at] = rng.Next(4) switch { 0 => 0xff, 1 => 0, _ => (byte)rng.Next(256) };
        }
        return b;
    }

    private static void ReadElf(Stream s, string n) => ElfFile.Read(s, n);
    private static void ReadPe(Stream s, string n) => PeFile.Read(s, n);
    private static void ReadMachO(Stream s, string n) => MachOFile.Read(s, n);
    private static void ReadAny(Stream s, string n) => BinaryInspector.Read(s, n);

    [FactRequires(SslModule)]
    public void TruncatedElfAtManyOffsets()
    {
        var path = Requirements.Glob(SslModule[5..]).First();
        var bytes = File.ReadAllBytes(path);
        foreach (var cut in CutPoints(bytes.Length))
            MustParseOrThrowFormatError(bytes[..cut], $"_ssl.so[..{cut}]", ReadElf);
    }

    [FactRequires(SslModule)]
    public void MutatedElfHeadersAndTables()
    {
        var bytes = File.ReadAllBytes(Requirements.Glob(SslModule[5..]).First());
        var rng = new Random(1234);
        for (var i = 0; i < 3000; i++)
            MustParseOrThrowFormatError(Mutate(bytes, rng, 0x1000), $"mutant-{i}.so", ReadElf);
    }

    [Fact]
    public void MutatedSyntheticElfOfBothClassesAndByteOrders()
    {
        var rng = new Random(99);
        foreach (var (is64, big) in new[] { (true, false), (false, false), (true, true), (false, true) })
        {
            var bytes = new ElfBuilder
            {
                Is64 = is64, BigEndian = big, Interp = "/lib/ld.so", Needed = ["liba.so.1", "libb.so.2"],
                RunPath = "/opt/x", VersionNeeds = [("libc.so.6", ["GLIBC_2.3", "GLIBC_2.4"]), ("liba.so.1", ["A_1"])],
            }.Build();
            foreach (var cut in CutPoints(bytes.Length))
                MustParseOrThrowFormatError(bytes[..cut], $"elf{(is64 ? 64 : 32)}{(big ? "be" : "le")}[..{cut}]", ReadElf);
            for (var i = 0; i < 1500; i++)
                MustParseOrThrowFormatError(Mutate(bytes, rng, bytes.Length), $"elf-mutant-{i}", ReadElf);
        }
    }

    [FactRequires("glob:~/.nuget/packages/microsoft.codecoverage/*/build/netstandard2.0/CodeCoverage/amd64/msdia140.dll")]
    public void TruncatedAndMutatedRealPe()
    {
        var path = Requirements.Glob(Requirements.Expand("~/.nuget/packages/microsoft.codecoverage/*/build/netstandard2.0/CodeCoverage/amd64/msdia140.dll")).First();
        var bytes = File.ReadAllBytes(path);
        foreach (var cut in CutPoints(bytes.Length))
            MustParseOrThrowFormatError(bytes[..cut], $"msdia140.dll[..{cut}]", ReadPe);
        var rng = new Random(7);
        for (var i = 0; i < 2000; i++)
            MustParseOrThrowFormatError(Mutate(bytes, rng, 0x400), $"pe-mutant-{i}", ReadPe);
    }

    [Fact]
    public void TruncatedAndMutatedSyntheticPe()
    {
        var bytes = new PeBuilder { Imports = ["KERNEL32.dll", "python311.dll"], DelayImports = ["USER32.dll"], ExportName = "x.pyd", Dll = true }.Build();
        foreach (var cut in CutPoints(bytes.Length))
            MustParseOrThrowFormatError(bytes[..cut], $"x.pyd[..{cut}]", ReadPe);
        var rng = new Random(8);
        for (var i = 0; i < 3000; i++)
            MustParseOrThrowFormatError(Mutate(bytes, rng, bytes.Length), $"pe-mutant-{i}", ReadPe);
    }

    [Fact]
    public void TruncatedAndMutatedMachO()
    {
        var thin = new MachOBuilder().IdDylib("@rpath/libx.dylib").Dylib("/usr/lib/libSystem.B.dylib").WeakDylib("@rpath/liby.dylib")
            .RPath("@loader_path/../lib").CodeSignature().BuildVersion(1, 0xb0000, 0xe0000).Build();
        var x64 = new MachOBuilder { CpuType = MachOFile.CpuTypeX86_64, CpuSubtype = 3 }.IdDylib("@rpath/libx.dylib").Dylib("/usr/lib/libSystem.B.dylib").Build();
        var fat = MachOBuilder.Fat((MachOFile.CpuTypeArm64, 0, thin), (MachOFile.CpuTypeX86_64, 3, x64));
        var rng = new Random(9);
        foreach (var bytes in new[] { thin, fat })
        {
            foreach (var cut in CutPoints(bytes.Length))
                MustParseOrThrowFormatError(bytes[..cut], $"x.dylib[..{cut}]", ReadMachO);
            for (var i = 0; i < 2000; i++)
            {
                var m = Mutate(bytes, rng, Math.Min(bytes.Length, 4096 + thin.Length));
                MustParseOrThrowFormatError(m, $"macho-mutant-{i}", ReadMachO);
                // Mutations can turn the magic into anything: the inspector must cope too.
                MustParseOrThrowFormatError(m, $"any-mutant-{i}", ReadAny);
            }
        }
    }

    [FactRequires("glob:~/.nuget/packages/microsoft.codecoverage/*/build/netstandard2.0/macos/x64/libInstrumentationEngine.dylib")]
    public void TruncatedRealMachO()
    {
        var path = Requirements.Glob(Requirements.Expand("~/.nuget/packages/microsoft.codecoverage/*/build/netstandard2.0/macos/x64/libInstrumentationEngine.dylib")).First();
        var bytes = File.ReadAllBytes(path);
        foreach (var cut in CutPoints(Math.Min(bytes.Length, 64 * 1024)))
            MustParseOrThrowFormatError(bytes[..cut], $"libInstrumentationEngine.dylib[..{cut}]", ReadMachO);
    }

    [Fact]
    public void RandomBytesBehindEveryMagic()
    {
        var rng = new Random(42);
        byte[][] magics =
        [
            [0x7f, (byte)'E', (byte)'L', (byte)'F', 2, 1, 1],
            [0x7f, (byte)'E', (byte)'L', (byte)'F', 1, 2, 1],
            [(byte)'M', (byte)'Z'],
            [0xcf, 0xfa, 0xed, 0xfe],
            [0xfe, 0xed, 0xfa, 0xce],
            [0xca, 0xfe, 0xba, 0xbe, 0, 0, 0, 2],
            [0xca, 0xfe, 0xba, 0xbf, 0, 0, 0, 1],
        ];
        for (var i = 0; i < 4000; i++)
        {
            var len = rng.Next(0, 2048);
            var b = new byte[len];
            rng.NextBytes(b);
            var magic = magics[i % magics.Length];
            Array.Copy(magic, b, Math.Min(magic.Length, b.Length));
            if (b.Length > 0x40 && magic[0] == 'M' && rng.Next(2) == 0)
            {
                // Point e_lfanew at a PE signature so the header parsing starts.
                var lfanew = rng.Next(0x40, b.Length - 4);
                BitConverter.GetBytes(lfanew).CopyTo(b, 0x3c);
                "PE\0\0"u8.ToArray().CopyTo(b, lfanew);
            }
            MustParseOrThrowFormatError(b, $"random-{i}", ReadAny);
        }
    }

    [Fact]
    public void TruncatedAndMutatedLdSoCache()
    {
        var bytes = new LdSoCacheBuilder
        {
            Entries = [(0x303, "libz.so.1", "/lib/x86_64-linux-gnu/libz.so.1", 0), (0x303, "libz.so.1", "/usr/lib/glibc-hwcaps/x86-64-v3/libz.so.1", (1UL << 62) | 0)],
            HwcapSubdirectories = ["x86-64-v3"],
        }.Build();
        foreach (var cut in CutPoints(bytes.Length))
            MustParseOrThrowFormatError(bytes[..cut], $"ld.so.cache[..{cut}]", (s, n) => LdSoCache.Read(s, n));
        var rng = new Random(5);
        for (var i = 0; i < 2000; i++)
            MustParseOrThrowFormatError(Mutate(bytes, rng, bytes.Length), $"cache-mutant-{i}", (s, n) => LdSoCache.Read(s, n));
    }
}
