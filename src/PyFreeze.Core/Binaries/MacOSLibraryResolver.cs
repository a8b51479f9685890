namespace PyFreeze.Binaries;

/// <summary>Inputs of the macOS loader model that are not in the binaries.</summary>
public sealed class MacOSLoaderOptions
{
    /// <summary>Directories tried with the leaf name when an install name is not found where it says
    /// (<c>DYLD_FALLBACK_LIBRARY_PATH</c>). Default: none (dyld's own default, /usr/local/lib and /usr/lib, is the
    /// target's system, decided by <see cref="SystemLibraryPolicy"/>).</summary>
    public IReadOnlyList<string> FallbackDirectories { get; init; } = [];

    /// <summary>A directory that absolute install names are looked up under (an extracted macOS runtime:
    /// <c>/Library/Frameworks/Python.framework/…</c> → <c>SYSROOT/Library/Frameworks/…</c>). Null: as written.</summary>
    public string? Sysroot { get; init; }

    /// <summary>The directory relative install names are taken against (dyld uses the working directory).
    /// Null: <see cref="Environment.CurrentDirectory"/>.</summary>
    public string? WorkingDirectory { get; init; }
}

/// <summary>
/// Resolves Mach-O install names as dyld does (dyld(1) "DYNAMIC LIBRARY LOADING"; Apple's dyld
/// <c>Loader::forEachPath</c>), over an <see cref="ILoaderFileSystem"/> so macOS apps can be built from any host:
/// <list type="bullet">
/// <item><c>@executable_path/</c> is the main executable's directory; <c>@loader_path/</c> the directory of the binary
/// holding the load command.</item>
/// <item><c>@rpath/</c> is tried against each LC_RPATH of the requester, then of the image that loaded it, and so on
/// up to the main executable (each LC_RPATH may itself start with <c>@loader_path</c>, meaning the directory of the
/// image that holds that LC_RPATH, or <c>@executable_path</c>).</item>
/// <item>Any other path is used as written (under <see cref="MacOSLoaderOptions.Sysroot"/> when absolute and one is
/// set), then the leaf name in the fallback directories.</item>
/// </list>
/// A candidate without a slice for the requester's cputype is skipped and the search goes on.
/// </summary>
/// <threadsafety>An instance caches what it learns about candidate files and is not thread-safe: use one per walk.</threadsafety>
public sealed class MacOSLibraryResolver
{
    private readonly ILoaderFileSystem _fs;
    private readonly MacOSLoaderOptions _options;
    private readonly BinaryProbes<MachOFile> _probes;

    /// <summary>Creates a resolver.</summary>
    /// <param name="fs">The file system holding the macOS tree.</param>
    /// <param name="options">Fallback directories and sysroot; null for none.</param>
    public MacOSLibraryResolver(ILoaderFileSystem fs, MacOSLoaderOptions? options = null)
    {
        _fs = fs ?? throw new ArgumentNullException(nameof(fs));
        _probes = new BinaryProbes<MachOFile>(fs, MachOFile.Read);
        _options = options ?? new MacOSLoaderOptions();
    }

