using System.Buffers.Binary;
using System.Formats.Tar;
using ZstdSharp;

namespace PyFreeze.Payload;

/// <summary>One independently decodable part of a payload: a zstd frame holding whole tar entries.</summary>
/// <param name="Offset">Where the frame starts, in bytes from the start of the payload.</param>
/// <param name="Length">Its compressed length in bytes.</param>
/// <param name="RawLength">The length of the tar bytes it decodes to.</param>
public readonly record struct PayloadFrame(long Offset, long Length, long RawLength);

/// <summary>
/// The payload's format (2): one tar archive (POSIX ustar with GNU long names, as <see cref="TarWriter"/> writes
/// <see cref="TarEntryFormat.Gnu"/>) compressed as a zstd stream (RFC 8878) that is cut, at entry boundaries, into
/// independent frames, so that the bootloader decodes them on several threads; a skippable frame (RFC 8878 §3.1.2) in
/// front holds the index of the others. Frame 0 holds every folder entry and nothing else, the last frame ends with
/// the tar end-of-archive blocks, so <c>zstd -dc PAYLOAD | tar -x</c> unpacks a payload with standard tools.
/// </summary>
/// <remarks>
/// Index frame, little-endian: <c>u32 0x184D2A5A</c> (a skippable-frame magic), <c>u32 size</c>, then
/// <c>"PYFZIDX1"</c>, <c>u32 count</c> and per frame <c>u64 offset, u64 length, u64 raw length</c>.
/// Entries are regular files (mode 0644 or 0755) and folders (0755), with names that pass
/// <see cref="PayloadLayout.IsSafeEntryName"/>; anything else (links, devices) is refused by the readers.
/// </remarks>
public static class PayloadFormat
{
    /// <summary>The skippable-frame magic number of the index (0x184D2A50–0x184D2A5F are skippable).</summary>
    public const uint IndexMagic = 0x184D2A5A;

    private static ReadOnlySpan<byte> IndexTag => "PYFZIDX1"u8;

    /// <summary>Bytes of the index frame before the frame records.</summary>
    private const int IndexHead = 8 + 8 + 4;

    /// <summary>Writes the index frame for <paramref name="frames"/> (whose offsets already count the index itself).</summary>
    /// <returns>The frame's bytes.</returns>
    public static byte[] WriteIndex(IReadOnlyList<PayloadFrame> frames)
    {
        var bytes = new byte[IndexLength(frames.Count)];
        var s = bytes.AsSpan();
        BinaryPrimitives.WriteUInt32LittleEndian(s, IndexMagic);
        BinaryPrimitives.WriteUInt32LittleEndian(s[4..], (uint)(bytes.Length - 8));
        IndexTag.CopyTo(s[8..]);
        BinaryPrimitives.WriteUInt32LittleEndian(s[16..], (uint)frames.Count);
        var at = IndexHead;
        foreach (var f in frames)
        {
            BinaryPrimitives.WriteInt64LittleEndian(s[at..], f.Offset);
            BinaryPrimitives.WriteInt64LittleEndian(s[(at + 8)..], f.Length);
            BinaryPrimitives.WriteInt64LittleEndian(s[(at + 16)..], f.RawLength);
            at += 24;
        }
        return bytes;
    }

    /// <summary>Length in bytes of the index frame of <paramref name="count"/> frames.</summary>
    public static int IndexLength(int count) => IndexHead + 24 * count;

