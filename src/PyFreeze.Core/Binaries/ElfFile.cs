using System.Globalization;
using System.Runtime.InteropServices;

namespace PyFreeze.Binaries;

/// <summary>ELF file class, <c>e_ident[EI_CLASS]</c> (System V gABI, "ELF Identification").</summary>
public enum ElfClass : byte
{
    /// <summary><c>ELFCLASS32</c>: 32-bit objects.</summary>
    Elf32 = 1,
    /// <summary><c>ELFCLASS64</c>: 64-bit objects.</summary>
    Elf64 = 2,
}

/// <summary>ELF data encoding, <c>e_ident[EI_DATA]</c> (System V gABI).</summary>
public enum ElfData : byte
{
    /// <summary><c>ELFDATA2LSB</c>: two's complement, little-endian.</summary>
    LittleEndian = 1,
    /// <summary><c>ELFDATA2MSB</c>: two's complement, big-endian.</summary>
    BigEndian = 2,
}

/// <summary>ELF object file type, <c>e_type</c> (System V gABI). PIE executables are <see cref="SharedObject"/>.</summary>
public enum ElfType : ushort
{
    /// <summary><c>ET_NONE</c>.</summary>
    None = 0,
    /// <summary><c>ET_REL</c>: relocatable object (.o).</summary>
    Relocatable = 1,
    /// <summary><c>ET_EXEC</c>: executable at a fixed address.</summary>
    Executable = 2,
    /// <summary><c>ET_DYN</c>: shared object or position-independent executable.</summary>
    SharedObject = 3,
    /// <summary><c>ET_CORE</c>: core dump.</summary>
    Core = 4,
}

/// <summary>One <c>Elf_Verneed</c> record of <c>.gnu.version_r</c> (DT_VERNEED, LSB "Symbol Versioning"):
/// the versions this object needs from one shared library.</summary>
/// <param name="File">The library's name as in DT_NEEDED, e.g. <c>libc.so.6</c>.</param>
/// <param name="Versions">Version names needed from it, in file order, e.g. <c>GLIBC_2.34</c>.</param>
public sealed record ElfVersionNeed(string File, IReadOnlyList<string> Versions);

/// <summary>
/// The headers and dynamic section of an ELF file (System V gABI "Object Files" and "Dynamic Linking";
/// <c>elf.h</c>): class, byte order, machine, type, <c>PT_INTERP</c>, <c>DT_NEEDED</c>, <c>DT_SONAME</c>,
/// <c>DT_RPATH</c>, <c>DT_RUNPATH</c>, <c>DT_FLAGS_1</c> and the GNU version needs (<c>DT_VERNEED</c>).
/// </summary>
/// <remarks>
/// Only the ELF header, the program header table, the <c>PT_DYNAMIC</c> segment, and the strings and version
/// records it points to are read (located through the <c>PT_LOAD</c> segments, so stripped files without
/// section headers work); reading a typical shared object touches a few 4 KiB pages. Objects without program
/// headers (.o files) parse with an empty dynamic view.
/// </remarks>
public sealed class ElfFile
{
    /// <summary><c>DF_1_NODEFLIB</c> in <c>DT_FLAGS_1</c>: ld.so must not search the default directories.</summary>
    public const ulong DF_1_NODEFLIB = 0x800;

    internal const long DT_NULL = 0, DT_NEEDED = 1, DT_STRTAB = 5, DT_STRSZ = 10, DT_SONAME = 14, DT_RPATH = 15,
        DT_FLAGS = 30, DT_RUNPATH = 29, DT_FLAGS_1 = 0x6ffffffb, DT_VERNEED = 0x6ffffffe, DT_VERNEEDNUM = 0x6fffffff,
        DT_VERDEF = 0x6ffffffc, DT_VERDEFNUM = 0x6ffffffd, DT_AUXILIARY = 0x7ffffffd, DT_FILTER = 0x7fffffff,
        DT_CONFIG = 0x6ffffefa, DT_DEPAUDIT = 0x6ffffefb, DT_AUDIT = 0x6ffffefc, DT_SYMTAB = 6, DT_HASH = 4;

    private const uint PT_LOAD = 1, PT_DYNAMIC = 2, PT_INTERP = 3;
    private const int MaxDynamicEntries = 1 << 20;
    private const int MaxVersionRecords = 1 << 16;

    private ElfFile(string fileName) => FileName = fileName;

