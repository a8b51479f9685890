namespace PyFreeze.Analyze;

/// <summary>
/// Collects imported packages whole: every submodule of a package the app reaches, whatever its name (a numbered
/// migration <c>0001_initial.py</c>, a <c>test.py</c> management command), so plugin discovery
/// (<c>pkgutil.iter_modules</c>), computed <c>importlib.import_module</c> names and lazy loaders work frozen.
/// Submodules are found like <c>pkgutil.iter_modules</c> finds them (Lib/pkgutil.py, <c>_iter_file_finder_modules</c>):
/// files with a loader suffix and folders with an <c>__init__</c>, any name without a dot. The test-folder rule leaves
/// out subpackages named <c>tests</c> or <c>test</c> that nothing imports (recorded in <see cref="AnalysisResult.LeftOut"/>).
/// </summary>
public sealed class PackageExpander : IGraphExpander
{
    private readonly HashSet<string> _done = new(StringComparer.Ordinal);

    /// <summary>Top-level packages never expanded (the stdlib's own regression tests).</summary>
    public static readonly IReadOnlySet<string> NeverExpanded = new HashSet<string>(StringComparer.Ordinal) { "test", "tests", "idlelib", "lib2to3", "turtledemo" };

    /// <summary>Packages (with their submodules) that are not expanded, from hooks and <c>--exclude-module</c>.</summary>
    public HashSet<string> Skip { get; } = new(StringComparer.Ordinal);

    /// <summary>Packages expanded whatever their hooks say (<c>--collect-submodules</c>), with their subpackages.</summary>
    public HashSet<string> Force { get; } = new(StringComparer.Ordinal);

    private bool Forced(string name) => Force.Any(f => name == f || name.StartsWith(f + ".", StringComparison.Ordinal));

    private bool _onlyForced;

    /// <summary>Makes this expander expand only the <see cref="Force"/>d packages (for <c>--no-whole-packages</c>).</summary>
    public PackageExpander OnlyForced()
    {
        _onlyForced = true;
        return this;
    }

    /// <summary>True for a file or folder beside the entry script that <see cref="AppModulesExpander"/> leaves out: the app's
    /// own test packages and test modules (inside a collected package only <see cref="IsTestFolder"/> applies).</summary>
    public static bool IsTestName(string last) =>
        last is "tests" or "test" or "conftest" || last.StartsWith("test_", StringComparison.Ordinal);

    /// <inheritdoc />
    public IEnumerable<(string Importer, string Module)> Expand(ModuleGraph graph, Analyzer analyzer)
    {
        var result = new List<(string, string)>();
        // A package whose __init__ is an extension module (mypyc compiles mypy's) is a package too.
        foreach (var node in graph.Modules.Where(m => m.Kind is ModuleKind.Package || (m.Kind == ModuleKind.Extension && m.IsPackage)).ToList())
        {
            if (!_done.Add(node.Name))
                continue;
            if (NeverExpanded.Contains(node.TopLevel) || Skipped(node.Name) || analyzer.Excluded(node.Name))
                continue;
            if ((_onlyForced || analyzer.Hooks.For(node.TopLevel)?.CollectSubmodules == false) && !Forced(node.Name))
                continue;
            // Whole packages are those the app imports: the package itself or its top-level package is reached.
            if (!node.Reached && graph.Find(node.TopLevel)?.Reached != true)
            {
                _done.Remove(node.Name); // it may be reached later
                continue;
            }
            // --collect-submodules/--collect-all restore anything: test folders too
            var tests = TestFolders(node, analyzer.Finder).ToList();
            foreach (var sub in Forced(node.Name) ? Submodules(node, analyzer.Finder).Concat(tests) : Submodules(node, analyzer.Finder))
            {
                var full = node.Name + "." + sub;
                if (!graph.Contains(full) && !analyzer.Excluded(full) && !Skipped(full) && !analyzer.Hooks.IsExcludedImport(node.Name, full))
                    result.Add((node.Name, full));
            }
            foreach (var test in Forced(node.Name) ? [] : tests)
                analyzer.LeaveOut(new LeftOutModule(node.Name + "." + test, "test-folder",
                    $"a test package or pytest conftest inside {node.Name} that nothing imports (folders named tests or test and conftest modules are left out; add it with --hidden-import or --collect-submodules)",
                    node.Name));
        }
        return result;
    }

