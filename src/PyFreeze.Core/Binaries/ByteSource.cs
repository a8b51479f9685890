using System.Buffers.Binary;
using System.Text;

namespace PyFreeze.Binaries;

/// <summary>
/// Bounds-checked random access to the bytes of a binary: every read is checked against the file length and
/// a bad one becomes a <see cref="BinaryFormatException"/>. Reads go through a small cache of 4 KiB pages so the
/// scattered small reads of a header parser cost one system call per page touched.
/// </summary>
internal sealed class ByteSource : IDisposable
{
    private const int PageSize = 4096;
    private const int MaxCachedPages = 256;

    private readonly Stream _stream;
    private readonly bool _ownsStream;
    private readonly long _base;
    private readonly Dictionary<long, byte[]> _pages = new();

    /// <summary>Wraps <paramref name="stream"/> (copied to memory when it cannot seek).</summary>
    /// <param name="stream">The file's bytes.</param>
    /// <param name="name">Name used in error messages.</param>
    /// <param name="ownsStream">Dispose the stream with this object.</param>
    public ByteSource(Stream stream, string name, bool ownsStream = false)
    {
        ArgumentNullException.ThrowIfNull(stream);
        Name = name;
        if (!stream.CanSeek)
        {
            var copy = new MemoryStream();
            stream.CopyTo(copy);
            copy.Position = 0;
            if (ownsStream)
                stream.Dispose();
            stream = copy;
            ownsStream = true;
        }
        _stream = stream;
        _ownsStream = ownsStream;
        _base = 0;
        Length = stream.Length;
    }

    private ByteSource(ByteSource parent, long offset, long length, string name)
    {
        _stream = parent._stream;
        _ownsStream = false;
        _base = parent._base + offset;
        Length = length;
        Name = name;
    }

    /// <summary>Display name of the file for error messages.</summary>
    public string Name { get; }

    /// <summary>Length in bytes of the readable range.</summary>
    public long Length { get; }

    /// <summary>A view of <paramref name="length"/> bytes at <paramref name="offset"/> (a slice of a fat Mach-O).</summary>
    public ByteSource Slice(long offset, long length, string what)
    {
        Check(offset, length, what);
        return new ByteSource(this, offset, length, Name);
    }

    /// <summary>A read-only stream over the readable range (for readers that take a stream: PEHeaders).</summary>
    public Stream AsStream() => new PyFreeze.Payload.RegionStream(_stream, _base, Length);

    /// <summary>Throws unless <c>[offset, offset+count)</c> lies inside the file.</summary>
    public void Check(long offset, long count, string what)
    {
        if (offset < 0 || count < 0 || offset > Length || count > Length - offset)
            throw new BinaryFormatException(Name,
                $"{what} ({count} bytes at 0x{offset:x}) runs past the end of the {Length} byte file", offset);
    }

    /// <summary>True when <c>[offset, offset+count)</c> lies inside the file.</summary>
    public bool Contains(long offset, long count) =>
        offset >= 0 && count >= 0 && offset <= Length && count <= Length - offset;

    /// <summary>Fills <paramref name="dest"/> with the bytes at <paramref name="offset"/>.</summary>
    public void Read(long offset, Span<byte> dest, string what)
    {
        Check(offset, dest.Length, what);
        var pos = offset + _base;
        var done = 0;
        while (done < dest.Length)
        {
            var page = GetPage(pos / PageSize, what, offset);
            var inPage = (int)(pos % PageSize);
            var n = Math.Min(page.Length - inPage, dest.Length - done);
            if (n <= 0)
                throw new BinaryFormatException(Name, $"{what}: file shrank while being read", offset);
            page.AsSpan(inPage, n).CopyTo(dest[done..]);
            done += n;
            pos += n;
        }
    }

    /// <summary>Reads <paramref name="count"/> bytes at <paramref name="offset"/>.</summary>
    public byte[] ReadBytes(long offset, int count, string what)
    {
        var buf = new byte[count];
        Read(offset, buf, what);
        return buf;
    }

    private byte[] GetPage(long index, string what, long offset)
    {
        if (_pages.TryGetValue(index, out var page))
            return page;
        if (_pages.Count >= MaxCachedPages)
            _pages.Clear();
        var start = index * PageSize;
        var len = (int)Math.Min(PageSize, _stream.Length - start);
        if (len <= 0)
            throw new BinaryFormatException(Name, $"{what}: file shrank while being read", offset);
        page = new byte[len];
        _stream.Position = start;
        _stream.ReadExactly(page);
        _pages[index] = page;
        return page;
    }

