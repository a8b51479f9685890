using System.Text;

namespace PyFreeze.Binaries;

/// <summary>One library entry of <c>/etc/ld.so.cache</c> (glibc <c>dl-cache.h</c>, <c>struct file_entry_new</c>).</summary>
/// <param name="Name">The library's SONAME / file name, e.g. <c>libssl.so.3</c>.</param>
/// <param name="Path">The absolute path ldconfig recorded, e.g. <c>/lib/x86_64-linux-gnu/libssl.so.3</c>.</param>
/// <param name="Flags">FLAG_* value: type in the low byte (3 = libc6 ELF), required ABI in bits 8–15
/// (0x0300 x86-64, 0x0a00 AArch64, 0x0900 ARM hard-float …).</param>
/// <param name="Hwcap">Hardware capability word; bit 62 set means the low 32 bits index a <c>glibc-hwcaps</c> subdirectory name.</param>
/// <param name="HwcapSubdirectory">The <c>glibc-hwcaps</c> subdirectory (e.g. <c>x86-64-v3</c>) when Hwcap names one, else null.</param>
public sealed record LdSoCacheEntry(string Name, string Path, int Flags, ulong Hwcap, string? HwcapSubdirectory)
{
    /// <summary>The flags as <c>ldconfig -p</c> prints them, e.g. <c>libc6,x86-64</c>, <c>libc6,AArch64</c>,
    /// <c>libc6,x86-64, hwcap: "x86-64-v3"</c>.</summary>
    public string Description
    {
        get
        {
            var sb = new StringBuilder((Flags & 0xff) switch
            {
                0 => "libc4",
                1 => "ELF",
                2 => "libc5",
                3 => "libc6",
                _ => "unknown",
            });
            var req = Flags & 0xff00;
            sb.Append(req switch
            {
                0 => "",
                0x0100 or 0x0400 or 0x0500 or 0x0700 => ",64bit",
                0x0200 => ",IA-64",
                0x0300 => ",x86-64",
                0x0600 => ",N32",
                0x0800 => ",x32",
                0x0900 => ",hard-float",
                0x0a00 => ",AArch64",
                0x0b00 => ",soft-float",
                0x0c00 => ",nan2008",
                0x0d00 => ",N32,nan2008",
                0x0e00 => ",64bit,nan2008",
                0x0f00 => ",soft-float",
                0x1000 => ",double-float",
                0x1100 => ",soft-float",
                0x1200 => ",double-float",
                _ => "," + req,
            });
            if (HwcapSubdirectory is not null)
                sb.Append($", hwcap: \"{HwcapSubdirectory}\"");
            else if (Hwcap != 0)
                sb.Append($", hwcap: 0x{Hwcap:x16}");
            return sb.ToString();
        }
    }
}

/// <summary>
/// The ld.so cache, <c>/etc/ld.so.cache</c>, written by ldconfig(8) and read by ld.so(8) after LD_LIBRARY_PATH and
/// DT_RUNPATH: a sorted table from library names to paths. Parses the <c>glibc-ld.so.cache1.1</c> format (glibc
/// <c>sysdeps/generic/dl-cache.h</c>: 48 byte header, 24 byte <c>file_entry_new</c> records, string table,
/// extension directory with the <c>glibc-hwcaps</c> subdirectory names), also when it follows an old
/// <c>ld.so-1.7.0</c> table (glibc &lt; 2.32 "compat" caches).
/// </summary>
public sealed class LdSoCache
{
    private const string NewMagic = "glibc-ld.so.cache1.1";
    private const string OldMagic = "ld.so-1.7.0";
    private const uint ExtensionMagic = 0xeaa42174;
    private const ulong HwcapExtensionBit = 1UL << 62;

    /// <summary>The default location.</summary>
    public const string DefaultPath = "/etc/ld.so.cache";

    private readonly Dictionary<string, List<LdSoCacheEntry>> _byName;

    private LdSoCache(List<LdSoCacheEntry> entries, IReadOnlyList<string> hwcaps)
    {
        Entries = entries;
        HwcapSubdirectories = hwcaps;
        _byName = new Dictionary<string, List<LdSoCacheEntry>>(StringComparer.Ordinal);
        foreach (var e in entries)
        {
            if (!_byName.TryGetValue(e.Name, out var list))
                _byName[e.Name] = list = [];
            list.Add(e);
        }
    }

    /// <summary>Entries in file order (ldconfig sorts them, highest name first; hwcap entries before the baseline).</summary>
    public IReadOnlyList<LdSoCacheEntry> Entries { get; }

    /// <summary>The <c>glibc-hwcaps</c> subdirectory names from the extension directory (may be empty).</summary>
    public IReadOnlyList<string> HwcapSubdirectories { get; }

