using System.Buffers.Binary;

namespace PyFreeze.Compile;

/// <summary>
/// The 16-byte header of a .pyc file (PEP 552; CPython's <c>Lib/importlib/_bootstrap_external.py</c>,
/// <c>_code_to_hash_pyc</c>): the 4-byte magic number (<c>importlib.util.MAGIC_NUMBER</c>: a little-endian 16-bit
/// number that changes with every bytecode change, then <c>\r\n</c>), a 32-bit little-endian flags word (bit 0: hash-based,
/// bit 1: check the source), then the 8-byte source hash (or mtime and size for a timestamp .pyc).
/// </summary>
public static class PycHeader
{
    /// <summary>Size of the header in bytes.</summary>
    public const int Size = 16;

    /// <summary>Checks that <paramref name="path"/> is an unchecked hash-based .pyc for the magic number
    /// <paramref name="magicHex"/> (8 hex digits, as the probe reports it).</summary>
    /// <returns>Null when it is; else what is wrong ("has magic number 0x…, the target's is …").</returns>
    /// <exception cref="IOException">The file cannot be read.</exception>
    public static string? Check(string path, string magicHex)
    {
        Span<byte> header = stackalloc byte[Size];
        using (var f = File.OpenRead(path))
        {
            if (f.ReadAtLeast(header, Size, throwOnEndOfStream: false) < Size)
                return $"is {f.Length} bytes, shorter than a .pyc header";
        }
        var magic = Convert.ToHexStringLower(header[..4]);
        if (!string.Equals(magic, magicHex, StringComparison.OrdinalIgnoreCase))
            return $"with magic number {magic} (bytecode {BinaryPrimitives.ReadUInt16LittleEndian(header[..2])}), but the target's importlib.util.MAGIC_NUMBER is {magicHex.ToLowerInvariant()}";
        var flags = BinaryPrimitives.ReadUInt32LittleEndian(header[4..8]);
        return flags == 0b01 ? null : $"with flags {flags} (PEP 552: 1 = unchecked hash-based, as PyFreeze writes)";
    }
}
