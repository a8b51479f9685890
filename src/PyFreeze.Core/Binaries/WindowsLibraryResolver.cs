namespace PyFreeze.Binaries;

/// <summary>
/// Finds a DLL named in a PE import table among a given set of directories, for building Windows apps from any
/// host (the Windows runtime and packages extracted on the build machine). Models the search Python's extension
/// loading gets on Windows (<c>LoadLibraryExW</c> with <c>LOAD_LIBRARY_SEARCH_DLL_LOAD_DIR</c> |
/// <c>LOAD_LIBRARY_SEARCH_DEFAULT_DIRS</c>, Microsoft "Dynamic-link library search order"): first the directory of the
/// binary that imports the DLL, then the application's directories in order (the executable's directory, then
/// directories added with <c>os.add_dll_directory</c>). The system directories are not searched: DLLs found there
/// are decided by <see cref="SystemLibraryPolicy"/> before resolution.
/// </summary>
/// <remarks>Names are matched case-insensitively, as NTFS and the loader do, against the actual directory entries
/// (so a case-sensitive host file system finds <c>KERNEL32.dll</c> as <c>kernel32.dll</c>). A candidate for another
/// machine (an x86 DLL for an x64 requester) is skipped and the search goes on.</remarks>
/// <threadsafety>An instance caches what it learns about candidate files and is not thread-safe: use one per walk.</threadsafety>
public sealed class WindowsLibraryResolver
{
    private readonly ILoaderFileSystem _fs;
    private readonly IReadOnlyList<string> _appDirs;
    private readonly Dictionary<string, Dictionary<string, string>> _listings = new(StringComparer.Ordinal);
    private readonly BinaryProbes<PeFile> _probes;

    /// <summary>Creates a resolver.</summary>
    /// <param name="fs">The file system holding the extracted Windows tree.</param>
    /// <param name="applicationDirectories">The app's own directories in search order (absolute, '/'-separated).</param>
    public WindowsLibraryResolver(ILoaderFileSystem fs, IReadOnlyList<string> applicationDirectories)
    {
        _fs = fs ?? throw new ArgumentNullException(nameof(fs));
        _probes = new BinaryProbes<PeFile>(fs, PeFile.Read);
        _appDirs = applicationDirectories ?? throw new ArgumentNullException(nameof(applicationDirectories));
    }

    /// <summary>Resolves <paramref name="dllName"/> imported by <paramref name="requester"/>.</summary>
    /// <param name="dllName">The import name, e.g. <c>VCRUNTIME140.dll</c> or <c>python311.dll</c>. A name with a
    /// directory part ('\' or '/') is taken relative to the requester's directory.</param>
    /// <param name="requester">The importing binary (a PE file).</param>
    /// <returns>The path found (with the file's on-disk spelling) or null, with the candidates tried.</returns>
    /// <exception cref="ArgumentException"><paramref name="requester"/> is not a PE file.</exception>
    public LibraryResolution Resolve(string dllName, LoadedBinary requester)
    {
        ArgumentException.ThrowIfNullOrEmpty(dllName);
        ArgumentNullException.ThrowIfNull(requester);
        var pe = requester.Info.Pe ?? throw new ArgumentException($"{requester.Path}: not a PE file", nameof(requester));
        var attempts = new List<SearchAttempt>();
        var normalized = dllName.Replace('\\', '/');
        var dirs = new List<(string Dir, string Source)> { (requester.Directory, "directory of " + requester.Path) };
        foreach (var d in _appDirs)
            if (!dirs.Any(x => string.Equals(x.Dir, d.TrimEnd('/'), StringComparison.OrdinalIgnoreCase)))
                dirs.Add((d.TrimEnd('/'), "application directory"));
        foreach (var (dir, source) in dirs)
        {
            var full = PosixPath.Join(dir, normalized);
            var actual = FindCaseInsensitive(PosixPath.GetDirectory(full), PosixPath.GetFileName(full));
            if (actual is null)
            {
                attempts.Add(new SearchAttempt(full, source, SearchOutcome.NotFound));
                continue;
            }
            var (cand, error) = Probe(actual);
            if (cand is null)
            {
                attempts.Add(new SearchAttempt(actual, source, SearchOutcome.Invalid, error));
                continue;
            }
            if (cand.Machine != pe.Machine)
            {
                attempts.Add(new SearchAttempt(actual, source, SearchOutcome.WrongArchitecture, $"{cand.MachineName}, need {pe.MachineName}"));
                continue;
            }
            attempts.Add(new SearchAttempt(actual, source, SearchOutcome.Found));
            return new LibraryResolution(dllName, requester.Path, actual, attempts);
        }
        return new LibraryResolution(dllName, requester.Path, null, attempts);
    }

    private string? FindCaseInsensitive(string dir, string name)
    {
        if (!_listings.TryGetValue(dir, out var map))
        {
            map = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
            foreach (var n in _fs.EnumerateNames(dir))
                map.TryAdd(n, n);
            _listings[dir] = map;
        }
        return map.TryGetValue(name, out var actual) && _fs.FileExists(PosixPath.Join(dir, actual)) ? PosixPath.Join(dir, actual) : null;
    }

    private (PeFile? Pe, string? Error) Probe(string path) => _probes.Get(path) is var p && p.Exists ? (p.File, p.Error) : (null, "no such file");
}
