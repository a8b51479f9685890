using PyFreeze.Diagnostics;
using PyFreeze.Payload;

namespace PyFreeze.Inspect;

/// <summary>
/// Reads the manifest of a bundle as Microsoft.NET.HostModel's Bundler writes it (<see cref="BundleManifest"/>), for a
/// single-file .NET host and the NativeAOT bootloader alike: finds the header-offset slot by its signature, then
/// parses the header. Works on ELF, PE and Mach-O hosts (the layout is the same).
/// </summary>
public sealed class BundleReader
{
    /// <summary>The bundle signature that follows the header-offset slot in every bundle host (the SHA-256 of ".net core bundle").</summary>
    public static ReadOnlySpan<byte> Signature => BundleManifest.Signature;

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
        var r = new BinaryReader(f, System.Text.Encoding.UTF8, leaveOpen: true);
        long header = r.ReadInt64();
        if (header == 0)
            throw new PyFreezeException($"{path}: a .NET host without a bundle, not a PyFreeze app");
        if (header < 0 || header >= f.Length)
            throw new PyFreezeException($"{path}: is truncated or damaged (the bundle header at {header} lies beyond its {f.Length} bytes)");
        var manifest = new byte[Math.Min(f.Length - header, 64L << 20)];
        f.Position = header;
        f.ReadExactly(manifest);
        try
        {
            var entries = BundleManifest.Parse(manifest, f.Length, out var id, out var version);
            return new BundleReader { MajorVersion = version.Major, MinorVersion = version.Minor, BundleId = id, HeaderOffset = header, Entries = entries, FileLength = f.Length };
        }
        catch (InvalidDataException e) when (e.InnerException is EndOfStreamException)
        {
            throw new PyFreezeException($"{path}: is truncated (its bundle manifest ends early)", 1, e);
        }
        catch (InvalidDataException e)
        {
            throw new PyFreezeException($"{path}: is truncated or damaged ({e.Message})", 1, e);
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