    private bool Skipped(string name)
    {
        foreach (var s in Skip)
            if (name == s || name.StartsWith(s + ".", StringComparison.Ordinal))
                return true;
        return false;
    }

    /// <summary>The importable names directly below a package, as <c>pkgutil.iter_modules(pkg.__path__)</c> lists them
    /// (any name without a dot: <c>0001_initial</c>, <c>test</c>), test folders (<see cref="IsTestFolder"/>) left out.</summary>
    public static IEnumerable<string> Submodules(ModuleNode package, PathFinder finder) =>
        Below(package, finder).Where(n => !IsTestEntry(n.Name, n.Folder)).Select(n => n.Name).Distinct();

    /// <summary>The subpackages and modules below a package that the test-folder rule leaves out when nothing imports
    /// them (<see cref="IsTestEntry"/>).</summary>
    public static IEnumerable<string> TestFolders(ModuleNode package, PathFinder finder) =>
        Below(package, finder).Where(n => IsTestEntry(n.Name, n.Folder)).Select(n => n.Name).Distinct();

    /// <summary>True for what the test-folder rule leaves out of a collected package: a folder named <c>tests</c> or
    /// <c>test</c>, and a <c>conftest</c> module (pytest's per-folder plugin file, which pytest loads by path and the
    /// package's own code never imports: networkx ships one that imports pytest).</summary>
    public static bool IsTestEntry(string name, bool folder) => folder ? IsTestFolder(name) : name == "conftest";

    /// <summary>True for a folder the test-folder rule leaves out: <c>tests</c> or <c>test</c>.</summary>
    public static bool IsTestFolder(string name) => name is "tests" or "test";

    private static SortedSet<(string Name, bool Folder)> Below(ModuleNode package, PathFinder finder)
    {
        var names = new SortedSet<(string, bool)>();
        foreach (var dir in package.SearchLocations)
        {
            foreach (var file in finder.FilesIn(dir))
            {
                foreach (var (suffix, _) in finder.Loaders)
                {
                    if (!file.EndsWith(suffix, StringComparison.Ordinal))
                        continue;
                    var stem = file[..^suffix.Length];
                    if (stem != "__init__" && IsModuleName(stem))
                        names.Add((stem, false));
                    break;
                }
            }
            foreach (var sub in finder.DirsIn(dir))
            {
                if (!IsModuleName(sub))
                    continue;
                var subDir = Path.Combine(dir, sub);
                if (finder.Loaders.Any(l => finder.HasFile(subDir, "__init__" + l.Suffix)))
                    names.Add((sub, true));
            }
        }
        return names;
    }

    /// <summary>True for a name <c>importlib.import_module</c> finds below a package: not empty, no dot, no path separator
    /// (what pkgutil lists; an identifier is not needed).</summary>
    public static bool IsModuleName(string s) =>
        s.Length > 0 && !s.Contains('.') && !s.Contains('/') && !s.Contains('\\') && !char.IsWhiteSpace(s[0]);

    /// <summary>True for a Python identifier (what an importable module name part must be).</summary>
    public static bool IsIdentifier(string s) =>
        s.Length > 0 && (char.IsLetter(s[0]) || s[0] == '_') && s.All(c => char.IsLetterOrDigit(c) || c == '_');
}

/// <summary>
/// The app's own modules beside the entry script are collected even when nothing imports them statically (an app
/// that loads its plugins by name): the .py files and packages in the entry's folder, leaving out build and test
/// scaffolding (setup.py, conftest.py, noxfile.py, tests/, docs/, build/, dist/, virtual environments).
/// </summary>
public sealed class AppModulesExpander : IGraphExpander
{
    private static readonly HashSet<string> Scaffolding = new(StringComparer.Ordinal)
    {
        "setup", "conftest", "noxfile", "fabfile", "tasks", "dodo", "docs", "doc", "build", "dist", "venv", "env",
        "site", "examples", "example", "benchmarks", "bench", "scripts", "tools",
    };

    private bool _done;