    /// <summary>The path or display name the file was read from (used in error messages).</summary>
    public string FileName { get; }

    /// <summary>32- or 64-bit (<c>e_ident[EI_CLASS]</c>).</summary>
    public ElfClass Class { get; private set; }

    /// <summary>Byte order (<c>e_ident[EI_DATA]</c>).</summary>
    public ElfData Data { get; private set; }

    /// <summary>OS ABI (<c>e_ident[EI_OSABI]</c>; 0 = System V, 3 = GNU/Linux).</summary>
    public byte OsAbi { get; private set; }

    /// <summary>Object type (<c>e_type</c>).</summary>
    public ElfType Type { get; private set; }

    /// <summary>Machine number (<c>e_machine</c>, e.g. 62 = EM_X86_64).</summary>
    public ushort Machine { get; private set; }

    /// <summary>Processor-specific flags (<c>e_flags</c>; on ARM, 0x400 = hard-float ABI).</summary>
    public uint ProcessorFlags { get; private set; }

    /// <summary>The machine's name as GNU tools and Debian multiarch spell it: <c>x86_64</c>, <c>i386</c>,
    /// <c>aarch64</c>, <c>arm</c>, <c>ppc64</c>, <c>s390x</c>, <c>riscv64</c> …, or <c>machine-N</c> when unknown.</summary>
    public string MachineName => GetMachineName(Machine, Class);

    /// <summary>The .NET architecture of the machine, or null when .NET has no name for it (e.g. MIPS, SPARC).</summary>
    public Architecture? Architecture => GetArchitecture(Machine, Class, Data);

    /// <summary>The program interpreter (<c>PT_INTERP</c>), e.g. <c>/lib64/ld-linux-x86-64.so.2</c>; null for
    /// shared libraries and static executables.</summary>
    public string? Interpreter { get; private set; }

    /// <summary>True when the file has a <c>PT_DYNAMIC</c> segment (it is dynamically linked).</summary>
    public bool IsDynamic { get; private set; }

    /// <summary><c>DT_NEEDED</c> names in the order of the dynamic section (= ld.so's load order).</summary>
    public IReadOnlyList<string> Needed { get; private set; } = [];

    /// <summary><c>DT_SONAME</c>, e.g. <c>libssl.so.3</c>; null when absent.</summary>
    public string? SoName { get; private set; }

    /// <summary>The raw <c>DT_RPATH</c> string; null when absent.</summary>
    public string? RPathString { get; private set; }

    /// <summary>The raw <c>DT_RUNPATH</c> string; null when absent.</summary>
    public string? RunPathString { get; private set; }

    /// <summary><c>DT_RPATH</c> split on ':' (empty elements kept: ld.so reads them as the current directory).
    /// Note that ld.so ignores DT_RPATH when DT_RUNPATH is also present (see <see cref="EffectiveRPath"/>).</summary>
    public IReadOnlyList<string> RPath => Split(RPathString);

    /// <summary><c>DT_RUNPATH</c> split on ':' (empty elements kept).</summary>
    public IReadOnlyList<string> RunPath => Split(RunPathString);

    /// <summary>The RPATH ld.so actually uses: <see cref="RPath"/>, or empty when a DT_RUNPATH is present
    /// (glibc <c>get-dynamic-info.h</c>: "If both RUNPATH and RPATH are given, the latter is ignored").</summary>
    public IReadOnlyList<string> EffectiveRPath => RunPathString is null ? RPath : [];

    /// <summary><c>DT_FLAGS</c> value (0 when absent).</summary>
    public ulong DynamicFlags { get; private set; }

    /// <summary><c>DT_FLAGS_1</c> value (0 when absent).</summary>
    public ulong Flags1 { get; private set; }

    /// <summary>True when <c>DT_FLAGS_1</c> has <c>DF_1_NODEFLIB</c>: ld.so skips ld.so.cache entries in the
    /// system directories and the default directories for this object's dependencies.</summary>
    public bool NoDefaultLib => (Flags1 & DF_1_NODEFLIB) != 0;

    /// <summary>Version needs (<c>DT_VERNEED</c> / <c>.gnu.version_r</c>), in file order.</summary>
    public IReadOnlyList<ElfVersionNeed> VersionNeeds { get; private set; } = [];

