using System.Text;
using PyFreeze.Diagnostics;

namespace PyFreeze.Inspect;

/// <summary>One file of a .NET single-file bundle's manifest.</summary>
/// <param name="Offset">Offset of its bytes in the bundle file.</param>
/// <param name="Size">Size in bytes (uncompressed).</param>
/// <param name="CompressedSize">Size in the file when deflated, 0 when stored.</param>
/// <param name="Type">0 unknown, 1 assembly, 2 native binary, 3 deps.json, 4 runtimeconfig.json, 5 symbols.</param>
/// <param name="RelativePath">The bundle-relative path (<c>/</c>-separated).</param>
public sealed record BundleEntry(long Offset, long Size, long CompressedSize, byte Type, string RelativePath);

/// <summary>
/// Reads the manifest of a .NET single-file bundle (bundle format 6, as written by Microsoft.NET.HostModel's Bundler):
/// the host carries the header offset in an 8-byte slot right before a fixed 32-byte signature; the header holds the
/// version, file count, bundle id, deps/runtimeconfig locations and flags, then one entry per file. Works on ELF, PE
/// and Mach-O hosts alike (the layout is the same).
/// </summary>
public sealed class BundleReader
{
    /// <summary>The bundle signature that follows the header-offset slot in every single-file host (the SHA-256 of ".net core bundle").</summary>
    public static ReadOnlySpan<byte> Signature =>
    [
        0x8b, 0x12, 0x02, 0xb9, 0x6a, 0x61, 0x20, 0x38, 0x72, 0x7b, 0x93, 0x02, 0x14, 0xd7, 0xa0, 0x32,
        0x13, 0xf5, 0xb9, 0xe6, 0xef, 0xae, 0x33, 0x18, 0xee, 0x3b, 0x2d, 0xce, 0x24, 0xb3, 0x6a, 0xae,
    ];

    /// <summary>Bundle format major version.</summary>
    public uint MajorVersion { get; private init; }

    /// <summary>Bundle format minor version.</summary>
    public uint MinorVersion { get; private init; }

    /// <summary>The bundle id (a hash of its files).</summary>
    public string BundleId { get; private init; } = "";

    /// <summary>Offset of the header in the file.</summary>
    public long HeaderOffset { get; private init; }

    /// <summary>The files, in manifest order.</summary>
    public IReadOnlyList<BundleEntry> Entries { get; private init; } = [];

    /// <summary>Length of the file read.</summary>
    public long FileLength { get; private init; }

    /// <summary>Reads the manifest of <paramref name="path"/>.</summary>
    /// <exception cref="PyFreezeException">Not a single-file bundle, or truncated/damaged (the message says which).</exception>
    public static BundleReader Read(string path)
    {
        using var f = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite, 1 << 16);
        var slot = FindSignature(f);
        if (slot < 8)
            throw new PyFreezeException($"{path}: not a .NET single-file bundle, so not a PyFreeze app (no bundle signature)");
        f.Position = slot - 8;
        var r = new BinaryReader(f, Encoding.UTF8, leaveOpen: true);
        long header = r.ReadInt64();
        if (header == 0)
            throw new PyFreezeException($"{path}: a .NET host without a bundle, not a PyFreeze app");
        if (header < 0 || header >= f.Length)
            throw new PyFreezeException($"{path}: is truncated or damaged (the bundle header at {header} lies beyond its {f.Length} bytes)");
        try
        {
            f.Position = header;
            var major = r.ReadUInt32();
            var minor = r.ReadUInt32();
            if (major is < 2 or > 6)
                throw new PyFreezeException($"{path}: bundle format {major}.{minor} is not one PyFreeze writes (6)");
            var count = r.ReadInt32();
            if (count is < 0 or > 1_000_000)
                throw new PyFreezeException($"{path}: is damaged (a bundle of {count} files)");
            var id = r.ReadString();
            if (major >= 2)
            {
                r.ReadInt64(); r.ReadInt64(); // deps.json offset and size
                r.ReadInt64(); r.ReadInt64(); // runtimeconfig.json offset and size
                r.ReadUInt64(); // flags
            }
            var entries = new List<BundleEntry>(count);
            for (int i = 0; i < count; i++)
            {
                var offset = r.ReadInt64();
                var size = r.ReadInt64();
                var compressed = major >= 6 ? r.ReadInt64() : 0;
                var type = r.ReadByte();
                var rel = r.ReadString();
                if (offset < 0 || size < 0 || compressed < 0 || offset + (compressed != 0 ? compressed : size) > f.Length)
                    throw new PyFreezeException($"{path}: is truncated or damaged ({rel} lies beyond the end of the file)");
                entries.Add(new BundleEntry(offset, size, compressed, type, rel));
            }
            return new BundleReader { MajorVersion = major, MinorVersion = minor, BundleId = id, HeaderOffset = header, Entries = entries, FileLength = f.Length };
        }
        catch (EndOfStreamException e)
        {
            throw new PyFreezeException($"{path}: is truncated (its bundle manifest ends early)", 1, e);
        }
    }

    /// <summary>Reads an entry's bytes (inflating a compressed one).</summary>
    public static byte[] ReadEntry(string path, BundleEntry entry)
    {
        using var f = File.OpenRead(path);
        f.Position = entry.Offset;
        if (entry.CompressedSize == 0)
        {
            var data = new byte[entry.Size];
            f.ReadExactly(data);
            return data;
        }
        var packed = new byte[entry.CompressedSize];
        f.ReadExactly(packed);
        using var inflate = new System.IO.Compression.DeflateStream(new MemoryStream(packed), System.IO.Compression.CompressionMode.Decompress);
        var output = new byte[entry.Size];
        inflate.ReadExactly(output);
        return output;
    }

    /// <summary>Offset of the bundle signature in the file, or -1 (scans in 1 MiB windows with an overlap).</summary>
    private static long FindSignature(FileStream f)
    {
        var sig = Signature.ToArray();
        var buffer = new byte[1 << 20];
        long position = 0;
        f.Position = 0;
        while (true)
        {
            f.Position = position;
            int n = f.Read(buffer, 0, buffer.Length);
            if (n < sig.Length)
                return -1;
            var i = buffer.AsSpan(0, n).IndexOf(sig);
            if (i >= 0)
                return position + i;
            if (n < buffer.Length)
                return -1;
            position += n - sig.Length + 1;
        }
    }
}
