using System.Buffers.Binary;
using System.Text;

namespace PyFreeze.Payload;

/// <summary>One file of a .NET bundle's manifest.</summary>
/// <param name="Offset">Offset of its bytes in the bundle file.</param>
/// <param name="Size">Size in bytes (uncompressed).</param>
/// <param name="CompressedSize">Size in the file when deflated, 0 when stored.</param>
/// <param name="Type">0 unknown, 1 assembly, 2 native binary, 3 deps.json, 4 runtimeconfig.json, 5 symbols.</param>
/// <param name="RelativePath">The bundle-relative path (<c>/</c>-separated).</param>
public sealed record BundleEntry(long Offset, long Size, long CompressedSize, byte Type, string RelativePath);

/// <summary>
/// The bundle format that Microsoft.NET.HostModel's <c>Bundler</c> writes (format 6; 2–6 are read), shared by the
/// single-file .NET host and the NativeAOT bootloader: the executable holds a 40-byte slot, 8 bytes for the header's
/// offset and then the fixed 32-byte <see cref="Signature"/> (the SHA-256 of ".net core bundle"), which
/// <c>HostWriter.SetAsBundle</c> finds and patches; the header holds the version, the file count, the bundle id,
/// the deps.json and runtimeconfig.json locations and flags, then one entry per file: offset, size, compressed size
/// (format 6), type and path, strings as .NET's BinaryWriter writes them (7-bit encoded length, UTF-8).
/// </summary>
public static class BundleManifest
{
    /// <summary>The bundle signature that follows the header-offset slot in every bundle host.</summary>
    public static ReadOnlySpan<byte> Signature =>
    [
        0x8b, 0x12, 0x02, 0xb9, 0x6a, 0x61, 0x20, 0x38, 0x72, 0x7b, 0x93, 0x02, 0x14, 0xd7, 0xa0, 0x32,
        0x13, 0xf5, 0xb9, 0xe6, 0xef, 0xae, 0x33, 0x18, 0xee, 0x3b, 0x2d, 0xce, 0x24, 0xb3, 0x6a, 0xae,
    ];

    /// <summary>Parses the header that starts <paramref name="data"/> (the bytes from the header offset on).</summary>
    /// <param name="data">The manifest's bytes (more may follow).</param>
    /// <param name="fileLength">The bundle file's length: every entry must lie inside it.</param>
    /// <param name="bundleId">The bundle id.</param>
    /// <param name="version">The format's major and minor version.</param>
    /// <returns>The entries in manifest order.</returns>
    /// <exception cref="InvalidDataException">Truncated (<see cref="EndOfStreamException"/> inside), of an unknown version, or
    /// with an entry outside the file; the message says which.</exception>
    public static List<BundleEntry> Parse(ReadOnlySpan<byte> data, long fileLength, out string bundleId, out (uint Major, uint Minor) version)
    {
        var r = new Reader(data);
        var major = r.U32();
        var minor = r.U32();
        version = (major, minor);
        if (major is < 2 or > 6)
            throw new InvalidDataException($"bundle format {major}.{minor} is not one PyFreeze writes (6)");
        var count = r.I32();
        if (count is < 0 or > 1_000_000)
            throw new InvalidDataException($"a bundle of {count} files is damaged");
        bundleId = r.String();
        r.Skip(8 * 4 + 8); // deps.json and runtimeconfig.json offset and size, flags
        var entries = new List<BundleEntry>(count);
        for (int i = 0; i < count; i++)
        {
            var offset = r.I64();
            var size = r.I64();
            var compressed = major >= 6 ? r.I64() : 0;
            var type = r.Byte();
            var path = r.String();
            if (offset < 0 || size < 0 || compressed < 0 || offset + (compressed != 0 ? compressed : size) > fileLength)
                throw new InvalidDataException($"{path} lies beyond the end of the file");
            entries.Add(new BundleEntry(offset, size, compressed, type, path));
        }
        return entries;
    }

    private ref struct Reader(ReadOnlySpan<byte> data)
    {
        private readonly ReadOnlySpan<byte> _data = data;
        private int _at;

        private ReadOnlySpan<byte> Take(int n)
        {
            if (n < 0 || _at + n > _data.Length)
                throw new InvalidDataException("the bundle manifest ends early", new EndOfStreamException());
            var s = _data.Slice(_at, n);
            _at += n;
            return s;
        }

        public void Skip(int n) => Take(n);
        public byte Byte() => Take(1)[0];
        public uint U32() => BinaryPrimitives.ReadUInt32LittleEndian(Take(4));
        public int I32() => BinaryPrimitives.ReadInt32LittleEndian(Take(4));
        public long I64() => BinaryPrimitives.ReadInt64LittleEndian(Take(8));

        public string String()
        {
            int length = 0;
            for (int shift = 0; ; shift += 7)
            {
                if (shift > 28)
                    throw new InvalidDataException("the bundle manifest is damaged (a bad string length)");
                var b = Byte();
                length |= (b & 0x7f) << shift;
                if ((b & 0x80) == 0)
                    break;
            }
            return Encoding.UTF8.GetString(Take(length));
        }
    }
}