    /// <summary>True for a folder on PATH (an entry like /usr/bin/yt-dlp: the scripts beside it are other programs).</summary>
    private static bool IsProgramFolder(string dir) =>
        (Environment.GetEnvironmentVariable("PATH") ?? "").Split(Path.PathSeparator, StringSplitOptions.RemoveEmptyEntries)
            .Any(p => string.Equals(Path.TrimEndingDirectorySeparator(p), dir, StringComparison.Ordinal));

    /// <inheritdoc />
    public IEnumerable<(string Importer, string Module)> Expand(ModuleGraph graph, Analyzer analyzer)
    {
        if (_done)
            return [];
        _done = true;
        var main = graph.Find("__main__");
        var dir = analyzer.SearchPath.Count > 0 ? analyzer.SearchPath[0] : null;
        if (dir is null || analyzer.OriginOf(dir) != ModuleOrigin.App || File.Exists(Path.Combine(dir, "pyvenv.cfg")) || IsProgramFolder(dir))
            return [];
        var result = new List<(string, string)>();
        var entryStem = Path.GetFileNameWithoutExtension(main!.Path!);
        foreach (var file in analyzer.Finder.FilesIn(dir).Order(StringComparer.Ordinal))
        {
            if (!file.EndsWith(".py", StringComparison.Ordinal))
                continue;
            var stem = file[..^3];
            if (stem == entryStem || !PackageExpander.IsIdentifier(stem) || PackageExpander.IsTestName(stem) || Scaffolding.Contains(stem))
                continue;
            result.Add(("__main__", stem));
        }
        foreach (var sub in analyzer.Finder.DirsIn(dir).Order(StringComparer.Ordinal))
        {
            if (!PackageExpander.IsIdentifier(sub) || PackageExpander.IsTestName(sub) || Scaffolding.Contains(sub))
                continue;
            if (analyzer.Finder.HasFile(Path.Combine(dir, sub), "__init__.py"))
                result.Add(("__main__", sub));
        }
        return result.Where(x => !graph.Contains(x.Item2) && !analyzer.Excluded(x.Item2));
    }
}

/// <summary>
/// The modules named by the entry points of every distribution whose modules are collected, so
/// <c>importlib.metadata.entry_points()</c> can load them frozen (PEP 621 / the entry points specification); and the
/// plugins that another installed distribution registers for a group the app's host package reads by name
/// (<see cref="ForeignPlugins"/>: mccabe's <c>flake8.extension</c> entry point <c>C90 = mccabe:McCabeChecker</c>, which
/// flake8 finds by iterating <c>importlib.metadata.distributions()</c>), the way PyInstaller's hooks collect a group's
/// entry points with <c>collect_entry_point</c>.
/// </summary>
public sealed class EntryPointExpander : IGraphExpander
{
    private readonly Dictionary<string, IReadOnlyList<Distribution>> _byRoot = new(StringComparer.Ordinal);
    private readonly HashSet<string> _done = new(StringComparer.Ordinal);
    private readonly HashSet<(string Metadata, string Group, string Module)> _foreignDone = [];
    private readonly Dictionary<(string Path, string Group), bool> _names = [];

    private readonly List<(string Group, string Module)> _plugins = [];

    /// <summary>Broken metadata found while reading distributions.</summary>
    public List<string> Problems { get; } = [];

    /// <inheritdoc />
    public IEnumerable<string> LoadedByName(ModuleGraph graph) =>
        _plugins.Where(p => Distribution.GroupHosts(p.Group).Any(h => graph.Find(h)?.Reached == true)).Select(p => p.Module);

    /// <summary>Distributions installed in a search-path entry (read once).</summary>
    public IReadOnlyList<Distribution> In(string root)
    {
        if (!_byRoot.TryGetValue(root, out var list))
            _byRoot[root] = list = Distributions.In(root, Problems);
        return list;
    }

