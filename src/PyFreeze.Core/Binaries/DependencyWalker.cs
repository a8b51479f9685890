using System.Text;

namespace PyFreeze.Binaries;

/// <summary>Inputs of a <see cref="DependencyWalker"/> beyond the roots.</summary>
public sealed class DependencyWalkerOptions
{
    /// <summary>Linux loader inputs (LD_LIBRARY_PATH, ld.so.cache, default directories).</summary>
    public LinuxLoaderOptions Linux { get; init; } = new();

    /// <summary>Windows: the application's DLL directories in search order. Empty: the executable's directory, or
    /// when there is no executable, the directories of the roots.</summary>
    public IReadOnlyList<string> WindowsApplicationDirectories { get; init; } = [];

    /// <summary>macOS loader inputs (fallback directories, sysroot).</summary>
    public MacOSLoaderOptions MacOS { get; init; } = new();

    /// <summary>macOS: the slice of universal files to follow (<c>arm64</c>, <c>x86_64</c>). Null: the first slice of
    /// the first root.</summary>
    public string? Architecture { get; init; }

    /// <summary>Linux and Windows: the CPU every root must be built for (a cross build's target), or null to take the
    /// roots as they come. A root of another machine (an x86-64 extension module in an arm64 build) fails the walk;
    /// the libraries found for the roots already match them (the loader skips other machines' files).</summary>
    public System.Runtime.InteropServices.Architecture? RequiredArchitecture { get; init; }
}

/// <summary>A binary in the dependency closure.</summary>
public sealed class DependencyNode
{
    private readonly List<string> _names = [];
    private readonly List<string> _neededBy = [];

    internal DependencyNode(string path, string realPath, BinaryInfo info, bool isRoot, string bundleName, string? via, LoadedBinary loaded)
    {
        Path = path;
        RealPath = realPath;
        Info = info;
        IsRoot = isRoot;
        BundleName = bundleName;
        Via = via;
        Loaded = loaded;
    }

    /// <summary>The path where the loader model found it (e.g. <c>/usr/lib/x86_64-linux-gnu/libblas.so.3</c>).</summary>
    public string Path { get; }

    /// <summary><see cref="Path"/> with every symbolic link resolved: the file to copy
    /// (e.g. <c>/usr/lib/x86_64-linux-gnu/blas/libblas.so.3.11.0</c>).</summary>
    public string RealPath { get; }

    /// <summary>The file name to bundle it under, so the loader finds it by the name it asks for: Linux, the first
    /// DT_NEEDED name (<c>libblas.so.3</c>, not the real file's name); Windows, the DLL's file name; macOS, the leaf of
    /// the install name; a root keeps the file name of its path.</summary>
    public string BundleName { get; }

    /// <summary>Every name it was requested by, first one first (e.g. both <c>libfoo.so</c> and <c>libfoo.so.1</c>
    /// when two binaries name it differently: the collect stage should link the others to <see cref="BundleName"/>).</summary>
    public IReadOnlyList<string> RequestedNames => _names;

    /// <summary>Real paths of the binaries that need it, in discovery order.</summary>
    public IReadOnlyList<string> NeededBy => _neededBy;

    /// <summary>True for a root given to the walk (executable, libpython, extension module).</summary>
    public bool IsRoot { get; }

    /// <summary>Where the resolver found it (e.g. <c>RUNPATH of /x/bin/python3.11</c>, <c>ld.so.cache</c>); null for roots.</summary>
    public string? Via { get; }

    /// <summary>The parsed binary.</summary>
    public BinaryInfo Info { get; }

    /// <summary>The loader-model object (with its loading chain).</summary>
    public LoadedBinary Loaded { get; }

    internal void AddName(string name)
    {
        if (!_names.Contains(name))
            _names.Add(name);
    }

    internal void AddNeededBy(string path)
    {
        if (!_neededBy.Contains(path))
            _neededBy.Add(path);
    }

    /// <inheritdoc />
    public override string ToString() => $"{BundleName} <= {RealPath}";
}

/// <summary>A needed library left to the target system.</summary>
/// <param name="Name">The name as written by the first requester.</param>
/// <param name="Decision">The policy's answer, with the reason.</param>
/// <param name="NeededBy">Real paths of the binaries that need it.</param>
public sealed record ExcludedLibrary(string Name, SystemLibraryDecision Decision, IReadOnlyList<string> NeededBy);

