namespace PyFreeze.Binaries;

/// <summary>
/// The loaders' candidate check, shared by the Linux, Windows and macOS resolvers: each path is opened and its headers
/// read once per resolver, and remembered with the reason it cannot be used (missing, unreadable, not a binary of the
/// format), since a dependency walk asks about the same candidates again and again.
/// </summary>
/// <typeparam name="T">The format's reader result (<see cref="ElfFile"/>, <see cref="PeFile"/>, <see cref="MachOFile"/>).</typeparam>
/// <param name="fs">The file system the loader sees.</param>
/// <param name="read">Reads a candidate's headers from its stream (its path given for messages); throws
/// <see cref="BinaryFormatException"/> for a file of another format or a damaged one.</param>
internal sealed class BinaryProbes<T>(ILoaderFileSystem fs, Func<Stream, string, T> read) where T : class
{
    private readonly Dictionary<string, Probe> _seen = new(StringComparer.Ordinal);

    /// <summary>What is known of one candidate path.</summary>
    /// <param name="Exists">The file exists.</param>
    /// <param name="File">Its headers, or null when it is missing or cannot be read as <typeparamref name="T"/>.</param>
    /// <param name="Error">Why it cannot be read (the format problem or I/O error), or null.</param>
    internal readonly record struct Probe(bool Exists, T? File, string? Error);

    /// <summary>The candidate at <paramref name="path"/>, read on first use.</summary>
    public Probe Get(string path)
    {
        if (_seen.TryGetValue(path, out var p))
            return p;
        p = Read(path);
        _seen[path] = p;
        return p;
    }

    private Probe Read(string path)
    {
        if (!fs.FileExists(path))
            return new Probe(false, null, null);
        try
        {
            using var s = fs.OpenRead(path);
            return new Probe(true, read(s, path), null);
        }
        catch (BinaryFormatException e)
        {
            return new Probe(true, null, e.Problem);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return new Probe(true, null, e.Message);
        }
    }
}