    /// <summary>The highest <c>GLIBC_x.y[.z]</c> version needed from any library (e.g. 2.35 for a binary built on
    /// glibc 2.35 that uses a 2.35 symbol); null when none. Non-numeric names (<c>GLIBC_PRIVATE</c>,
    /// <c>GLIBC_ABI_DT_RELR</c>) are ignored. The target's glibc must be at least this version.</summary>
    public Version? RequiredGlibcVersion
    {
        get
        {
            Version? max = null;
            foreach (var need in VersionNeeds)
                foreach (var v in need.Versions)
                    if (TryParseGlibcVersion(v, out var ver) && (max is null || ver > max))
                        max = ver;
            return max;
        }
    }

    /// <summary>Layout facts kept for <see cref="ElfPatcher"/>.</summary>
    internal DynamicLayout? Layout { get; private set; }

    /// <summary>Reads the ELF file at <paramref name="path"/>.</summary>
    /// <param name="path">File path.</param>
    /// <returns>The parsed headers and dynamic section.</returns>
    /// <exception cref="BinaryFormatException">The file is not ELF, or is truncated or corrupt.</exception>
    /// <exception cref="IOException">The file cannot be read.</exception>
    public static ElfFile Read(string path)
    {
        using var fs = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, 1, FileOptions.RandomAccess);
        return Read(fs, path);
    }

    /// <summary>Reads an ELF file from <paramref name="stream"/> (from its start; a non-seekable stream is copied
    /// to memory first). The stream is left open.</summary>
    /// <param name="stream">The file's bytes, position 0 = ELF header.</param>
    /// <param name="fileName">Name for error messages.</param>
    /// <exception cref="BinaryFormatException">Not ELF, truncated or corrupt.</exception>
    public static ElfFile Read(Stream stream, string fileName)
    {
        using var src = new ByteSource(stream, fileName);
        return Read(src);
    }

    /// <summary>True when <paramref name="header"/> starts with the ELF magic <c>\x7fELF</c>.</summary>
    public static bool HasElfMagic(ReadOnlySpan<byte> header) =>
        header.Length >= 4 && header[0] == 0x7f && header[1] == (byte)'E' && header[2] == (byte)'L' && header[3] == (byte)'F';

    internal static ElfFile Read(ByteSource src)
    {
        var elf = new ElfFile(src.Name);
        var hdr = elf.ReadHeader(src);
        if (hdr.PhNum == 0)
            return elf;
        elf.ReadProgramHeaders(src, hdr);
        return elf;
    }

    /// <summary>Reads only the identification and ELF header fields (class, data, type, machine): what ld.so's
    /// <c>open_verify</c> checks for a candidate library.</summary>
    internal static ElfFile ReadHeaderOnly(ByteSource src)
    {
        var elf = new ElfFile(src.Name);
        elf.ReadHeader(src);
        return elf;
    }

    internal readonly record struct Header(bool Big, bool Is64, ulong PhOff, uint PhEntSize, uint PhNum, ulong ShOff, uint ShEntSize, uint ShNum);

    private Header ReadHeader(ByteSource src)
    {
        Span<byte> id = stackalloc byte[16];
        if (src.Length < 16)
            throw src.Error($"not an ELF file: {src.Length} bytes is shorter than the 16 byte ELF identification");
        src.Read(0, id, "ELF identification");
        if (!HasElfMagic(id))
            throw src.Error("not an ELF file (no \\x7fELF magic)", 0);
        if (id[4] is not (1 or 2))
            throw src.Error($"bad ELF class {id[4]} (expected 1 = 32-bit or 2 = 64-bit)", 4);
        if (id[5] is not (1 or 2))
            throw src.Error($"bad ELF data encoding {id[5]} (expected 1 = little-endian or 2 = big-endian)", 5);
        Class = (ElfClass)id[4];
        Data = (ElfData)id[5];
        OsAbi = id[7];
        var big = Data == ElfData.BigEndian;
        var is64 = Class == ElfClass.Elf64;
        var ehsize = is64 ? 64 : 52;
        Span<byte> h = stackalloc byte[64];
        h = h[..ehsize];
        src.Read(0, h, "ELF header");
        Type = (ElfType)Endian.U16(h, 16, big);
        Machine = Endian.U16(h, 18, big);
        ulong phoff, shoff;
        int p;
        if (is64)
        {
            phoff = Endian.U64(h, 32, big);
            shoff = Endian.U64(h, 40, big);
            p = 48;
        }
        else
        {
            phoff = Endian.U32(h, 28, big);
            shoff = Endian.U32(h, 32, big);
            p = 36;
        }
        ProcessorFlags = Endian.U32(h, p, big);
        uint phentsize = Endian.U16(h, p + 6, big);
        uint phnum = Endian.U16(h, p + 8, big);
        uint shentsize = Endian.U16(h, p + 10, big);
        uint shnum = Endian.U16(h, p + 12, big);
        if (phnum == 0xffff && shoff != 0)
        {
            // PN_XNUM: the real count is in sh_info of section header 0 (gABI "Sections").
            var sh0 = CheckedOffset(src, shoff, "section header table offset");
            phnum = src.U32(sh0 + (is64 ? 44 : 28), big, "section header 0 (sh_info for PN_XNUM)");
        }
        var header = new Header(big, is64, phoff, phentsize, phnum, shoff, shentsize, shnum);
        if (phnum > 0)
        {
            var min = is64 ? 56u : 32u;
            if (phentsize < min)
                throw src.Error($"program header entry size {phentsize} is smaller than the {min} bytes of an Elf{(is64 ? 64 : 32)}_Phdr", p + 6);
            src.Check(CheckedOffset(src, phoff, "program header table offset"), (long)phentsize * phnum,
                $"ELF program header table ({phentsize} × {phnum} bytes)");
        }
        return header;
    }

    private static long CheckedOffset(ByteSource src, ulong value, string what)
    {
        if (value > (ulong)src.Length)
            throw src.Error($"{what} 0x{value:x} is past the end of the {src.Length} byte file");
        return (long)value;
    }

    internal readonly record struct Segment(uint Type, ulong Offset, ulong VAddr, ulong FileSize, ulong MemSize);

    internal readonly record struct DynEntry(long Tag, ulong Value, long FileOffset);

    /// <summary>Where the dynamic array and string table are: what the patcher needs.</summary>
    internal sealed record DynamicLayout(bool Big, bool Is64, long DynamicOffset, int SlotCount, int EntrySize,
        IReadOnlyList<DynEntry> Entries, long StrTabOffset, ulong StrTabSize, IReadOnlyList<Segment> Loads, Header Header);

    private void ReadProgramHeaders(ByteSource src, Header hdr)
    {
        var big = hdr.Big;
        var loads = new List<Segment>();
        Segment? dynamic = null, interp = null;
        var size = hdr.Is64 ? 56 : 32;
        Span<byte> ph = stackalloc byte[56];
        for (var i = 0u; i < hdr.PhNum; i++)
        {
            var at = (long)hdr.PhOff + (long)i * hdr.PhEntSize;
            src.Read(at, ph[..size], $"program header {i}");
            Segment s = hdr.Is64
                ? new(Endian.U32(ph, 0, big), Endian.U64(ph, 8, big), Endian.U64(ph, 16, big), Endian.U64(ph, 32, big), Endian.U64(ph, 40, big))
                : new(Endian.U32(ph, 0, big), Endian.U32(ph, 4, big), Endian.U32(ph, 8, big), Endian.U32(ph, 16, big), Endian.U32(ph, 20, big));
            switch (s.Type)
            {
                case PT_LOAD: loads.Add(s); break;
                case PT_DYNAMIC: dynamic ??= s; break;
                case PT_INTERP: interp ??= s; break;
            }
        }

        if (interp is { } ip)
        {
            var off = CheckedOffset(src, ip.Offset, "PT_INTERP offset");
            src.Check(off, (long)Math.Min(ip.FileSize, (ulong)src.Length), "PT_INTERP segment");
            Interpreter = src.ReadCString(off, off + (long)ip.FileSize, "PT_INTERP string");
        }

        if (dynamic is not { } dyn || dyn.FileSize == 0)
            return;
        IsDynamic = true;
        ReadDynamic(src, hdr, dyn, loads);
    }

    private void ReadDynamic(ByteSource src, Header hdr, Segment dyn, List<Segment> loads)
    {
        var big = hdr.Big;
        var entSize = hdr.Is64 ? 16 : 8;
        var dynOff = CheckedOffset(src, dyn.Offset, "PT_DYNAMIC offset");
        src.Check(dynOff, (long)Math.Min(dyn.FileSize, (ulong)src.Length), "PT_DYNAMIC segment");
        var slots = (int)Math.Min(dyn.FileSize / (ulong)entSize, MaxDynamicEntries);
        var entries = new List<DynEntry>();
        Span<byte> e = stackalloc byte[16];
        for (var i = 0; i < slots; i++)
        {
            var at = dynOff + (long)i * entSize;
            src.Read(at, e[..entSize], $"dynamic entry {i}");
            long tag = hdr.Is64 ? (long)Endian.U64(e, 0, big) : (int)Endian.U32(e, 0, big);
            ulong val = hdr.Is64 ? Endian.U64(e, 8, big) : Endian.U32(e, 4, big);
            if (tag == DT_NULL)
                break;
            entries.Add(new DynEntry(tag, val, at));
        }

        ulong? strtab = null, strsz = null, verneed = null, verneedNum = null;
        foreach (var d in entries)
        {
            switch (d.Tag)
            {
                case DT_STRTAB: strtab ??= d.Value; break;
                case DT_STRSZ: strsz ??= d.Value; break;
                case DT_FLAGS: DynamicFlags = d.Value; break;
                case DT_FLAGS_1: Flags1 = d.Value; break;
                case DT_VERNEED: verneed ??= d.Value; break;
                case DT_VERNEEDNUM: verneedNum ??= d.Value; break;
            }
        }

        long strOff = -1;
        ulong strSize = 0;
        if (strtab is { } sa)
        {
            strOff = MapAddress(src, loads, sa, "DT_STRTAB");
            strSize = strsz ?? (ulong)(src.Length - strOff);
            if (strSize > (ulong)(src.Length - strOff))
                throw src.Error($"string table (DT_STRSZ {strSize} bytes at 0x{strOff:x}) runs past the end of the {src.Length} byte file", strOff);
        }
        Layout = new DynamicLayout(big, hdr.Is64, dynOff, slots, entSize, entries, strOff, strSize, loads, hdr);

        string Str(ulong offset, string what)
        {
            if (strOff < 0)
                throw src.Error($"{what} refers to the string table but the dynamic section has no DT_STRTAB");
            if (offset >= strSize)
                throw src.Error($"{what} string offset {offset} is outside the {strSize} byte string table", strOff);
            return src.ReadCString(strOff + (long)offset, strOff + (long)strSize, what);
        }

        var needed = new List<string>();
        foreach (var d in entries)
        {
            switch (d.Tag)
            {
                case DT_NEEDED: needed.Add(Str(d.Value, "DT_NEEDED")); break;
                case DT_SONAME: SoName ??= Str(d.Value, "DT_SONAME"); break;
                case DT_RPATH: RPathString ??= Str(d.Value, "DT_RPATH"); break;
                case DT_RUNPATH: RunPathString ??= Str(d.Value, "DT_RUNPATH"); break;
            }
        }
        Needed = needed;

        if (verneed is { } va && va != 0)
            VersionNeeds = ReadVerneed(src, big, MapAddress(src, loads, va, "DT_VERNEED"), verneedNum, Str);
    }

    private static List<ElfVersionNeed> ReadVerneed(ByteSource src, bool big, long at, ulong? count, Func<ulong, string, string> str)
    {
        var result = new List<ElfVersionNeed>();
        var limit = (int)Math.Min(count ?? MaxVersionRecords, MaxVersionRecords);
        var total = 0;
        Span<byte> r = stackalloc byte[16];
        Span<byte> x = stackalloc byte[16];
        for (var i = 0; i < limit; i++)
        {
            src.Read(at, r, "Elf_Verneed record");
            var cnt = Endian.U16(r, 2, big);
            var file = str(Endian.U32(r, 4, big), "Elf_Verneed vn_file");
            var aux = Endian.U32(r, 8, big);
            var next = Endian.U32(r, 12, big);
            var versions = new List<string>(cnt);
            var a = at + aux;
            for (var j = 0; j < cnt; j++)
            {
                if (++total > MaxVersionRecords)
                    throw src.Error($"more than {MaxVersionRecords} Elf_Vernaux records: the version chain loops", a);
                src.Read(a, x, "Elf_Vernaux record");
                versions.Add(str(Endian.U32(x, 8, big), "Elf_Vernaux vna_name"));
                var vnext = Endian.U32(x, 12, big);
                if (vnext == 0)
                    break;
                a += vnext;
            }
            result.Add(new ElfVersionNeed(file, versions));
            if (next == 0)
                break;
            at += next;
        }
        return result;
    }

    /// <summary>Maps a virtual address to a file offset through the PT_LOAD segments (gABI "Program Loading").</summary>
    internal static long MapAddress(ByteSource src, IReadOnlyList<Segment> loads, ulong addr, string what)
    {
        foreach (var s in loads)
        {
            if (addr >= s.VAddr && addr - s.VAddr < s.FileSize)
            {
                var off = s.Offset + (addr - s.VAddr);
                if (off >= (ulong)src.Length)
                    throw src.Error($"{what} address 0x{addr:x} maps to file offset 0x{off:x}, past the end of the {src.Length} byte file");
                return (long)off;
            }
        }
        throw src.Error($"{what} address 0x{addr:x} is not inside any PT_LOAD segment's file image");
    }

    private static IReadOnlyList<string> Split(string? path) => path is null ? [] : path.Split(':');

    /// <summary>Parses a glibc symbol version name <c>GLIBC_2.2.5</c> into 2.2.5.</summary>
    /// <param name="name">A version name such as <c>GLIBC_2.34</c>.</param>
    /// <param name="version">The numeric version.</param>
    /// <returns>False for other names (<c>GLIBC_PRIVATE</c>, <c>ZLIB_1.2.0</c>).</returns>
    public static bool TryParseGlibcVersion(string name, out Version version)
    {
        version = new Version(0, 0);
        if (!name.StartsWith("GLIBC_", StringComparison.Ordinal))
            return false;
        var parts = name[6..].Split('.');
        if (parts.Length is < 2 or > 4)
            return false;
        var nums = new int[parts.Length];
        for (var i = 0; i < parts.Length; i++)
            if (!int.TryParse(parts[i], NumberStyles.None, CultureInfo.InvariantCulture, out nums[i]))
                return false;
        version = nums.Length switch
        {
            2 => new Version(nums[0], nums[1]),
            3 => new Version(nums[0], nums[1], nums[2]),
            _ => new Version(nums[0], nums[1], nums[2], nums[3]),
        };
        return true;
    }

    /// <summary>The GNU name of ELF machine <paramref name="machine"/> (<c>e_machine</c> values from the gABI
    /// and <c>elf.h</c>), e.g. 62 → <c>x86_64</c>, 183 → <c>aarch64</c>, 3 → <c>i386</c>, 40 → <c>arm</c>.</summary>
    /// <param name="machine">The <c>e_machine</c> value.</param>
    /// <param name="elfClass">The class, to tell ppc/ppc64 style pairs that share a number.</param>
    public static string GetMachineName(ushort machine, ElfClass elfClass) => machine switch
    {
        2 => "sparc",
        3 => "i386",
        8 => elfClass == ElfClass.Elf64 ? "mips64" : "mips",
        20 => "ppc",
        21 => "ppc64",
        22 => elfClass == ElfClass.Elf64 ? "s390x" : "s390",
        40 => "arm",
        43 => "sparc64",
        50 => "ia64",
        62 => "x86_64",
        183 => "aarch64",
        243 => elfClass == ElfClass.Elf64 ? "riscv64" : "riscv32",
        258 => "loongarch64",
        _ => "machine-" + machine.ToString(CultureInfo.InvariantCulture),
    };

    /// <summary>The .NET <see cref="System.Runtime.InteropServices.Architecture"/> of an ELF machine, or null.</summary>
    /// <param name="machine"><c>e_machine</c>.</param>
    /// <param name="elfClass">32/64-bit.</param>
    /// <param name="data">Byte order (ppc64 maps only when little-endian).</param>
    public static Architecture? GetArchitecture(ushort machine, ElfClass elfClass, ElfData data) => machine switch
    {
        3 => System.Runtime.InteropServices.Architecture.X86,
        62 => System.Runtime.InteropServices.Architecture.X64,
        40 => System.Runtime.InteropServices.Architecture.Arm,
        183 => System.Runtime.InteropServices.Architecture.Arm64,
        22 when elfClass == ElfClass.Elf64 => System.Runtime.InteropServices.Architecture.S390x,
        21 when data == ElfData.LittleEndian => System.Runtime.InteropServices.Architecture.Ppc64le,
        243 when elfClass == ElfClass.Elf64 => System.Runtime.InteropServices.Architecture.RiscV64,
        258 => System.Runtime.InteropServices.Architecture.LoongArch64,
        _ => null,
    };

    /// <inheritdoc />
    public override string ToString() =>
        $"{FileName}: ELF{(Class == ElfClass.Elf64 ? 64 : 32)} {MachineName} {Type}, needs [{string.Join(", ", Needed)}]";
}