/// <summary>A needed library that could not be found.</summary>
/// <param name="Name">The name as written.</param>
/// <param name="IsOptional">True when every requester can load without it (weak or delay-loaded).</param>
/// <param name="NeededBy">Real paths of the binaries that need it.</param>
/// <param name="Searches">The search made for each requester (requester as loaded, candidates tried).</param>
public sealed record UnresolvedLibrary(string Name, bool IsOptional, IReadOnlyList<string> NeededBy, IReadOnlyList<LibraryResolution> Searches);

/// <summary>The transitive closure of the roots' needed libraries.</summary>
public sealed class DependencyGraph
{
    internal DependencyGraph(TargetPlatform platform, List<DependencyNode> nodes, List<ExcludedLibrary> excluded, List<UnresolvedLibrary> unresolved)
    {
        Platform = platform;
        Nodes = nodes;
        Excluded = excluded;
        Unresolved = unresolved;
    }

    /// <summary>The platform walked for.</summary>
    public TargetPlatform Platform { get; }

    /// <summary>Every binary: the roots, then the libraries in breadth-first discovery order (the loader's order).</summary>
    public IReadOnlyList<DependencyNode> Nodes { get; }

    /// <summary>The libraries to bundle: <see cref="Nodes"/> that are not roots.</summary>
    public IReadOnlyList<DependencyNode> Libraries => Nodes.Where(n => !n.IsRoot).ToList();

    /// <summary>Needed libraries left to the system, with reasons.</summary>
    public IReadOnlyList<ExcludedLibrary> Excluded { get; }

    /// <summary>Needed libraries not found, with their searches.</summary>
    public IReadOnlyList<UnresolvedLibrary> Unresolved { get; }

    /// <summary>The highest GLIBC_x.y any ELF node needs, or null: the oldest glibc the bundle runs on.</summary>
    public Version? RequiredGlibcVersion => RequiredGlibcVersionBy?.Version;

    /// <summary>The node needing <see cref="RequiredGlibcVersion"/> and the version, or null.</summary>
    public (DependencyNode Node, Version Version)? RequiredGlibcVersionBy
    {
        get
        {
            (DependencyNode, Version)? best = null;
            foreach (var n in Nodes)
                if (n.Info.Elf?.RequiredGlibcVersion is { } v && (best is null || v > best.Value.Item2))
                    best = (n, v);
            return best;
        }
    }

    /// <summary>The node bundled under, or requested as, <paramref name="name"/> (case-insensitive on Windows), or null.</summary>
    public DependencyNode? Find(string name)
    {
        var cmp = Platform == TargetPlatform.Windows ? StringComparison.OrdinalIgnoreCase : StringComparison.Ordinal;
        return Nodes.FirstOrDefault(n => string.Equals(n.BundleName, name, cmp) || n.RequestedNames.Any(r => string.Equals(r, name, cmp)));
    }

    /// <summary>A report of the unresolved libraries with every search, for an error message; empty when none.</summary>
    public string ExplainUnresolved()
    {
        var sb = new StringBuilder();
        foreach (var u in Unresolved)
            foreach (var s in u.Searches)
                sb.AppendLine(s.Explain());
        return sb.ToString().TrimEnd();
    }
}

/// <summary>
/// Computes the libraries a set of root binaries (the interpreter, libpython, extension modules) need, transitively,
/// with the platform's loader model (<see cref="LinuxLibraryResolver"/>, <see cref="WindowsLibraryResolver"/>,
/// <see cref="MacOSLibraryResolver"/>), leaving out what the <see cref="SystemLibraryPolicy"/> leaves to the system
/// (and not looking into those).
/// </summary>
/// <remarks>
/// The walk is breadth-first in load order, like ld.so's. A name is resolved once: later requests for a name already
/// loaded (as a requested name, or Linux SONAME / Windows DLL file name / macOS install name) reuse it, as the
/// loaders do, and two names that resolve to the same real file become one node with several
/// <see cref="DependencyNode.RequestedNames"/>. The executable is loaded first; the other roots are treated as
/// loaded by it (Python dlopen()s extension modules), so on Linux they inherit its DT_RPATH.
/// </remarks>
public sealed class DependencyWalker
{
    private readonly ILoaderFileSystem _fs;
    private readonly SystemLibraryPolicy _policy;
    private readonly DependencyWalkerOptions _options;

