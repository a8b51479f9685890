namespace PyFreeze.Payload;

/// <summary>A read-only, seekable window onto part of another stream: the payload inside the executable, read in place
/// by the bootloader and by <c>pyfreeze inspect</c>. Reads past <c>length</c> return 0; writing is not supported.</summary>
/// <param name="inner">A seekable stream (the executable file).</param>
/// <param name="offset">Where the window starts in <paramref name="inner"/>, in bytes.</param>
/// <param name="length">Its length in bytes.</param>
public sealed class RegionStream(Stream inner, long offset, long length) : Stream
{
    private long _position;

    /// <inheritdoc />
    public override bool CanRead => true;
    /// <inheritdoc />
    public override bool CanSeek => true;
    /// <inheritdoc />
    public override bool CanWrite => false;
    /// <inheritdoc />
    public override long Length => length;

    /// <inheritdoc />
    public override long Position
    {
        get => _position;
        set => _position = Math.Clamp(value, 0, length);
    }

    /// <inheritdoc />
    public override int Read(byte[] buffer, int off, int count) => Read(buffer.AsSpan(off, count));

    /// <inheritdoc />
    public override int Read(Span<byte> buffer)
    {
        long left = length - _position;
        if (left <= 0)
            return 0;
        if (buffer.Length > left)
            buffer = buffer[..(int)left];
        inner.Position = offset + _position;
        int n = inner.Read(buffer);
        _position += n;
        return n;
    }

    /// <inheritdoc />
    public override long Seek(long off, SeekOrigin origin) => Position = origin switch
    {
        SeekOrigin.Begin => off,
        SeekOrigin.Current => _position + off,
        _ => length + off,
    };

    /// <inheritdoc />
    public override void Flush() { }
    /// <inheritdoc />
    public override void SetLength(long value) => throw new NotSupportedException();
    /// <inheritdoc />
    public override void Write(byte[] buffer, int off, int count) => throw new NotSupportedException();
}