    /// <summary>Reads a NUL-terminated string at <paramref name="offset"/> that must end before <paramref name="limit"/>.</summary>
    /// <param name="offset">File offset of the first byte.</param>
    /// <param name="limit">File offset the string (with its NUL) may not pass, e.g. the end of the string table.</param>
    /// <param name="what">What the string is, for the error message.</param>
    /// <param name="encoding">Decoding (UTF-8 when null).</param>
    public string ReadCString(long offset, long limit, string what, Encoding? encoding = null)
    {
        limit = Math.Min(limit, Length);
        if (offset < 0 || offset >= limit)
            throw new BinaryFormatException(Name, $"{what} starts at 0x{offset:x}, outside its table (which ends at 0x{limit:x})", offset);
        var bytes = new List<byte>(64);
        Span<byte> chunk = stackalloc byte[128];
        var pos = offset;
        while (pos < limit)
        {
            var n = (int)Math.Min(chunk.Length, limit - pos);
            var span = chunk[..n];
            Read(pos, span, what);
            var nul = span.IndexOf((byte)0);
            if (nul >= 0)
            {
                foreach (var b in span[..nul]) bytes.Add(b);
                return (encoding ?? Encoding.UTF8).GetString(bytes.ToArray());
            }
            foreach (var b in span) bytes.Add(b);
            pos += n;
        }
        throw new BinaryFormatException(Name, $"{what} has no terminating NUL before 0x{limit:x}", offset);
    }

    /// <summary>Unsigned 8-bit value.</summary>
    public byte U8(long offset, string what)
    {
        Span<byte> b = stackalloc byte[1];
        Read(offset, b, what);
        return b[0];
    }

    /// <summary>Unsigned 16-bit value in the given byte order.</summary>
    public ushort U16(long offset, bool bigEndian, string what)
    {
        Span<byte> b = stackalloc byte[2];
        Read(offset, b, what);
        return bigEndian ? BinaryPrimitives.ReadUInt16BigEndian(b) : BinaryPrimitives.ReadUInt16LittleEndian(b);
    }

    /// <summary>Unsigned 32-bit value in the given byte order.</summary>
    public uint U32(long offset, bool bigEndian, string what)
    {
        Span<byte> b = stackalloc byte[4];
        Read(offset, b, what);
        return bigEndian ? BinaryPrimitives.ReadUInt32BigEndian(b) : BinaryPrimitives.ReadUInt32LittleEndian(b);
    }

    /// <summary>Unsigned 64-bit value in the given byte order.</summary>
    public ulong U64(long offset, bool bigEndian, string what)
    {
        Span<byte> b = stackalloc byte[8];
        Read(offset, b, what);
        return bigEndian ? BinaryPrimitives.ReadUInt64BigEndian(b) : BinaryPrimitives.ReadUInt64LittleEndian(b);
    }

    /// <summary>Throws a <see cref="BinaryFormatException"/> for this file.</summary>
    public BinaryFormatException Error(string problem, long? offset = null) => new(Name, problem, offset);

    /// <inheritdoc />
    public void Dispose()
    {
        if (_ownsStream)
            _stream.Dispose();
    }
}

/// <summary>Little helpers over spans in a chosen byte order.</summary>
internal static class Endian
{
    public static ushort U16(ReadOnlySpan<byte> b, int at, bool big) =>
        big ? BinaryPrimitives.ReadUInt16BigEndian(b[at..]) : BinaryPrimitives.ReadUInt16LittleEndian(b[at..]);

    public static uint U32(ReadOnlySpan<byte> b, int at, bool big) =>
        big ? BinaryPrimitives.ReadUInt32BigEndian(b[at..]) : BinaryPrimitives.ReadUInt32LittleEndian(b[at..]);

    public static ulong U64(ReadOnlySpan<byte> b, int at, bool big) =>
        big ? BinaryPrimitives.ReadUInt64BigEndian(b[at..]) : BinaryPrimitives.ReadUInt64LittleEndian(b[at..]);

    public static void W16(Span<byte> b, int at, ushort v, bool big)
    {
        if (big) BinaryPrimitives.WriteUInt16BigEndian(b[at..], v); else BinaryPrimitives.WriteUInt16LittleEndian(b[at..], v);
    }

    public static void W32(Span<byte> b, int at, uint v, bool big)
    {
        if (big) BinaryPrimitives.WriteUInt32BigEndian(b[at..], v); else BinaryPrimitives.WriteUInt32LittleEndian(b[at..], v);
    }

    public static void W64(Span<byte> b, int at, ulong v, bool big)
    {
        if (big) BinaryPrimitives.WriteUInt64BigEndian(b[at..], v); else BinaryPrimitives.WriteUInt64LittleEndian(b[at..], v);
    }
}
