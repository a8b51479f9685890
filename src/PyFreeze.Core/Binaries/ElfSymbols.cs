namespace PyFreeze.Binaries;

/// <summary>
/// The global symbols an ELF file defines, read from its symbol tables through the section header table (gABI
/// "Sections" and "Symbol Table"): every <c>SHT_DYNSYM</c> and <c>SHT_SYMTAB</c> section, with the string table its
/// <c>sh_link</c> names; a symbol counts when its binding is <c>STB_GLOBAL</c> or <c>STB_WEAK</c> and its section
/// index is not <c>SHN_UNDEF</c>. Used to learn which extension modules a CPython interpreter or libpython has built
/// in (each defines <c>PyInit_NAME</c>) without running it: a stripped binary keeps <c>.dynsym</c>, and CPython
/// exports its API from the executable (<c>-Xlinker -export-dynamic</c>) or from libpython.
/// </summary>
public static class ElfSymbols
{
    private const uint SHT_SYMTAB = 2, SHT_DYNSYM = 11;
    private const byte STB_GLOBAL = 1, STB_WEAK = 2;
    private const int MaxSymbols = 4_000_000;

    /// <summary>The defined global and weak symbol names of the ELF file at <paramref name="path"/>, each once, in
    /// table order (<c>.dynsym</c> before <c>.symtab</c> when both are present).</summary>
    /// <param name="path">An ELF file of any class, byte order and machine.</param>
    /// <exception cref="BinaryFormatException">Not ELF, or a section header, symbol or string lies outside the file.</exception>
    /// <exception cref="IOException">The file cannot be read.</exception>
    public static IReadOnlyList<string> Defined(string path)
    {
        using var fs = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, 1, FileOptions.RandomAccess);
        using var src = new ByteSource(fs, path);
        var elf = ElfFile.ReadHeaderOnly(src);
        var big = elf.Data == ElfData.BigEndian;
        var is64 = elf.Class == ElfClass.Elf64;
        Span<byte> h = stackalloc byte[64];
        src.Read(0, h[..(is64 ? 64 : 52)], "ELF header");
        var shoff = is64 ? Endian.U64(h, 40, big) : Endian.U32(h, 32, big);
        var shentsize = (int)Endian.U16(h, is64 ? 58 : 46, big);
        var shnum = (int)Endian.U16(h, is64 ? 60 : 48, big);
        if (shoff == 0 || shnum == 0)
            return [];
        if (shoff > (ulong)src.Length)
            throw src.Error($"section header table offset 0x{shoff:x} is past the end of the {src.Length} byte file");
        var minEntry = is64 ? 64 : 40;
        if (shentsize < minEntry)
            throw src.Error($"section header entry size {shentsize} is smaller than the {minEntry} bytes of an Elf{(is64 ? 64 : 32)}_Shdr");
        src.Check((long)shoff, (long)shentsize * shnum, $"ELF section header table ({shentsize} × {shnum} bytes)");

        var sections = new (uint Type, ulong Offset, ulong Size, uint Link, ulong EntSize)[shnum];
        Span<byte> sh = stackalloc byte[64];
        for (var i = 0; i < shnum; i++)
        {
            src.Read((long)shoff + (long)i * shentsize, sh[..minEntry], $"section header {i}");
            sections[i] = is64
                ? (Endian.U32(sh, 4, big), Endian.U64(sh, 24, big), Endian.U64(sh, 32, big), Endian.U32(sh, 40, big), Endian.U64(sh, 56, big))
                : (Endian.U32(sh, 4, big), Endian.U32(sh, 16, big), Endian.U32(sh, 20, big), Endian.U32(sh, 24, big), Endian.U32(sh, 36, big));
        }

        Span<byte> sym = stackalloc byte[24];
        var names = new List<string>();
        var seen = new HashSet<string>(StringComparer.Ordinal);
        foreach (var type in new[] { SHT_DYNSYM, SHT_SYMTAB })
        {
            for (var i = 0; i < shnum; i++)
            {
                var s = sections[i];
                if (s.Type != type || s.Size == 0)
                    continue;
                if (s.Link >= shnum)
                    throw src.Error($"symbol table section {i} links string table section {s.Link}, but there are {shnum} sections");
                var str = sections[s.Link];
                var symSize = is64 ? 24 : 16;
                var entSize = s.EntSize >= (ulong)symSize ? (long)s.EntSize : symSize;
                var count = (long)(s.Size / (ulong)entSize);
                if (count > MaxSymbols)
                    throw src.Error($"symbol table section {i} claims {count} symbols");
                src.Check((long)s.Offset, count * entSize, $"symbol table section {i}");
                src.Check((long)str.Offset, (long)str.Size, $"string table section {s.Link}");
                for (var k = 1; k < count; k++) // entry 0 is the reserved undefined symbol
                {
                    src.Read((long)s.Offset + k * entSize, sym[..symSize], "symbol");
                    uint nameOff = Endian.U32(sym, 0, big);
                    byte info = is64 ? sym[4] : sym[12];
                    ushort shndx = is64 ? Endian.U16(sym, 6, big) : Endian.U16(sym, 14, big);
                    var bind = (byte)(info >> 4);
                    if (shndx == 0 || bind is not (STB_GLOBAL or STB_WEAK) || nameOff == 0 || nameOff >= str.Size)
                        continue;
                    var name = src.ReadCString((long)str.Offset + nameOff, (long)(str.Offset + str.Size), "symbol name");
                    if (seen.Add(name))
                        names.Add(name);
                }
            }
        }
        return names;
    }
}
