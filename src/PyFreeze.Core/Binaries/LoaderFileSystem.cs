namespace PyFreeze.Binaries;

/// <summary>
/// The file system a loader model searches: what the resolvers and the <see cref="DependencyWalker"/> see. Paths are
/// absolute and '/'-separated (POSIX style; the trees of other platforms are examined as extracted on the build
/// host). Implementations: <see cref="DiskFileSystem"/> for the real disk, <see cref="InMemoryFileSystem"/> for
/// tests and for runtime archives read into memory.
/// </summary>
public interface ILoaderFileSystem
{
    /// <summary>True when <paramref name="path"/> names a regular file, after following symbolic links.</summary>
    bool FileExists(string path);

    /// <summary>True when <paramref name="path"/> names a directory, after following symbolic links.</summary>
    bool DirectoryExists(string path);

    /// <summary>Opens the file (following symbolic links) for reading; the caller disposes the stream.</summary>
    /// <exception cref="FileNotFoundException">No such file.</exception>
    Stream OpenRead(string path);

    /// <summary>The target of <paramref name="path"/> when its last component is a symbolic link (as stored: may be
    /// relative to the link's directory), else null (also when it does not exist).</summary>
    string? ReadLink(string path);

    /// <summary>Names (not paths) of the entries of directory <paramref name="directory"/>; empty when it does not exist.</summary>
    IEnumerable<string> EnumerateNames(string directory);

    /// <summary>The canonical path with every symbolic link resolved (realpath(3)); components that do not exist
    /// are kept as written.</summary>
    /// <exception cref="IOException">More than 40 symbolic links on the way (a loop).</exception>
    string GetRealPath(string path) => PosixPath.RealPath(this, path);
}

/// <summary>'/'-separated path helpers with POSIX semantics, used for every platform's search logic.</summary>
public static class PosixPath
{
    /// <summary>Most symbolic links followed while resolving one path (Linux's MAXSYMLINKS is 40).</summary>
    public const int MaxSymlinks = 40;

    /// <summary>Joins <paramref name="directory"/> and <paramref name="name"/> with one '/' (trailing slashes of the
    /// directory are dropped, as ld.so's <c>fillin_rpath</c> does); an absolute <paramref name="name"/> wins.</summary>
    public static string Join(string directory, string name)
    {
        if (name.StartsWith('/') || directory.Length == 0)
            return name;
        var d = directory.TrimEnd('/');
        return d.Length == 0 ? "/" + name : d + "/" + name;
    }

    /// <summary>The directory part ("/" for a file in the root, "." for a bare name).</summary>
    public static string GetDirectory(string path)
    {
        var trimmed = path.Length > 1 ? path.TrimEnd('/') : path;
        var i = trimmed.LastIndexOf('/');
        return i < 0 ? "." : i == 0 ? "/" : trimmed[..i];
    }

    /// <summary>The last component.</summary>
    public static string GetFileName(string path)
    {
        var trimmed = path.Length > 1 ? path.TrimEnd('/') : path;
        var i = trimmed.LastIndexOf('/');
        return i < 0 ? trimmed : trimmed[(i + 1)..];
    }

    /// <summary>Collapses "//", "/./" and "dir/.." lexically (without looking at symbolic links).</summary>
    public static string Normalize(string path)
    {
        var abs = path.StartsWith('/');
        var parts = new List<string>();
        foreach (var c in path.Split('/'))
        {
            if (c.Length == 0 || c == ".") continue;
            if (c == ".." && parts.Count > 0 && parts[^1] != "..") { parts.RemoveAt(parts.Count - 1); continue; }
            if (c == ".." && abs) continue;
            parts.Add(c);
        }
        var joined = string.Join('/', parts);
        return abs ? "/" + joined : joined.Length == 0 ? "." : joined;
    }

    /// <summary>realpath(3) over <paramref name="fs"/>: resolves every symbolic link component by component, with
    /// ".." applied to the resolved prefix. Components that do not exist are kept.</summary>
    /// <exception cref="IOException">More than <see cref="MaxSymlinks"/> links followed.</exception>
    public static string RealPath(ILoaderFileSystem fs, string path)
    {
        ArgumentNullException.ThrowIfNull(fs);
        if (!path.StartsWith('/'))
            throw new ArgumentException($"{path}: an absolute path is needed", nameof(path));
        var resolved = new List<string>();
        var queue = new LinkedList<string>(path.Split('/').Where(c => c.Length > 0 && c != "."));
        var hops = 0;
        while (queue.Count > 0)
        {
            var c = queue.First!.Value;
            queue.RemoveFirst();
            if (c == "..")
            {
                if (resolved.Count > 0) resolved.RemoveAt(resolved.Count - 1);
                continue;
            }
            var candidate = "/" + string.Join('/', resolved.Append(c));
            var target = fs.ReadLink(candidate);
            if (target is null)
            {
                resolved.Add(c);
                continue;
            }
            if (++hops > MaxSymlinks)
                throw new IOException($"{path}: too many levels of symbolic links");
            if (target.StartsWith('/'))
                resolved.Clear();
            var parts = target.Split('/').Where(p => p.Length > 0 && p != ".").ToList();
            for (var i = parts.Count - 1; i >= 0; i--)
                queue.AddFirst(parts[i]);
        }
        return "/" + string.Join('/', resolved);
    }
}