    /// <summary>Creates a walker.</summary>
    /// <param name="fs">The file system holding the binaries.</param>
    /// <param name="policy">What is left to the system; its <see cref="SystemLibraryPolicy.Platform"/> picks the loader model.</param>
    /// <param name="options">Loader inputs; null for the defaults.</param>
    public DependencyWalker(ILoaderFileSystem fs, SystemLibraryPolicy policy, DependencyWalkerOptions? options = null)
    {
        _fs = fs ?? throw new ArgumentNullException(nameof(fs));
        _policy = policy ?? throw new ArgumentNullException(nameof(policy));
        _options = options ?? new DependencyWalkerOptions();
    }

    /// <summary>Walks the closure of <paramref name="roots"/>.</summary>
    /// <param name="roots">Absolute paths of the binaries to start from (libpython, extension modules …).</param>
    /// <param name="executable">The main program (walked first; its directory is <c>$ORIGIN</c>/<c>@executable_path</c>/
    /// the Windows application directory), or null.</param>
    /// <returns>The closure.</returns>
    /// <exception cref="BinaryFormatException">A root is not a binary of the policy's platform, or a binary is corrupt.</exception>
    /// <exception cref="FileNotFoundException">A root does not exist.</exception>
    public DependencyGraph Walk(IEnumerable<string> roots, string? executable = null)
    {
        ArgumentNullException.ThrowIfNull(roots);
        var platform = _policy.Platform;
        var nameComparer = platform == TargetPlatform.Windows ? StringComparer.OrdinalIgnoreCase : StringComparer.Ordinal;
        var nodes = new List<DependencyNode>();
        var byReal = new Dictionary<string, DependencyNode>(StringComparer.Ordinal);
        var byName = new Dictionary<string, DependencyNode>(nameComparer);
        var excluded = new Dictionary<string, (SystemLibraryDecision Decision, List<string> By)>(nameComparer);
        var unresolved = new Dictionary<string, (bool Optional, List<string> By, List<LibraryResolution> Searches)>(nameComparer);
        var queue = new Queue<DependencyNode>();
        var rootList = roots.Select(Absolute).ToList();
        var exePath = executable is null ? null : _fs.GetRealPath(Absolute(executable));
        var architecture = _options.Architecture;

        LinuxLibraryResolver? linux = platform == TargetPlatform.Linux ? new LinuxLibraryResolver(_fs, _options.Linux) : null;
        MacOSLibraryResolver? mac = platform == TargetPlatform.MacOS ? new MacOSLibraryResolver(_fs, _options.MacOS) : null;
        WindowsLibraryResolver? win = null;
        if (platform == TargetPlatform.Windows)
        {
            var dirs = _options.WindowsApplicationDirectories.Count > 0 ? _options.WindowsApplicationDirectories
                : exePath is not null ? [PosixPath.GetDirectory(exePath)]
                : rootList.Select(PosixPath.GetDirectory).Distinct().ToList();
            win = new WindowsLibraryResolver(_fs, dirs);
        }

        LoadedBinary? exe = null;
        void AddRoot(string path, bool isExe)
        {
            var real = _fs.GetRealPath(path);
            if (byReal.ContainsKey(real))
                return;
            var info = ReadBinary(path, ref architecture);
            var loaded = new LoadedBinary(isExe ? real : path, info, isExe ? null : exe);
            if (isExe)
                exe = loaded;
            var node = new DependencyNode(loaded.Path, real, info, true, PosixPath.GetFileName(path), null, loaded);
            Register(node, info.Name);
            if (platform == TargetPlatform.Windows)
                byName.TryAdd(PosixPath.GetFileName(path), node);
            nodes.Add(node);
            queue.Enqueue(node);
        }

        void Register(DependencyNode node, string? ownName)
        {
            byReal[node.RealPath] = node;
            if (ownName is not null)
                byName.TryAdd(ownName, node);
        }

        if (exePath is not null)
            AddRoot(exePath, true);
        foreach (var r in rootList)
            AddRoot(r, false);

        while (queue.Count > 0)
        {
            var cur = queue.Dequeue();
            foreach (var needed in cur.Info.Needed)
            {
                var name = needed.Name;
                var decision = _policy.Decide(name);
                if (decision.IsSystem)
                {
                    if (!excluded.TryGetValue(name, out var ex))
                        excluded[name] = ex = (decision, []);
                    if (!ex.By.Contains(cur.RealPath))
                        ex.By.Add(cur.RealPath);
                    continue;
                }
                if (byName.TryGetValue(name, out var known))
                {
                    known.AddName(name);
                    known.AddNeededBy(cur.RealPath);
                    continue;
                }
                var res = platform switch
                {
                    TargetPlatform.Linux => linux!.Resolve(name, cur.Loaded, exe),
                    TargetPlatform.Windows => win!.Resolve(name, cur.Loaded),
                    _ => mac!.Resolve(name, cur.Loaded, exe),
                };
                if (res.Path is null)
                {
                    if (!unresolved.TryGetValue(name, out var un))
                        un = (true, [], []);
                    unresolved[name] = (un.Optional && needed.IsOptional, un.By, un.Searches);
                    if (!un.By.Contains(cur.RealPath))
                        un.By.Add(cur.RealPath);
                    un.Searches.Add(res);
                    continue;
                }
                var real = _fs.GetRealPath(res.Path);
                if (byReal.TryGetValue(real, out var same))
                {
                    same.AddName(name);
                    same.AddNeededBy(cur.RealPath);
                    byName.TryAdd(name, same);
                    continue;
                }
                var info = ReadBinary(res.Path, ref architecture);
                var loaded = new LoadedBinary(res.Path, info, cur.Loaded);
                var bundleName = platform switch
                {
                    TargetPlatform.Windows => PosixPath.GetFileName(res.Path),
                    TargetPlatform.MacOS => PosixPath.GetFileName(name),
                    _ => PosixPath.GetFileName(name),
                };
                var node = new DependencyNode(res.Path, real, info, false, bundleName, res.Source, loaded);
                node.AddName(name);
                node.AddNeededBy(cur.RealPath);
                byName[name] = node;
                Register(node, info.Name);
                if (platform == TargetPlatform.Windows)
                    byName.TryAdd(bundleName, node);
                nodes.Add(node);
                queue.Enqueue(node);
            }
        }

        // Names first met as excluded stay excluded; names resolved later by another requester are not unresolved.
        var unresolvedList = unresolved
            .Where(kv => !byName.ContainsKey(kv.Key))
            .Select(kv => new UnresolvedLibrary(kv.Key, kv.Value.Optional, kv.Value.By, kv.Value.Searches))
            .ToList();
        var excludedList = excluded.Select(kv => new ExcludedLibrary(kv.Key, kv.Value.Decision, kv.Value.By)).ToList();
        return new DependencyGraph(platform, nodes, excludedList, unresolvedList);
    }

