using System.Buffers.Binary;
using System.Text;

namespace PyFreeze.Binaries;

/// <summary>
/// The external symbols a Mach-O image defines, read from its LC_SYMTAB (mach-o/loader.h, mach-o/nlist.h): the
/// <c>nlist_64</c> entries whose type is <c>N_SECT</c> with <c>N_EXT</c> set. Used to learn which extension modules
/// a CPython library has built in (each defines <c>_PyInit_NAME</c>) without running it.
/// </summary>
public static class MachOSymbols
{
    private const uint MH_MAGIC_64 = 0xfeedfacf, FAT_MAGIC = 0xcafebabe, LC_SYMTAB = 0x2;
    private const byte N_EXT = 0x01, N_TYPE = 0x0e, N_SECT = 0x0e, N_STAB = 0xe0;

    /// <summary>The defined external symbols of a 64-bit little-endian Mach-O file, or of its slice for
    /// <paramref name="cpuType"/> in a fat file; names as stored (with the leading underscore of C symbols).</summary>
    /// <param name="path">The file.</param>
    /// <param name="cpuType">The slice to read in a fat file (<see cref="MachOFile.CpuTypeArm64"/> …).</param>
    /// <returns>Symbol names in table order.</returns>
    /// <exception cref="BinaryFormatException">Not a 64-bit little-endian Mach-O (or no such slice), or the symbol
    /// table runs past the end of the file.</exception>
    public static IReadOnlyList<string> Defined(string path, int cpuType = MachOFile.CpuTypeArm64)
    {
        var bytes = File.ReadAllBytes(path);
        var span = (ReadOnlySpan<byte>)bytes;
        long offset = 0;
        if (span.Length >= 8 && BinaryPrimitives.ReadUInt32BigEndian(span) == FAT_MAGIC)
        {
            var n = BinaryPrimitives.ReadUInt32BigEndian(span[4..]);
            offset = -1;
            for (var i = 0; i < n && 8 + i * 20 + 20 <= span.Length; i++)
            {
                var at = span[(8 + i * 20)..];
                if ((int)BinaryPrimitives.ReadUInt32BigEndian(at) == cpuType)
                    offset = BinaryPrimitives.ReadUInt32BigEndian(at[8..]);
            }
            if (offset < 0)
                throw new BinaryFormatException(path, $"no slice for CPU type 0x{cpuType:x} in the fat file", 0);
        }
        if (offset + 32 > span.Length || BinaryPrimitives.ReadUInt32LittleEndian(span[(int)offset..]) != MH_MAGIC_64)
            throw new BinaryFormatException(path, "not a 64-bit little-endian Mach-O image", offset);
        var image = span[(int)offset..];
        var ncmds = BinaryPrimitives.ReadUInt32LittleEndian(image[16..]);
        var at32 = 32;
        var names = new List<string>();
        for (var c = 0; c < ncmds; c++)
        {
            if (at32 + 8 > image.Length)
                throw new BinaryFormatException(path, $"load command {c} runs past the end of the file", offset + at32);
            var cmd = BinaryPrimitives.ReadUInt32LittleEndian(image[at32..]);
            var size = (int)BinaryPrimitives.ReadUInt32LittleEndian(image[(at32 + 4)..]);
            if (size < 8)
                throw new BinaryFormatException(path, $"load command {c} has size {size}", offset + at32);
            if (cmd == LC_SYMTAB)
            {
                var symoff = BinaryPrimitives.ReadUInt32LittleEndian(image[(at32 + 8)..]);
                var nsyms = BinaryPrimitives.ReadUInt32LittleEndian(image[(at32 + 12)..]);
                var stroff = BinaryPrimitives.ReadUInt32LittleEndian(image[(at32 + 16)..]);
                var strsize = BinaryPrimitives.ReadUInt32LittleEndian(image[(at32 + 20)..]);
                if ((long)symoff + nsyms * 16L > image.Length || (long)stroff + strsize > image.Length)
                    throw new BinaryFormatException(path, "the symbol table runs past the end of the file", offset + at32);
                var strings = image.Slice((int)stroff, (int)strsize);
                for (var i = 0; i < nsyms; i++)
                {
                    var entry = image[(int)(symoff + i * 16)..];
                    var type = entry[4];
                    if ((type & N_STAB) != 0 || (type & N_EXT) == 0 || (type & N_TYPE) != N_SECT)
                        continue;
                    var strx = BinaryPrimitives.ReadUInt32LittleEndian(entry);
                    if (strx >= strings.Length)
                        continue;
                    var rest = strings[(int)strx..];
                    var end = rest.IndexOf((byte)0);
                    names.Add(Encoding.UTF8.GetString(end < 0 ? rest : rest[..end]));
                }
            }
            at32 += size;
        }
        return names;
    }
}