    /// <inheritdoc />
    public IEnumerable<(string Importer, string Module)> Expand(ModuleGraph graph, Analyzer analyzer)
    {
        var result = new List<(string, string)>();
        var tops = graph.Modules.Where(m => m.SearchRoot is not null && m.Kind is not ModuleKind.Missing && m.Origin == ModuleOrigin.SitePackages)
            .Select(m => (m.SearchRoot!, m.TopLevel)).Distinct().ToList();
        foreach (var (root, top) in tops)
        {
            foreach (var dist in In(root))
            {
                if (!dist.TopLevel.Contains(top) || !_done.Add(dist.MetadataPath))
                    continue;
                foreach (var module in dist.EntryPointModules)
                    if (!graph.Contains(module) && !analyzer.Excluded(module))
                        result.Add((top, module));
                _plugins.AddRange(dist.PluginModules);
            }
        }
        foreach (var (host, group, module, dist) in ForeignPlugins(graph, analyzer.SearchPath.SelectMany(In).ToList()))
        {
            if (!_foreignDone.Add((dist.MetadataPath, group, module)))
                continue;
            _plugins.Add((group, module));
            if (!graph.Contains(module) && !analyzer.Excluded(module))
                result.Add((host, module));
        }
        return result;
    }

    /// <summary>
    /// Plugins of a host package that another distribution registers: an entry point of group G (a
    /// <see cref="Distribution.PluginModules"/> group) of an installed distribution D when
    /// <list type="bullet">
    /// <item>a host of G (<see cref="Distribution.GroupHosts"/>, <c>flake8</c> for <c>flake8.extension</c>) is reached and one
    /// of its reached modules names G in a string literal (<c>flake8/plugins/finder.py</c>: <c>FLAKE8_GROUPS =
    /// frozenset(("flake8.extension", "flake8.report"))</c>): the host reads that group by name, whatever call it uses;</item>
    /// <item>D is tied to the host: D requires the host's distribution, the host's distribution requires D, or every plugin
    /// group of D is the host's (D exists to extend it: mccabe, whose only entry point is <c>flake8.extension</c>, and which
    /// Debian's flake8, its requirements stripped, does not list). A library that also registers a plugin for a tool it
    /// does not depend on (Mako's <c>pygments.lexers</c>, <c>babel.extractors</c> and <c>lingua.extractors</c> lexers and
    /// extractors) is not pulled into every app that reaches that tool.</item>
    /// </list>
    /// Such a module is loaded by name (<see cref="LoadedByName"/>) and its distribution's metadata is then collected with
    /// it (MetadataCollector), so <c>entry_points()</c> and <c>distributions()</c> find it frozen.
    /// </summary>
    /// <param name="graph">The module graph.</param>
    /// <param name="installed">The distributions of the search path, in order.</param>
    /// <returns>(host package, group, plugin module, its distribution), in the order of <paramref name="installed"/>.</returns>
    public IEnumerable<(string Host, string Group, string Module, Distribution Dist)> ForeignPlugins(ModuleGraph graph, IReadOnlyList<Distribution> installed)
    {
        var hostDist = new Dictionary<string, Distribution?>(StringComparer.Ordinal);
        Distribution? DistOf(string host)
        {
            if (!hostDist.TryGetValue(host, out var d))
                hostDist[host] = d = installed.FirstOrDefault(x => x.TopLevel.Contains(host));
            return d;
        }
        foreach (var dist in installed)
        {
            var plugins = dist.PluginModules.ToList();
            if (plugins.Count == 0)
                continue;
            foreach (var (group, module) in plugins)
            {
                foreach (var host in Distribution.GroupHosts(group))
                {
                    if (dist.TopLevel.Contains(host) || graph.Find(host) is not { Reached: true } || DistOf(host) is not { } owner || owner.MetadataPath == dist.MetadataPath)
                        continue;
                    bool tied = dist.Requires.Any(r => Distribution.Normalize(r) == owner.NormalizedName)
                                || owner.Requires.Any(r => Distribution.Normalize(r) == dist.NormalizedName)
                                || plugins.All(p => Distribution.GroupHosts(p.Group).Contains(host));
                    if (tied && ReadsGroup(graph, host, group))
                    {
                        yield return (host, group, module, dist);
                        break;
                    }
                }
            }
        }
    }

