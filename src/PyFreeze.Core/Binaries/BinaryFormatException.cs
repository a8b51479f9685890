using PyFreeze.Diagnostics;

namespace PyFreeze.Binaries;

/// <summary>
/// A native binary (ELF, PE or Mach-O) or an <c>/etc/ld.so.cache</c> file is truncated or corrupt: a header,
/// table or string lies outside the file, a count or size is impossible, or a magic number is wrong.
/// Every reader in <c>PyFreeze.Binaries</c> throws this (and no other exception type) for bad bytes; I/O errors
/// of the underlying stream (<see cref="IOException"/>) pass through unchanged.
/// </summary>
/// <remarks>The message has the form <c>FILE: WHAT (at offset 0xN)</c>, e.g.
/// <c>_ssl.so: ELF program header table (56 × 11 bytes at 0x40) runs past the end of the 812 byte file</c>.</remarks>
public sealed class BinaryFormatException : PyFreezeException
{
    /// <summary>Creates the error.</summary>
    /// <param name="fileName">The file (path or display name) being read.</param>
    /// <param name="problem">What is wrong, one line.</param>
    /// <param name="offset">File offset in bytes where the problem was found, or null when not tied to one.</param>
    /// <param name="inner">An underlying exception, if any.</param>
    public BinaryFormatException(string fileName, string problem, long? offset = null, Exception? inner = null)
        : base(offset is { } o ? $"{fileName}: {problem} (at offset 0x{o:x})" : $"{fileName}: {problem}", 1, inner)
    {
        FileName = fileName;
        Problem = problem;
        Offset = offset;
    }

    /// <summary>The file being read, as given to the reader.</summary>
    public string FileName { get; }

    /// <summary>What is wrong, without the file name.</summary>
    public string Problem { get; }

    /// <summary>File offset in bytes of the problem, when known.</summary>
    public long? Offset { get; }
}