    /// <summary>Resolves <paramref name="installName"/> named by a load command of <paramref name="requester"/>.</summary>
    /// <param name="installName">e.g. <c>@rpath/libssl.3.dylib</c>, <c>@loader_path/../lib/libz.dylib</c>.</param>
    /// <param name="requester">The image with the load command (Mach-O; its <see cref="BinaryInfo.MachOImage"/> is the
    /// slice being resolved), with its loading chain.</param>
    /// <param name="executable">The main executable; null = the top of the requester's chain.</param>
    /// <returns>The path found or null, with every candidate tried.</returns>
    /// <exception cref="ArgumentException"><paramref name="requester"/> is not Mach-O.</exception>
    public LibraryResolution Resolve(string installName, LoadedBinary requester, LoadedBinary? executable = null)
    {
        ArgumentException.ThrowIfNullOrEmpty(installName);
        ArgumentNullException.ThrowIfNull(requester);
        var image = requester.Info.MachOImage ?? throw new ArgumentException($"{requester.Path}: not a Mach-O file", nameof(requester));
        var exe = executable ?? requester.Chain.Last();
        var attempts = new List<SearchAttempt>();

        LibraryResolution Done(string? p) => new(installName, requester.Path, p, attempts);

        bool Try(string path, string source)
        {
            path = PosixPath.Normalize(path);
            if (!_fs.FileExists(path))
            {
                attempts.Add(new SearchAttempt(path, source, SearchOutcome.NotFound));
                return false;
            }
            var (file, error) = Probe(path);
            if (file is null)
            {
                attempts.Add(new SearchAttempt(path, source, SearchOutcome.Invalid, error));
                return false;
            }
            if (file.Select(image.CpuType) is null)
            {
                attempts.Add(new SearchAttempt(path, source, SearchOutcome.WrongArchitecture,
                    $"has {string.Join(", ", file.Images.Select(i => i.ArchitectureName))}, need {image.ArchitectureName}"));
                return false;
            }
            attempts.Add(new SearchAttempt(path, source, SearchOutcome.Found));
            return true;
        }

        string? candidate;
        if (installName.StartsWith("@rpath/", StringComparison.Ordinal))
        {
            var rest = installName["@rpath/".Length..];
            var chain = requester.Chain.ToList();
            if (!chain.Contains(exe))
                chain.Add(exe);
            foreach (var l in chain)
            {
                foreach (var rp in l.Info.MachOImage?.RPaths ?? [])
                {
                    var dir = ExpandPrefix(rp, l, exe);
                    if (dir is null)
                        continue;
                    var path = PosixPath.Join(dir, rest);
                    if (Try(path, $"LC_RPATH '{rp}' of {l.Path}"))
                        return Done(PosixPath.Normalize(path));
                }
            }
            candidate = null;
        }
        else if (installName.StartsWith("@executable_path/", StringComparison.Ordinal) || installName.StartsWith("@loader_path/", StringComparison.Ordinal))
        {
            candidate = ExpandPrefix(installName, requester, exe);
            if (candidate is not null && Try(candidate, installName.StartsWith("@e", StringComparison.Ordinal) ? "@executable_path" : "@loader_path"))
                return Done(PosixPath.Normalize(candidate));
        }
        else
        {
            candidate = installName.StartsWith('/')
                ? (_options.Sysroot is { } root ? PosixPath.Join(root, installName.TrimStart('/')) : installName)
                : PosixPath.Join(_options.WorkingDirectory ?? Environment.CurrentDirectory, installName);
            if (Try(candidate, _options.Sysroot is not null && installName.StartsWith('/') ? "install name under sysroot" : "install name"))
                return Done(PosixPath.Normalize(candidate));
        }

        var leaf = PosixPath.GetFileName(installName);
        foreach (var dir in _options.FallbackDirectories)
        {
            var path = PosixPath.Join(dir, leaf);
            if (Try(path, "fallback directory"))
                return Done(PosixPath.Normalize(path));
        }
        return Done(null);
    }

    /// <summary>Expands a leading <c>@loader_path</c> (directory of <paramref name="owner"/>) or
    /// <c>@executable_path</c>; returns other paths unchanged, or null for an unknown <c>@</c> prefix
    /// (including <c>@rpath</c> inside an LC_RPATH, which dyld does not expand).</summary>
    private static string? ExpandPrefix(string path, LoadedBinary owner, LoadedBinary exe)
    {
        if (path == "@loader_path" || path.StartsWith("@loader_path/", StringComparison.Ordinal))
            return owner.Directory + path["@loader_path".Length..];
        if (path == "@executable_path" || path.StartsWith("@executable_path/", StringComparison.Ordinal))
            return exe.Directory + path["@executable_path".Length..];
        return path.StartsWith('@') ? null : path;
    }

    private (MachOFile? File, string? Error) Probe(string path) => _probes.Get(path) is var p && p.Exists ? (p.File, p.Error) : (null, "no such file");
}