    /// <summary>True when a reached source module of package <paramref name="host"/> holds <paramref name="group"/> as a
    /// quoted string (a byte search of the file; each file is read once per group).</summary>
    private bool ReadsGroup(ModuleGraph graph, string host, string group)
    {
        foreach (var node in graph.Modules.Where(m => m.TopLevel == host && m.Reached && m.Path is not null && m.Path.EndsWith(".py", StringComparison.Ordinal)))
        {
            if (!_names.TryGetValue((node.Path!, group), out var found))
            {
                try
                {
                    var text = File.ReadAllText(node.Path!);
                    found = text.Contains('"' + group + '"', StringComparison.Ordinal) || text.Contains('\'' + group + '\'', StringComparison.Ordinal);
                }
                catch (Exception e) when (e is IOException or UnauthorizedAccessException)
                {
                    found = false;
                }
                _names[(node.Path!, group)] = found;
            }
            if (found)
                return true;
        }
        return false;
    }
}

/// <summary>
/// Helper modules a distribution installs beside its packages and imports from compiled code, where no import statement
/// shows them: mypyc's shared runtime (<c>81d243bd…__mypyc.cpython-311-x86_64-linux-gnu.so</c>, charset_normalizer) and
/// other private top-level extension modules listed in the distribution's RECORD. The package imports them when it is
/// imported, so they are reached with it and their own imports (mypy's runtime imports <c>json</c> from C) are followed;
/// a mypyc-compiled distribution's unconditional requirements (mypy's <c>mypy_extensions</c>; Debian unstable's <c>librt</c>,
/// a namespace package, with its submodules) are imported from there too.
/// </summary>
public sealed class DistributionModulesExpander(EntryPointExpander distributions) : IGraphExpander
{
    private readonly HashSet<string> _done = new(StringComparer.Ordinal);

    /// <inheritdoc />
    public bool ImportsAtRunTime => true;

    /// <inheritdoc />
    public IEnumerable<(string Importer, string Module)> Expand(ModuleGraph graph, Analyzer analyzer)
    {
        var result = new List<(string, string)>();
        var tops = graph.Modules.Where(m => m.SearchRoot is not null && m.Kind is not ModuleKind.Missing && m.Origin == ModuleOrigin.SitePackages)
            .Select(m => (m.SearchRoot!, m.TopLevel)).Distinct().ToList();
        foreach (var (root, top) in tops)
        {
            foreach (var dist in distributions.In(root))
            {
                if (!dist.TopLevel.Contains(top) || !_done.Add(dist.MetadataPath))
                    continue;
                foreach (var helper in dist.HelperModules)
                    if (!graph.Contains(helper) && !analyzer.Excluded(helper))
                        result.Add((top, helper));
                // A mypyc-compiled distribution is its Python code in one helper binary: the modules of the distributions it
                // requires are imported from there, where no statement (and no string under its own package) shows them.
                var mypyc = dist.HelperModules.FirstOrDefault(h => h.Contains("__mypyc", StringComparison.Ordinal));
                if (mypyc is null)
                    continue;
                var installed = distributions.In(root);
                foreach (var required in dist.Requires)
                    foreach (var other in installed.Where(d => d.NormalizedName == Distribution.Normalize(required)))
                        foreach (var module in other.TopLevel)
                        {
                            if (!graph.Contains(module) && !analyzer.Excluded(module))
                                result.Add((mypyc, module));
                            _mypycRequired.Add((mypyc, module));
                        }
            }
        }
        // A required namespace package (librt: extension modules and no __init__) is imported submodule by submodule
        // from C, and namespace packages are not collected whole: its submodules come along with the helper.
        foreach (var (mypyc, module) in _mypycRequired)
            if (graph.Find(module) is { Kind: ModuleKind.Namespace } ns)
                foreach (var sub in PackageExpander.Submodules(ns, analyzer.Finder))
                    if (!graph.Contains(module + "." + sub) && !analyzer.Excluded(module + "." + sub))
                        result.Add((mypyc, module + "." + sub));
        return result;
    }

    private readonly HashSet<(string Helper, string Module)> _mypycRequired = [];
}