    /// <summary>Reads the index at the start of a payload of <paramref name="payloadLength"/> bytes.</summary>
    /// <param name="read">Reads bytes at an offset from the payload's start into the span; returns how many were read.</param>
    /// <param name="payloadLength">The payload's length in bytes.</param>
    /// <returns>The frames, in payload order (frame 0: the folders).</returns>
    /// <exception cref="InvalidDataException">Not a format-2 payload, or an index that does not fit the payload.</exception>
    public static PayloadFrame[] ReadIndex(Func<long, Span<byte>, int> read, long payloadLength)
    {
        Span<byte> head = stackalloc byte[IndexHead];
        if (payloadLength < IndexHead || read(0, head) != IndexHead || BinaryPrimitives.ReadUInt32LittleEndian(head) != IndexMagic
            || !head[8..16].SequenceEqual(IndexTag))
            throw new InvalidDataException("the payload has no frame index");
        var count = BinaryPrimitives.ReadUInt32LittleEndian(head[16..]);
        if (count is 0 or > 1 << 16 || BinaryPrimitives.ReadUInt32LittleEndian(head[4..]) != IndexLength((int)count) - 8)
            throw new InvalidDataException("the payload's frame index is damaged");
        var records = new byte[24 * count];
        if (read(IndexHead, records) != records.Length)
            throw new InvalidDataException("the payload's frame index is truncated");
        var frames = new PayloadFrame[count];
        long expected = IndexLength((int)count);
        for (int i = 0; i < frames.Length; i++)
        {
            var r = records.AsSpan(24 * i);
            var f = new PayloadFrame(BinaryPrimitives.ReadInt64LittleEndian(r), BinaryPrimitives.ReadInt64LittleEndian(r[8..]),
                BinaryPrimitives.ReadInt64LittleEndian(r[16..]));
            if (f.Offset != expected || f.Length <= 0 || f.RawLength < 0 || f.Offset + f.Length > payloadLength)
                throw new InvalidDataException("the payload's frame index is damaged");
            expected = f.Offset + f.Length;
            frames[i] = f;
        }
        if (expected != payloadLength)
            throw new InvalidDataException("the payload's frame index is damaged");
        return frames;
    }

    /// <summary>Reads the entries of one frame in order, handing each regular file's data stream to <paramref name="file"/>
    /// (which must consume it before returning) and each folder's name to <paramref name="folder"/>.</summary>
    /// <param name="compressed">The frame's compressed bytes (a stream positioned at the frame's start, limited to it).</param>
    /// <param name="folder">Called with a folder's name (no trailing <c>/</c>).</param>
    /// <param name="file">Called with a file's name, size, whether it is executable and its data.</param>
    /// <exception cref="InvalidDataException">A damaged frame, an unsafe name or an entry that is neither file nor folder.</exception>
    public static void ReadFrame(Stream compressed, Action<string> folder, Action<string, long, bool, Stream> file)
    {
        using var zstd = new DecompressionStream(compressed, bufferSize: 1 << 17, checkEndOfStream: true, leaveOpen: true);
        try
        {
            // Only the last frame ends with the end-of-archive blocks; the others end at an entry boundary, where
            // TarReader would throw, so each frame reads as if the blocks followed it.
            using var tar = new TarReader(new EndMarked(zstd), leaveOpen: true);
            while (tar.GetNextEntry(copyData: false) is { } entry)
            {
                var name = entry.Name.TrimEnd('/');
                if (!PayloadLayout.IsSafeEntryName(name))
                    throw new InvalidDataException($"unsafe payload entry '{entry.Name}'");
                if (entry.EntryType == TarEntryType.Directory)
                    folder(name);
                else if (entry.EntryType is TarEntryType.RegularFile or TarEntryType.V7RegularFile)
                    file(name, entry.Length, ((int)entry.Mode & 0b001_001_001) != 0, entry.DataStream ?? Stream.Null);
                else
                    throw new InvalidDataException($"payload entry '{entry.Name}' is a {entry.EntryType}, not a file or folder");
            }
        }
        catch (ZstdException e)
        {
            throw new InvalidDataException($"a payload frame is damaged ({e.Message})", e);
        }
        catch (FormatException e)
        {
            throw new InvalidDataException($"a payload frame is damaged ({e.Message})", e);
        }
    }

    /// <summary>A frame's tar bytes followed by the two zero blocks that end a tar archive (POSIX ustar).</summary>
    private sealed class EndMarked(Stream inner) : Stream
    {
        private int _zeros = 1024;

        public override bool CanRead => true;
        public override bool CanSeek => false;
        public override bool CanWrite => false;
        public override long Length => throw new NotSupportedException();
        public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }
        public override int Read(byte[] buffer, int offset, int count) => Read(buffer.AsSpan(offset, count));

        public override int Read(Span<byte> buffer)
        {
            int n = inner.Read(buffer);
            if (n > 0 || buffer.Length == 0)
                return n;
            n = Math.Min(_zeros, buffer.Length);
            buffer[..n].Clear();
            _zeros -= n;
            return n;
        }

        public override void Flush() { }
        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
        public override void SetLength(long value) => throw new NotSupportedException();
        public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();
    }
}