/// <summary>The real disk, through System.IO.</summary>
public sealed class DiskFileSystem : ILoaderFileSystem
{
    /// <summary>A shared instance (the type has no state).</summary>
    public static DiskFileSystem Instance { get; } = new();

    /// <inheritdoc />
    public bool FileExists(string path) => File.Exists(path);

    /// <inheritdoc />
    public bool DirectoryExists(string path) => Directory.Exists(path);

    /// <inheritdoc />
    public Stream OpenRead(string path) =>
        new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, 1, FileOptions.RandomAccess);

    /// <inheritdoc />
    public string? ReadLink(string path)
    {
        try
        {
            return new FileInfo(path).LinkTarget;
        }
        catch (IOException)
        {
            return null;
        }
        catch (UnauthorizedAccessException)
        {
            return null;
        }
    }

    /// <inheritdoc />
    public IEnumerable<string> EnumerateNames(string directory)
    {
        if (!Directory.Exists(directory))
            return [];
        try
        {
            return Directory.EnumerateFileSystemEntries(directory).Select(Path.GetFileName).OfType<string>().ToList();
        }
        catch (UnauthorizedAccessException)
        {
            return [];
        }
    }

    /// <inheritdoc />
    public string GetRealPath(string path) =>
        OperatingSystem.IsWindows() ? Path.GetFullPath(path) : PosixPath.RealPath(this, Path.GetFullPath(path));
}

/// <summary>
/// A file tree held in memory: files (bytes), symbolic links and directories, with POSIX path semantics. Directories
/// are created implicitly by adding files. For tests of the resolvers and for runtime archives read into memory.
/// </summary>
public sealed class InMemoryFileSystem : ILoaderFileSystem
{
    private readonly Dictionary<string, byte[]> _files = new(StringComparer.Ordinal);
    private readonly Dictionary<string, string> _links = new(StringComparer.Ordinal);
    private readonly HashSet<string> _dirs = new(StringComparer.Ordinal) { "/" };

    /// <summary>Adds (or replaces) a file; its parent directories are created.</summary>
    /// <param name="path">Absolute path.</param>
    /// <param name="contents">The bytes (not copied).</param>
    /// <returns>This object, for chaining.</returns>
    public InMemoryFileSystem AddFile(string path, byte[] contents)
    {
        path = Canonical(path);
        AddParents(path);
        _links.Remove(path);
        _files[path] = contents;
        return this;
    }

    /// <summary>Adds a symbolic link at <paramref name="path"/> pointing to <paramref name="target"/> (absolute, or
    /// relative to the link's directory, as stored by symlink(2)).</summary>
    /// <returns>This object, for chaining.</returns>
    public InMemoryFileSystem AddSymlink(string path, string target)
    {
        path = Canonical(path);
        AddParents(path);
        _files.Remove(path);
        _links[path] = target;
        return this;
    }

    /// <summary>Adds an (empty) directory and its parents.</summary>
    /// <returns>This object, for chaining.</returns>
    public InMemoryFileSystem AddDirectory(string path)
    {
        path = Canonical(path);
        AddParents(path + "/x");
        return this;
    }

    private void AddParents(string path)
    {
        var dir = PosixPath.GetDirectory(path);
        while (dir != "/" && _dirs.Add(dir))
            dir = PosixPath.GetDirectory(dir);
    }

    private static string Canonical(string path)
    {
        if (!path.StartsWith('/'))
            throw new ArgumentException($"{path}: an absolute path is needed", nameof(path));
        return PosixPath.Normalize(path);
    }

    private string Resolve(string path) => PosixPath.RealPath(this, path);

    /// <inheritdoc />
    public string GetRealPath(string path) => Resolve(path);

    /// <inheritdoc />
    public bool FileExists(string path) => path.StartsWith('/') && _files.ContainsKey(Resolve(path));

    /// <inheritdoc />
    public bool DirectoryExists(string path) => path.StartsWith('/') && _dirs.Contains(Resolve(path));

    /// <inheritdoc />
    public Stream OpenRead(string path) =>
        path.StartsWith('/') && _files.TryGetValue(Resolve(path), out var bytes)
            ? new MemoryStream(bytes, writable: false)
            : throw new FileNotFoundException($"{path}: no such file", path);

    /// <inheritdoc />
    public string? ReadLink(string path)
    {
        if (!path.StartsWith('/'))
            return null;
        // Only the last component is examined; the parent is resolved first so links in the middle work.
        var dir = PosixPath.GetDirectory(PosixPath.Normalize(path));
        var name = PosixPath.GetFileName(path);
        var parent = dir == "/" ? "/" : Resolve(dir);
        return _links.GetValueOrDefault(PosixPath.Join(parent, name));
    }

    /// <inheritdoc />
    public IEnumerable<string> EnumerateNames(string directory)
    {
        if (!DirectoryExists(directory))
            return [];
        var dir = Resolve(directory);
        var prefix = dir == "/" ? "/" : dir + "/";
        return _files.Keys.Concat(_links.Keys).Concat(_dirs)
            .Where(p => p.Length > prefix.Length && p.StartsWith(prefix, StringComparison.Ordinal) && p.IndexOf('/', prefix.Length) < 0)
            .Select(p => p[prefix.Length..])
            .Distinct()
            .ToList();
    }
}