/// <summary>
/// The modules of distributions that a collected module names through <c>importlib.metadata</c> with literal names
/// (<see cref="MetadataCall"/>): <c>distribution("x").entry_points</c>, <c>entry_points(group="g", name="n")</c>, as pip's
/// and Debian's console scripts load their program, and <c>version("x")</c>/<c>metadata("x")</c>/<c>distribution("x")</c>. The
/// distribution's top-level modules (or the entry point's target module) are collected, so its metadata is too
/// (<c>MetadataCollector</c>). One instance follows the look-ups that load code (<paramref name="loads"/>: entry points,
/// imported at run time, so reached with their caller); the other the ones that only read metadata (collected, not
/// reached). A look-up in a module the app reaches that no installed distribution answers is a warning naming it
/// (<see cref="EntryPointExpander.Problems"/>). Source of the API: CPython's Lib/importlib/metadata/__init__.py.
/// </summary>
public sealed class MetadataCallExpander(EntryPointExpander distributions, bool loads) : IGraphExpander
{
    private readonly HashSet<(string Module, MetadataCall Call)> _done = [];

    /// <inheritdoc />
    public bool ImportsAtRunTime => loads;

    /// <summary>True for a look-up that loads code: the distribution's entry points, or <c>entry_points(group=…)</c>.</summary>
    public static bool Loads(MetadataCall call) => call.Function is "distribution().entry_points" or "entry_points";

    /// <inheritdoc />
    public IEnumerable<(string Importer, string Module)> Expand(ModuleGraph graph, Analyzer analyzer)
    {
        var result = new List<(string, string)>();
        List<Distribution>? installed = null;
        foreach (var node in graph.Modules.Where(n => n.MetadataCalls.Count > 0).ToList())
        {
            foreach (var call in node.MetadataCalls.Where(c => Loads(c) == loads))
            {
                if (_done.Contains((node.Name, call)))
                    continue;
                installed ??= analyzer.SearchPath.SelectMany(distributions.In).ToList();
                var modules = Resolve(call, installed);
                if (modules is null && !node.Reached)
                    continue; // asked again if the app reaches it
                _done.Add((node.Name, call));
                if (modules is null)
                {
                    distributions.Problems.Add($"{node.Path ?? node.Name}:{call.Line}: importlib.metadata.{Describe(call)} names no installed " +
                        "distribution or entry point; the frozen app will not find it there (install it, or add its modules with --hidden-import and --copy-metadata)");
                    continue;
                }
                foreach (var module in modules)
                    if (!graph.Contains(module) && !analyzer.Excluded(module) && analyzer.IsInstalled(module))
                        result.Add((node.Name, module));
            }
        }
        return result;
    }

    /// <summary>The modules a look-up needs: the named distribution's top-level modules, or the target modules of the
    /// matching entry points (none for a group setuptools reads only while building, <see cref="Distribution.IsBuildTimeGroup"/>);
    /// null when nothing installed matches.</summary>
    /// <param name="call">The look-up.</param>
    /// <param name="installed">Distributions in search-path order (the first of a name wins, as importlib.metadata's does).</param>
    public static IReadOnlyList<string>? Resolve(MetadataCall call, IReadOnlyList<Distribution> installed)
    {
        if (call.Function == "entry_points")
        {
            if (call.Group is { } group && Distribution.IsBuildTimeGroup(group))
                return [];
            var targets = installed.SelectMany(d => d.EntryPoints)
                .Where(e => e.Group == call.Group && (call.Name is null || e.Name == call.Name))
                .Select(e => ConsoleScripts.TargetModule(e.Target)).Distinct().ToList();
            return targets.Count > 0 || call.Name is null ? targets : null;
        }
        var wanted = Distribution.Normalize(call.Name!);
        var dist = installed.FirstOrDefault(d => d.NormalizedName == wanted);
        if (dist is null)
            return null;
        return call.Function == "distribution().entry_points"
            ? [.. dist.TopLevel.Order(StringComparer.Ordinal), .. dist.EntryPoints.Select(e => ConsoleScripts.TargetModule(e.Target))]
            : [.. dist.TopLevel.Order(StringComparer.Ordinal)];
    }

    private static string Describe(MetadataCall c) => c.Function switch
    {
        "entry_points" => $"entry_points(group=\"{c.Group}\"{(c.Name is null ? "" : $", name=\"{c.Name}\"")})",
        "distribution().entry_points" => $"distribution(\"{c.Name}\").entry_points",
        _ => $"{c.Function}(\"{c.Name}\")",
    };
}