    private string Absolute(string path) =>
        path.StartsWith('/') || _fs is not DiskFileSystem ? path : Path.GetFullPath(path);

    private BinaryInfo ReadBinary(string path, ref string? architecture)
    {
        using var s = _fs.OpenRead(path);
        var info = BinaryInspector.Read(s, path, _policy.Platform == TargetPlatform.MacOS ? architecture : null)
            ?? throw new BinaryFormatException(path, $"not a native binary; a {_policy.Platform} build needs {Expected()} files");
        var ok = _policy.Platform switch
        {
            TargetPlatform.Linux => info.Format == BinaryFormat.Elf,
            TargetPlatform.Windows => info.Format == BinaryFormat.Pe,
            _ => info.Format == BinaryFormat.MachO,
        };
        if (!ok)
            throw new BinaryFormatException(path, $"is {info.Format}, but a {_policy.Platform} build needs {Expected()} files");
        if (_options.RequiredArchitecture is { } arch && _policy.Platform != TargetPlatform.MacOS && info.Architecture != arch)
            throw new BinaryFormatException(path, $"is {info.Format} {info.MachineName}, but the build targets {arch.ToString().ToLowerInvariant()}");
        if (_policy.Platform == TargetPlatform.MacOS)
            architecture ??= info.MachineName;
        return info;
    }

    private string Expected() => _policy.Platform switch
    {
        TargetPlatform.Linux => "ELF",
        TargetPlatform.Windows => "PE",
        _ => "Mach-O",
    };
}
