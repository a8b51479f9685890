using System.Text.RegularExpressions;
using PyFreeze.Binaries;

namespace PyFreeze.Tests.Binaries;

public class LdSoCacheTests
{
    [FactRequires("/etc/ld.so.cache", "tool:ldconfig")]
    public void RealCacheMatchesLdconfigP()
    {
        var cache = LdSoCache.Read();
        var res = Requirements.Run("ldconfig", "-p");
        Assert.Equal(0, res.ExitCode);
        var lines = res.StdOut.Split('\n').Where(l => l.StartsWith('\t')).ToList();
        var count = int.Parse(Regex.Match(res.StdOut, @"^(\d+) libs found", RegexOptions.Multiline).Groups[1].Value);
        Assert.Equal(count, cache.Entries.Count);
        Assert.Equal(lines.Count, cache.Entries.Count);
        for (var i = 0; i < lines.Count; i++)
        {
            var m = Regex.Match(lines[i], @"^\t(\S+) \((.*)\) => (\S+)$");
            Assert.True(m.Success, lines[i]);
            var e = cache.Entries[i];
            Assert.Equal(m.Groups[1].Value, e.Name);
            Assert.Equal(m.Groups[2].Value, e.Description);
            Assert.Equal(m.Groups[3].Value, e.Path);
        }
    }

    [FactRequires("/etc/ld.so.cache", "tool:ldconfig")]
    public void LookupFindsTheX8664EntryOfEachName()
    {
        var cache = LdSoCache.Read();
        var libc = cache.Lookup("libc.so.6", 0x0303);
        Assert.NotNull(libc);
        Assert.EndsWith("/libc.so.6", libc.Path);
        Assert.Equal(0x0303, libc.Flags);
        Assert.Null(cache.Lookup("libc.so.6", 0x0a03)); // no AArch64 libc here
        Assert.Null(cache.Lookup("libdoesnotexist.so.9", 0x0303));
    }

    [Theory]
    [InlineData(false, false)]
    [InlineData(true, false)]
    [InlineData(false, true)]
    public void SyntheticCacheWithHwcapsAndOtherLayouts(bool bigEndian, bool oldPrefix)
    {
        var bytes = new LdSoCacheBuilder
        {
            BigEndian = bigEndian,
            OldFormatPrefix = oldPrefix,
            HwcapSubdirectories = ["x86-64-v3", "x86-64-v2"],
            Entries =
            [
                (0x0303, "libz.so.1", "/usr/lib/x86_64-linux-gnu/glibc-hwcaps/x86-64-v3/libz.so.1", (1UL << 62) | 0),
                (0x0303, "libz.so.1", "/usr/lib/x86_64-linux-gnu/libz.so.1", 0),
                (0x0003, "libz.so.1", "/usr/lib/i386-linux-gnu/libz.so.1", 0),
                (0x0a03, "libfoo.so", "/usr/lib/aarch64-linux-gnu/libfoo.so", 0),
                (0x0001, "libold.so.1", "/usr/lib/libold.so.1", 0),
            ],
        }.Build();
        var cache = LdSoCache.Read(new MemoryStream(bytes), "ld.so.cache");
        Assert.Equal(5, cache.Entries.Count);
        Assert.Equal(["x86-64-v3", "x86-64-v2"], cache.HwcapSubdirectories);
        Assert.Equal("x86-64-v3", cache.Entries[0].HwcapSubdirectory);
        Assert.Equal("libc6,x86-64, hwcap: \"x86-64-v3\"", cache.Entries[0].Description);
        Assert.Equal("libc6", cache.Entries[2].Description);
        Assert.Equal("libc6,AArch64", cache.Entries[3].Description);
        Assert.Equal("ELF", cache.Entries[4].Description);
        // Baseline by default, hwcap entry on request; i386 flags pick the 32-bit copy; flag 1 (plain ELF) matches anyone.
        Assert.Equal("/usr/lib/x86_64-linux-gnu/libz.so.1", cache.Lookup("libz.so.1", 0x0303)!.Path);
        Assert.Equal("/usr/lib/x86_64-linux-gnu/glibc-hwcaps/x86-64-v3/libz.so.1", cache.Lookup("libz.so.1", 0x0303, includeHwcapEntries: true)!.Path);
        Assert.Equal("/usr/lib/i386-linux-gnu/libz.so.1", cache.Lookup("libz.so.1", 0x0003)!.Path);
        Assert.Null(cache.Lookup("libfoo.so", 0x0303));
        Assert.Equal("/usr/lib/libold.so.1", cache.Lookup("libold.so.1", 0x0a03)!.Path);
    }

    [Fact]
    public void FlagsForEachPort()
    {
        ElfFile H(ushort machine, bool is64, uint flags = 0) =>
            ElfFile.Read(new MemoryStream(new ElfBuilder { Machine = machine, Is64 = is64, Flags = flags }.Build()), "x");
        Assert.Equal(0x0303, LdSoCache.FlagsFor(H(62, true)));
        Assert.Equal(0x0803, LdSoCache.FlagsFor(H(62, false)));
        Assert.Equal(0x0003, LdSoCache.FlagsFor(H(3, false)));
        Assert.Equal(0x0a03, LdSoCache.FlagsFor(H(183, true)));
        Assert.Equal(0x0903, LdSoCache.FlagsFor(H(40, false, 0x05000400)));
    }

    [Fact]
    public void NotACacheIsAFormatError()
    {
        var e = Assert.Throws<BinaryFormatException>(() => LdSoCache.Read(new MemoryStream(new byte[100]), "bogus.cache"));
        Assert.Contains("bogus.cache", e.Message);
    }
}