    /// <summary>Reads the cache file at <paramref name="path"/>.</summary>
    /// <exception cref="BinaryFormatException">Not an ld.so cache in a known format, or truncated.</exception>
    /// <exception cref="IOException">The file cannot be read.</exception>
    public static LdSoCache Read(string path = DefaultPath)
    {
        using var fs = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, 1, FileOptions.SequentialScan);
        return Read(fs, path);
    }

    /// <summary>Reads a cache from <paramref name="stream"/>; the stream is left open.</summary>
    /// <param name="stream">The file's bytes.</param>
    /// <param name="fileName">Name for error messages.</param>
    /// <exception cref="BinaryFormatException">Not an ld.so cache in a known format, or truncated.</exception>
    public static LdSoCache Read(Stream stream, string fileName)
    {
        using var src = new ByteSource(stream, fileName);
        long start = 0;
        if (src.Length >= OldMagic.Length && Encoding.ASCII.GetString(src.ReadBytes(0, OldMagic.Length, "cache magic")) == OldMagic)
        {
            var nOld = src.U32(12, false, "old cache header");
            start = 16 + (long)nOld * 12;
            start = (start + 7) & ~7L;
            if (start > src.Length)
                throw src.Error($"old-format table of {nOld} entries runs past the end of the {src.Length} byte file");
        }
        if (src.Length - start < 48)
            throw src.Error("not a glibc-ld.so.cache1.1 file: too short for the 48 byte header", start);
        if (Encoding.ASCII.GetString(src.ReadBytes(start, NewMagic.Length, "cache magic")) != NewMagic)
            throw src.Error($"not an ld.so cache in the {NewMagic} format", start);
        var flags = src.U8(start + 28, "cache header flags");
        var big = (flags & 3) == 3;
        if ((flags & 3) == 1)
            throw src.Error("cache header says its byte order is invalid", start + 28);
        var nlibs = src.U32(start + 20, big, "cache header nlibs");
        var extOffset = src.U32(start + 32, big, "cache header extension_offset");
        src.Check(start + 48, (long)nlibs * 24, $"cache entry table ({nlibs} × 24 bytes)");
        var strLimit = src.Length;

        string Str(uint off, string what) => src.ReadCString(start + off, strLimit, what);

        var hwcaps = new List<string>();
        if (extOffset != 0 && start + extOffset + 8 <= src.Length && src.U32(start + extOffset, big, "extension magic") == ExtensionMagic)
        {
            var count = src.U32(start + extOffset + 4, big, "extension count");
            src.Check(start + extOffset + 8, (long)count * 16, "extension sections");
            for (var i = 0; i < count; i++)
            {
                var at = start + extOffset + 8 + i * 16;
                var tag = src.U32(at, big, "extension section");
                if (tag != 1) // cache_extension_tag_glibc_hwcaps: an array of uint32 string offsets
                    continue;
                var off = src.U32(at + 8, big, "extension section");
                var size = src.U32(at + 12, big, "extension section");
                src.Check(start + off, size, "glibc-hwcaps extension");
                for (var j = 0; j < size / 4; j++)
                    hwcaps.Add(Str(src.U32(start + off + j * 4, big, "glibc-hwcaps string"), "glibc-hwcaps name"));
            }
        }

        var entries = new List<LdSoCacheEntry>((int)Math.Min(nlibs, 1 << 20));
        var buf = new byte[24];
        for (var i = 0; i < nlibs; i++)
        {
            var at = start + 48 + i * 24L;
            src.Read(at, buf, "cache entry");
            var f = (int)Endian.U32(buf, 0, big);
            var key = Endian.U32(buf, 4, big);
            var value = Endian.U32(buf, 8, big);
            var hw = Endian.U64(buf, 16, big);
            string? sub = null;
            if ((hw & HwcapExtensionBit) != 0)
            {
                var idx = (int)(hw & 0xffffffff);
                if (idx >= 0 && idx < hwcaps.Count)
                    sub = hwcaps[idx];
            }
            entries.Add(new LdSoCacheEntry(Str(key, "cache entry name"), Str(value, "cache entry path"), f, hw, sub));
        }
        return new LdSoCache(entries, hwcaps);
    }

    /// <summary>The path ld.so would take from the cache for <paramref name="name"/>: the first entry (in file order)
    /// with that name whose flags are <c>1</c> (plain ELF) or <paramref name="requiredFlags"/>, skipping
    /// <c>glibc-hwcaps</c> and legacy hwcap entries unless <paramref name="includeHwcapEntries"/> (a bundle must run on
    /// the baseline CPU, so the baseline build of a library is the one to take).</summary>
    /// <param name="name">A DT_NEEDED name without '/'.</param>
    /// <param name="requiredFlags">The requester's cache flags from <see cref="FlagsFor"/>, e.g. 0x0303 for x86-64.</param>
    /// <param name="includeHwcapEntries">Also accept entries with a hwcap.</param>
    /// <returns>The recorded path, or null.</returns>
    public LdSoCacheEntry? Lookup(string name, int requiredFlags, bool includeHwcapEntries = false)
    {
        if (!_byName.TryGetValue(name, out var list))
            return null;
        foreach (var e in list)
            if ((e.Flags == 1 || e.Flags == requiredFlags) && (includeHwcapEntries || e.Hwcap == 0))
                return e;
        return null;
    }

    /// <summary>The cache flags ld.so accepts for objects of this class and machine (glibc
    /// <c>_DL_CACHE_DEFAULT_ID</c> of each port): x86_64 0x0303, i386 0x0003, aarch64 0x0a03, ARM hard-float 0x0903,
    /// ARM soft-float 0x0003, ppc64/s390x 64-bit 0x0503/0x0403, riscv64 0x1003, loongarch64 0x1203, x32 0x0803.</summary>
    /// <param name="elf">The requesting object (its header is enough).</param>
    public static int FlagsFor(ElfFile elf)
    {
        ArgumentNullException.ThrowIfNull(elf);
        var is64 = elf.Class == ElfClass.Elf64;
        return elf.Machine switch
        {
            62 => is64 ? 0x0303 : 0x0803,
            183 => 0x0a03,
            40 => (elf.ProcessorFlags & 0x400) != 0 ? 0x0903 : 0x0003,
            21 => 0x0503,
            22 => is64 ? 0x0403 : 0x0003,
            243 => 0x1003,
            258 => 0x1203,
            50 => 0x0203,
            43 => 0x0103,
            _ => 0x0003,
        };
    }
}
