using System.Collections.Concurrent;
using System.Diagnostics;
using PyFreeze.Analyze.Scanning;
using PyFreeze.Diagnostics;
using PyFreeze.Hooks;
using PyFreeze.Probe;

namespace PyFreeze.Analyze;

/// <summary>What to analyze and how.</summary>
public sealed class AnalyzerOptions
{
    /// <summary>The entry script (absolute or relative path).</summary>
    public required string EntryScript { get; init; }

    /// <summary>Extra search folders (<c>--paths</c>), placed after the entry's folder and before <c>sys.path</c>.</summary>
    public IReadOnlyList<string> ExtraPaths { get; init; } = [];

    /// <summary>Modules to add as if the entry imported them (<c>--hidden-import</c>).</summary>
    public IReadOnlyList<string> HiddenImports { get; init; } = [];

    /// <summary>Modules (and their submodules) never followed or collected (<c>--exclude-module</c>).</summary>
    public IReadOnlyList<string> Excludes { get; init; } = [];

    /// <summary>Hidden imports attached to a given importer (from hooks): importer → modules.</summary>
    public IReadOnlyDictionary<string, IReadOnlyList<string>> ModuleHiddenImports { get; init; } =
        new Dictionary<string, IReadOnlyList<string>>();

    /// <summary>Modules the frozen runtime itself needs (encodings, the boot module's imports).</summary>
    public IReadOnlyList<string> RuntimeImports { get; init; } = [];

    /// <summary>Follow imports that only run under <c>if TYPE_CHECKING:</c> (default: no, they never run).</summary>
    public bool FollowTypeChecking { get; init; }

    /// <summary>Hooks: hidden imports, excluded imports and aliases per package.</summary>
    public HookSet Hooks { get; init; } = HookSet.Empty;

    /// <summary>Policies that add modules once the imports are followed (whole packages, entry points, hooks).</summary>
    public IReadOnlyList<IGraphExpander> Expanders { get; init; } = [];

    /// <summary>Collect the standard library whole once the imports are followed (<see cref="StdlibWhole"/>; off for
    /// <c>--no-whole-stdlib</c> and <c>--no-whole-packages</c>).</summary>
    public bool WholeStdlib { get; init; }

    /// <summary>Told the module graph's size (modules found so far) as the analysis adds modules, from the analyzing
    /// thread; null for nobody.</summary>
    public Action<int>? ModulesFound { get; init; }
}

/// <summary>A file that could not be fully read or tokenized.</summary>
/// <param name="File">The file's path.</param>
/// <param name="Line">1-based line (0 when the whole file is concerned).</param>
/// <param name="Column">1-based column (0 when unknown).</param>
/// <param name="Message">What is wrong.</param>
public sealed record AnalysisProblem(string File, int Line, int Column, string Message)
{
    /// <inheritdoc />
    public override string ToString() => Line > 0 ? $"{File}:{Line}:{Column}: {Message}" : $"{File}: {Message}";
}

/// <summary>A module (or file) that the analysis found and deliberately left out of the app, and the rule that did it.</summary>
/// <param name="Module">The dotted module name (or, for a data file, its path relative to its package).</param>
/// <param name="Rule">A short, stable rule name shown in reports and JSON, e.g. <c>exclude-module</c>,
/// <c>test-folder</c>, <c>dev-tool-plugin</c>, <c>optional-unreached</c>, <c>hook</c>.</param>
/// <param name="Detail">One human sentence: why the rule applied (the importer, the tool, the hook's file).</param>
/// <param name="Importer">The module whose import would have brought it in, when there is one; else null.</param>
public sealed record LeftOutModule(string Module, string Rule, string Detail, string? Importer = null);

/// <summary>The outcome of an analysis: the graph and everything worth reporting.</summary>
public sealed class AnalysisResult
{
    /// <summary>Modules and files the analysis saw and left out on purpose, each with the rule that did it, in the
    /// order they were decided; shown by <c>analyze</c>, <c>--why</c> and the build report. Empty when nothing was left out.</summary>
    public IReadOnlyList<LeftOutModule> LeftOut { get; init; } = [];

    /// <summary>The modules only the whole stdlib (<see cref="StdlibWhole"/>) brought in; empty when it was off.</summary>
    public IReadOnlySet<string> StdlibWhole { get; init; } = new HashSet<string>();

    /// <summary>The module graph; the entry is <c>__main__</c>.</summary>
    public required ModuleGraph Graph { get; init; }

    /// <summary>The search path used, in order: entry folder, <c>--paths</c>, the interpreter's <c>sys.path</c>.</summary>
    public required IReadOnlyList<string> SearchPath { get; init; }

    /// <summary>The interpreter analyzed for.</summary>
    public required InterpreterInfo Interpreter { get; init; }

    /// <summary>Files that could not be tokenized or read.</summary>
    public required IReadOnlyList<AnalysisProblem> Problems { get; init; }

    /// <summary>Names that were skipped because of <c>--exclude-module</c>, with their importers.</summary>
    public required IReadOnlyDictionary<string, List<ImportEdge>> Excluded { get; init; }

    /// <summary>Wall time of the analysis.</summary>
    public TimeSpan Elapsed { get; init; }

    /// <summary>The entry script's absolute path (a package's <c>__main__.py</c> for a package entry).</summary>
    public required string EntryScript { get; init; }

    /// <summary>For a package folder given as the entry (run like <c>python -m PACKAGE</c>): the package's name; else null.</summary>
    public string? EntryPackage { get; init; }

    /// <summary>The app's root: the entry script's folder, or the folder holding the entry package.</summary>
    public string AppRoot => SearchPath[0];
}

/// <summary>
/// Builds the module graph of an app: scans every reached source file for imports (in parallel) and resolves
/// each import like CPython's import system (builtins, frozen modules, then PathFinder over <c>sys.path</c> or
/// the parent package's <c>__path__</c>), recursively.
/// </summary>
public sealed class Analyzer
{
    private readonly InterpreterInfo _interp;
    private readonly AnalyzerOptions _options;
    private readonly PathFinder _finder;
    private readonly ModuleGraph _graph = new();
    private readonly HashSet<string> _builtins;
    private readonly HashSet<string> _frozen;
    private readonly HashSet<string> _stdlibNames;
    private readonly List<string> _searchPath = [];
    private readonly Dictionary<string, ModuleOrigin> _rootOrigin = new(StringComparer.Ordinal);
    private readonly ConcurrentQueue<AnalysisProblem> _problems = new();
    private readonly List<AnalysisProblem> _readErrors = [];
    private readonly Dictionary<string, List<ImportEdge>> _excluded = new(StringComparer.Ordinal);
    // Scans run on the thread pool; their results are taken in the order the scans were started, not as they finish, so
    // every decision that depends on what was reached so far (side imports, plugins) is the same on every build.
    private readonly Queue<Task<(ModuleNode Node, ScanResult? Result, AnalysisProblem? Error)>> _scans = new();
    private readonly Dictionary<string, string> _aliases = new(StringComparer.Ordinal);
    private readonly Dictionary<string, bool> _versionChecks = new(StringComparer.Ordinal); // condition → never true on the target
    private readonly Dictionary<string, string> _installed = new(StringComparer.Ordinal); // sys.modules["a.b"] = x: a.b → the module it stands for
    private string? _mainPackage;
    private readonly Queue<(string From, string Module, bool Optional)> _pendingHidden = new();
    private readonly Stack<ModuleNode> _reachWork = new();
    private bool _marking;
    private bool _reachAll; // following a plugin's optional import: what it imports is reached though the plugin is not
    private readonly List<LeftOutModule> _leftOut = [];
    private readonly Dictionary<string, (ScanResult Result, string Tool)> _heldPlugins = new(StringComparer.Ordinal); // dev-tool plugins
    private readonly HashSet<string> _wholeStdlib = new(StringComparer.Ordinal); // added by CollectStdlibWhole
    private readonly HashSet<(string Module, string Importer)> _guarded = []; // imports under `if "X" in sys.modules:`
    private IReadOnlySet<string> _stdlibLeftOut = new HashSet<string>();
    private IReadOnlySet<string> _stdlibFallbacks = new HashSet<string>();
    private readonly List<(string Importer, string Module, int Line)> _stdlibBlocked = []; // top-level imports not followed
    private readonly HashSet<string> _pulled = new(StringComparer.Ordinal); // stdlib modules code outside the stdlib imports

    /// <summary>Creates an analyzer for one app and interpreter.</summary>
    public Analyzer(InterpreterInfo interpreter, AnalyzerOptions options)
    {
        _interp = interpreter;
        _options = options;
        _finder = new PathFinder(interpreter.ExtensionSuffixes, interpreter.SourceSuffixes, interpreter.BytecodeSuffixes);
        _builtins = new HashSet<string>(interpreter.BuiltinModules, StringComparer.Ordinal);
        _frozen = new HashSet<string>(interpreter.FrozenModules, StringComparer.Ordinal);
        _stdlibNames = interpreter.StdlibModuleNames.Length > 0
            ? new HashSet<string>(interpreter.StdlibModuleNames, StringComparer.Ordinal)
            : StdlibNamesFromFolders(interpreter);
        // os.path is an alias os installs in sys.modules (frozen as such in 3.11+).
        if (!_frozen.Contains("os.path"))
            _aliases["os.path"] = interpreter.Platform == "win32" ? "ntpath" : "posixpath";
    }

    /// <summary>Python 3.9 has no <c>sys.stdlib_module_names</c>: the top-level names of the stdlib and lib-dynload folders.</summary>
    private HashSet<string> StdlibNamesFromFolders(InterpreterInfo interpreter)
    {
        var names = new HashSet<string>(_builtins, StringComparer.Ordinal);
        foreach (var dir in new[] { interpreter.Stdlib, interpreter.LibDynload })
        {
            if (string.IsNullOrEmpty(dir))
                continue;
            foreach (var f in _finder.FilesIn(dir))
                if (f.EndsWith(".py", StringComparison.Ordinal) || f.EndsWith(".so", StringComparison.Ordinal) || f.EndsWith(".pyd", StringComparison.Ordinal))
                    names.Add(f.Split('.')[0]);
            foreach (var d in _finder.DirsIn(dir))
                if (_finder.HasFile(Path.Combine(dir, d), "__init__.py"))
                    names.Add(d);
        }
        return names;
    }

    /// <summary>The finder used (shared with the collect stage so folder listings are read once).</summary>
    public PathFinder Finder => _finder;

    /// <summary>Analyzes the app.</summary>
    /// <returns>The graph and reports.</returns>
    /// <exception cref="PyFreezeException">The entry is missing, not a file, unreadable; a search folder is a symlink loop; a
    /// module file cannot be read.</exception>
    public AnalysisResult Run()
    {
        var sw = Stopwatch.StartNew();
        var given = Path.TrimEndingDirectorySeparator(Path.GetFullPath(_options.EntryScript));
        AppAnalysis.CheckEntry(given);
        // A package folder runs like `python -m PACKAGE`: its __main__.py is __main__, inside the package.
        _mainPackage = Directory.Exists(given) ? Path.GetFileName(given) : null;
        var entry = _mainPackage is null ? given : Path.Combine(given, "__main__.py");
        var root = Path.GetDirectoryName(_mainPackage is null ? entry : given)!;
        BuildSearchPath(root);

        var main = _graph.Add(new ModuleNode("__main__", ModuleKind.Source)
        {
            Path = entry,
            SearchRoot = root,
            Origin = ModuleOrigin.App,
            Reached = true,
        });
        StartScan(main);
        if (_mainPackage is not null)
        {
            AddHidden("__main__", _mainPackage);
            AddHidden("__main__", _mainPackage + ".__main__");
        }
        foreach (var name in _options.RuntimeImports)
            AddHidden("__main__", name);
        foreach (var name in _options.HiddenImports)
            AddHidden("__main__", name);

        Drain();
        // Expanders (whole packages, entry points, hooks) add modules until nothing new comes.
        for (int round = 0; round < 64 && _options.Expanders.Count > 0; round++)
        {
            int before = _graph.Count;
            foreach (var expander in _options.Expanders)
            {
                foreach (var (importer, module) in expander.Expand(_graph, this).ToList())
                {
                    if (!_graph.Contains(module))
                        ImportModule(importer, module, ImportContext.TopLevel, 0,
                            expander.ImportsAtRunTime ? EdgeSource.Hidden : EdgeSource.Expansion, null);
                }
                foreach (var name in expander.LoadedByName(_graph).ToList())
                    if (_graph.Find(name) is { LoadedByName: false } plugin)
                        MarkLoadedByName(plugin);
                Drain();
            }
            ReleasePlugins();
            FollowCollectedPending();
            if (_graph.Count == before)
                break;
        }

        DropHeldPlugins();
        if (_options.WholeStdlib)
            CollectStdlibWhole();
        if (_readErrors.Count > 0)
        {
            var first = _readErrors.OrderBy(p => p.File, StringComparer.Ordinal).First();
            var more = _readErrors.Count > 1 ? $" (and {_readErrors.Count - 1} more)" : "";
            throw new PyFreezeException($"{first}{more}; fix its permissions, or leave its package out with --exclude-module");
        }
        return new AnalysisResult
        {
            LeftOut = LeftOutAtEnd(),
            StdlibWhole = _wholeStdlib.Where(_graph.Contains).ToHashSet(StringComparer.Ordinal),
            Graph = _graph,
            SearchPath = _searchPath,
            Interpreter = _interp,
            Problems = _problems.OrderBy(p => p.File, StringComparer.Ordinal).ThenBy(p => p.Line).ToList(),
            Excluded = _excluded,
            Elapsed = sw.Elapsed,
            EntryScript = entry,
            EntryPackage = _mainPackage,
        };
    }

    /// <summary>Processes scan results, in the order their scans were started, until no scan is outstanding.</summary>
    private void Drain()
    {
        while (_scans.Count > 0 || _pendingHidden.Count > 0)
        {
            if (_pendingHidden.Count > 0)
            {
                var (from, module, optional) = _pendingHidden.Dequeue();
                ImportModule(from, module, optional ? ImportContext.Optional : ImportContext.TopLevel, 0, EdgeSource.Hidden, null);
                continue;
            }
            var (node, result, error) = _scans.Dequeue().GetAwaiter().GetResult();
            _options.ModulesFound?.Invoke(_graph.Count);
            if (error is not null)
            {
                _readErrors.Add(error);
                continue;
            }
            foreach (var p in result!.Problems)
                _problems.Enqueue(new AnalysisProblem(node.Path!, p.Line, p.Column, p.Message));
            if (PluginOf(node, result) is { } tool)
            {
                _heldPlugins[node.Name] = (result, tool); // followed if the app reaches the tool or the module after all
                continue;
            }
            Apply(node, result);
        }
    }

    /// <summary>Takes in one module's scan: its <c>__all__</c>, metadata look-ups, <c>sys.modules</c> assignments and imports.</summary>
    private void Apply(ModuleNode node, ScanResult result)
    {
        node.DunderAll = result.DunderAll;
        node.MetadataCalls = result.MetadataCalls.Where(c => c.Qualified || result.Imports.Any(i =>
            i.Module is "importlib.metadata" or "importlib_metadata" && i.Names.Contains(c.Function.Split('(')[0]))).ToList();
        foreach (var assignment in result.ModuleAssignments)
            Install(node, assignment, result.Imports);
        foreach (var stmt in result.Imports)
            ProcessImport(node, stmt);
        if (_options.ModuleHiddenImports.TryGetValue(node.Name, out var extra))
            foreach (var name in extra)
                AddHidden(node.Name, name);
    }

    /// <summary>The developer tool (<see cref="HookSet.IsDeveloperTool"/>: mypy, pytest, Sphinx, IPython, setuptools,
    /// unittest, …) that a module imports at top level when only whole-package collection brought the module in
    /// (<c>sqlalchemy.ext.mypy.plugin</c>, a pytest plugin, a Sphinx extension, a <c>test_*.py</c>): the module is that
    /// tool's plugin and is left out while the app does not reach the tool; null for any other module.</summary>
    private string? PluginOf(ModuleNode node, ScanResult result)
    {
        if (node.Reached || node.LoadedByName || node.Name == "__main__" || IsStdlibNode(node)
            || _options.HiddenImports.Any(h => node.Name == h || node.Name.StartsWith(h + ".", StringComparison.Ordinal)))
            return null; // --hidden-import, --collect-submodules and --collect-all of the module or its package restore it
        foreach (var stmt in result.Imports)
        {
            if (stmt.Context != ImportContext.TopLevel || stmt.Level != 0 || stmt.Module.Length == 0)
                continue;
            var top = stmt.Module.Split('.')[0];
            if (top != node.TopLevel && _options.Hooks.IsDeveloperTool(top) && _graph.Find(top)?.Reached != true)
                return top;
        }
        return null;
    }

    /// <summary>Takes in the held plugins whose tool the app now reaches, that the app reaches itself, or that a plugin
    /// loaded by name imports at top level (flake8's <c>flake8.extension</c> plugin <c>flake8.plugins.pyflakes</c> imports
    /// <c>pyflakes.checker</c>, which imports doctest: it runs whenever flake8 loads the plugin, not as a doctest plugin).</summary>
    private void ReleasePlugins()
    {
        foreach (var (name, (result, tool)) in _heldPlugins.ToList())
        {
            if (_graph.Find(name) is not { } node
                || (!node.Reached && !node.LoadedByName && _graph.Find(tool)?.Reached != true && !ImportedByLoadedPlugin(node)))
                continue;
            _heldPlugins.Remove(name);
            Apply(node, result);
        }
    }

    /// <summary>True when a chain of top-level imports (statements or literal dynamic imports, not expansion) leads to
    /// <paramref name="node"/> from a module loaded by name (<see cref="ModuleNode.LoadedByName"/>): importing that plugin
    /// runs this module too.</summary>
    private bool ImportedByLoadedPlugin(ModuleNode node)
    {
        var seen = new HashSet<string>(StringComparer.Ordinal) { node.Name };
        var work = new Queue<string>([node.Name]);
        while (work.Count > 0)
        {
            foreach (var edge in _graph.Importers(work.Dequeue()))
            {
                if (edge.Context != ImportContext.TopLevel || edge.Source is not (EdgeSource.Statement or EdgeSource.Dynamic) || !seen.Add(edge.From))
                    continue;
                if (_graph.Find(edge.From) is not { } from || _heldPlugins.ContainsKey(from.Name))
                    continue; // a held module's own imports are not followed yet
                if (from.LoadedByName)
                    return true;
                work.Enqueue(from.Name);
            }
        }
        return false;
    }

    /// <summary>Removes the plugins still held at the end (with their submodules) from the graph, recording each.</summary>
    private void DropHeldPlugins()
    {
        foreach (var (name, (_, tool)) in _heldPlugins.OrderBy(p => p.Key, StringComparer.Ordinal))
        {
            var importer = _graph.Importers(name).FirstOrDefault()?.From;
            foreach (var sub in _graph.Modules.Where(m => m.Name == name || m.Name.StartsWith(name + ".", StringComparison.Ordinal)).Select(m => m.Name).ToList())
                _graph.Remove(sub);
            _leftOut.Add(new LeftOutModule(name, "dev-tool-plugin",
                $"imports the developer tool {tool} at top level and only its package's collection brought it in: a plugin of {tool}, " +
                $"left out because the app does not import {tool} (add it with --hidden-import {name} or --collect-all)", importer));
        }
    }

    /// <summary>Adds the standard library whole (<see cref="StdlibWhole"/>): every stdlib module its rules keep, as
    /// modules no import reaches (their deferred imports wait as a whole package's do); then drops, with their
    /// submodules, those whose top-level imports need a part the rules left out, and the modules that import those at top
    /// level in turn (rule <c>stdlib-needs-left-out</c>).</summary>
    private void CollectStdlibWhole()
    {
        var plan = Analyze.StdlibWhole.Make(_interp, _options.Hooks,
            keep: name => _graph.Find(name) is { Kind: not ModuleKind.Missing } || UserNamed(name),
            excluded: name => IsExcluded(name) || _options.Hooks.IsExcludedImport(name.Contains('.') ? name[..name.LastIndexOf('.')] : "__main__", name));
        var leftOutNames = new HashSet<string>(plan.LeftOutNames, StringComparer.Ordinal);
        _stdlibFallbacks = plan.Fallbacks;
        foreach (var record in plan.LeftOut)
            _leftOut.Add(record);
        // An extension module with a library to bundle that only stdlib modules the app's code never runs import (hello's
        // runpy → importlib, collected whole → importlib.resources → tempfile → random → hashlib → _hashlib → libcrypto):
        // left out like one the graph does not hold.
        ComputePulled();
        foreach (var node in _graph.Modules.Where(n => n.Origin == ModuleOrigin.LibDynload && n.Kind == ModuleKind.Extension && n.Path is not null
                     && !Pulled(n) && !n.LoadedByName && !UserNamed(n.Name)).OrderBy(n => n.Name, StringComparer.Ordinal).ToList())
        {
            if (Analyze.StdlibWhole.BundledLibraries(node.Path!, Analyze.StdlibWhole.Policy) is not { Count: > 0 } libs)
                continue;
            var importer = _graph.Importers(node.Name).Select(e => e.From).Order(StringComparer.Ordinal).FirstOrDefault();
            _leftOut.Add(new LeftOutModule(node.Name, "stdlib-extension-library",
                $"an extension module that needs {string.Join(", ", libs)}, which the target system does not provide, imported only by stdlib modules " +
                $"the app's code does not import: collected when an import the app runs reaches it (or --hidden-import {node.Name})", importer));
            leftOutNames.Add(node.Name);
            _graph.Remove(node.Name);
        }
        _stdlibLeftOut = leftOutNames;
        foreach (var name in plan.Modules)
        {
            if (_graph.Contains(name))
                continue;
            _wholeStdlib.Add(name);
            var parent = name.Contains('.') ? name[..name.LastIndexOf('.')] : "__main__";
            ImportModule(parent, name, ImportContext.TopLevel, 0, EdgeSource.Expansion, null);
        }
        Drain();
        // Unimportable modules: a blocked top-level import, or a top-level import of a module dropped here.
        var drop = new SortedDictionary<string, (string Needs, int Line)>(StringComparer.Ordinal);
        var work = new Queue<string>();
        bool Droppable(string name) => _wholeStdlib.Contains(name) || (_graph.Find(name) is { } n && IsStdlibNode(n) && !n.LoadedByName
            && n.Name != "__main__" && !UserNamed(name) && !Pulled(n));
        foreach (var gone in leftOutNames.Where(n => !plan.LeftOutNames.Contains(n)).Order(StringComparer.Ordinal))
            foreach (var e in _graph.Importers(gone).Where(e => e.Context == ImportContext.TopLevel && e.Source != EdgeSource.Expansion).ToList())
                _stdlibBlocked.Add((e.From, gone, e.Line));
        foreach (var (importer, module, line) in _stdlibBlocked.OrderBy(b => b.Importer, StringComparer.Ordinal).ThenBy(b => b.Line))
            if (Droppable(importer) && drop.TryAdd(importer, (module, line)))
                work.Enqueue(importer);
        while (work.Count > 0)
        {
            var gone = work.Dequeue();
            var dependants = _graph.Importers(gone).Where(e => e.Source != EdgeSource.Expansion
                    && (e.Context == ImportContext.TopLevel || (e.Context == ImportContext.Conditional && e.Condition?.Contains("__name__", StringComparison.Ordinal) != true)))
                .Select(e => (e.From, e.Line))
                .Concat(_wholeStdlib.Where(n => n.StartsWith(gone + ".", StringComparison.Ordinal)).Select(n => (From: n, Line: 0)));
            foreach (var (from, line) in dependants.ToList())
                if (Droppable(from) && drop.TryAdd(from, (gone, line)))
                    work.Enqueue(from);
        }
        foreach (var (name, (needs, line)) in drop)
        {
            _graph.Remove(name);
            _pulled.Remove(name);
            _wholeStdlib.Remove(name);
            var parentDropped = name.Contains('.') && drop.ContainsKey(name[..name.LastIndexOf('.')]);
            if (!parentDropped)
                _leftOut.Add(new LeftOutModule(name, "stdlib-needs-left-out",
                    line > 0 ? $"its top-level import of {needs} (line {line}) needs a part of the stdlib left out, so it could not be imported: not collected with the whole stdlib (add it with --hidden-import {name})"
                        : $"a submodule of {needs}, which is left out: not collected with the whole stdlib", needs));
        }
    }

    /// <summary>True for a module <c>--hidden-import</c>, <c>--collect-submodules</c> or <c>--collect-all</c> names (itself or its package).</summary>
    private bool UserNamed(string name) =>
        _options.HiddenImports.Any(h => name == h || name.StartsWith(h + ".", StringComparison.Ordinal));

    /// <summary>The interpreter analyzed for.</summary>
    public InterpreterInfo Interpreter => _interp;

    /// <summary>The search path (entry folder, --paths, sys.path), available once <see cref="Run"/> started.</summary>
    public IReadOnlyList<string> SearchPath => _searchPath;

    /// <summary>Which group a search-path entry belongs to.</summary>
    public ModuleOrigin OriginOf(string root) => _rootOrigin.GetValueOrDefault(root, ModuleOrigin.SitePackages);

    /// <summary>True when a module of that name can be found (builtin, frozen, or on the search path); thread-safe.</summary>
    public bool IsInstalled(string name) => Exists(name);

    /// <summary>True when <paramref name="name"/> or a parent package is excluded.</summary>
    public bool Excluded(string name) => IsExcluded(name);

    /// <summary>The hooks in use.</summary>
    public HookSet Hooks => _options.Hooks;

    private void BuildSearchPath(string appRoot)
    {
        void Add(string? dir, ModuleOrigin origin)
        {
            if (string.IsNullOrEmpty(dir))
                return;
            var full = Path.GetFullPath(dir);
            CheckSymlinkLoop(full);
            if (_rootOrigin.ContainsKey(full))
                return;
            _searchPath.Add(full);
            _rootOrigin[full] = origin;
        }
        Add(appRoot, ModuleOrigin.App);
        foreach (var p in _options.ExtraPaths)
        {
            if (!Directory.Exists(p))
                throw new PyFreezeException($"{p}: --paths folder does not exist", 2);
            Add(p, ModuleOrigin.App);
        }
        var stdlib = Norm(_interp.Stdlib);
        var platstdlib = Norm(_interp.Platstdlib);
        var dynload = Norm(_interp.LibDynload);
        foreach (var p in _interp.SysPath)
        {
            if (string.IsNullOrEmpty(p))
                continue;
            var full = Norm(p)!;
            var origin = full == dynload ? ModuleOrigin.LibDynload
                : full == stdlib || full == platstdlib ? ModuleOrigin.Stdlib
                : ModuleOrigin.SitePackages;
            Add(full, origin);
        }
    }

    /// <summary>The search-path entry a package folder hangs from: <c>/sp</c> for <c>/sp/a/b</c> and package <c>a.b</c>;
    /// null when the folder's name does not spell the package (a <c>__path__</c> extended elsewhere).</summary>
    private static string? RootOf(string packageDir, string packageName)
    {
        var dir = packageDir;
        var parts = packageName.Split('.');
        for (int i = parts.Length - 1; i >= 0; i--)
        {
            if (Path.GetFileName(dir) != parts[i])
                return null;
            dir = Path.GetDirectoryName(dir);
            if (dir is null)
                return null;
        }
        return dir;
    }

    private static string? Norm(string? p) => string.IsNullOrEmpty(p) ? null : Path.TrimEndingDirectorySeparator(Path.GetFullPath(p));

    private static void CheckSymlinkLoop(string dir)
    {
        var info = new DirectoryInfo(dir);
        if (info.LinkTarget is null)
            return;
        try
        {
            info.ResolveLinkTarget(returnFinalTarget: true);
        }
        catch (IOException e)
        {
            throw new PyFreezeException($"{dir}: search path folder is a symlink loop ({e.Message}); remove it from sys.path/--paths", 1, e);
        }
    }

    private void StartScan(ModuleNode node)
    {
        var path = node.Path;
        if (path is null || !path.EndsWith(".py", StringComparison.Ordinal) && node.Name != "__main__")
            return;
        _scans.Enqueue(Task.Factory.StartNew(static state =>
        {
            var n = (ModuleNode)state!;
            try
            {
                var bytes = File.ReadAllBytes(n.Path!);
                return (n, ImportScanner.Scan(bytes), (AnalysisProblem?)null);
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                return (n, (ScanResult?)null, new AnalysisProblem(n.Path!, 0, 0, $"cannot be read ({e.Message})"));
            }
            catch (Exception e)
            {
                return (n, (ScanResult?)null, new AnalysisProblem(n.Path!, 0, 0, $"scanner failed: {e.GetType().Name}: {e.Message}"));
            }
        }, node, CancellationToken.None, TaskCreationOptions.None, TaskScheduler.Default));
    }

    /// <summary>Scans an extension module's strings for the imports its compiled code makes (<see cref="ExtensionImports"/>);
    /// those that exist become optional hidden imports of it.</summary>
    private void StartBinaryScan(ModuleNode node)
    {
        var stdlib = _stdlibNames;
        _scans.Enqueue(Task.Run(() =>
        {
            var candidates = ExtensionImports.Candidates(node.Path!, node.TopLevel, stdlib);
            var imports = candidates.Where(c => c != node.Name && Exists(c)).Select(c => new ImportStatement(c, 0, [], ImportContext.Optional, 0, IsDynamic: true)).ToList();
            return (node, (ScanResult?)new ScanResult { Imports = imports }, (AnalysisProblem?)null);
        }));
    }

    /// <summary>True when a module of that name can be found (builtin, frozen, or on the search path); thread-safe.</summary>
    private bool Exists(string name)
    {
        if (_builtins.Contains(name) || _frozen.Contains(name))
            return true;
        IReadOnlyList<string> locations = _searchPath;
        foreach (var part in name.Split('.'))
        {
            var loc = _finder.Find(part, locations);
            if (loc is null)
                return false;
            locations = loc.SearchLocations;
        }
        return true;
    }

    private bool IsExcluded(string name)
    {
        foreach (var ex in _options.Excludes)
            if (name == ex || name.StartsWith(ex + ".", StringComparison.Ordinal))
                return true;
        return false;
    }

    /// <summary>Adds a hidden import of <paramref name="name"/> by <paramref name="importer"/>.</summary>
    private void AddHidden(string importer, string name)
    {
        ImportModule(importer, name, ImportContext.TopLevel, 0, EdgeSource.Hidden, null);
    }

    /// <summary>A plugin its package imports by name: its module-level optional imports, waiting so far, are followed.</summary>
    private void MarkLoadedByName(ModuleNode plugin)
    {
        plugin.LoadedByName = true;
        if (plugin.Reached || plugin.PendingImports is not { } pending)
            return;
        plugin.PendingImports = pending.Where(s => s.Context != ImportContext.Optional).ToList();
        foreach (var stmt in pending.Where(s => s.Context == ImportContext.Optional))
            ProcessImport(plugin, stmt);
    }

    private void ProcessImport(ModuleNode importer, ImportStatement stmt)
    {
        if (stmt.Context.HasFlag(ImportContext.TypeChecking) && !_options.FollowTypeChecking)
            return;
        bool pluginOptional = !importer.Reached && importer.LoadedByName && stmt.Context == ImportContext.Optional;
        if (!importer.Reached && stmt.Context != ImportContext.TopLevel && !pluginOptional && !RunsOnImport(stmt)
            && !FollowsUnreached(importer, stmt))
        {
            // Only an expander added this module, and the import leads into a distribution nothing else collects:
            // followed when (if) the app reaches the module.
            (importer.PendingImports ??= []).Add(stmt);
            return;
        }
        if (!pluginOptional)
        {
            FollowImport(importer, stmt);
            return;
        }
        // A plugin's `try: import x / except ImportError` runs when its package loads it: x is used as under python3.
        _reachAll = true;
        try
        {
            FollowImport(importer, stmt);
        }
        finally
        {
            _reachAll = false;
        }
    }

    /// <summary>A module-level import under a plain condition (<c>if sys.platform != "win32": import platform</c>, as in
    /// uuid): it runs when the module is imported, on the platforms that take the branch, so it is followed with the
    /// module's unconditional imports. A <c>__name__ == "__main__"</c> block runs only as a script and waits.</summary>
    private static bool RunsOnImport(ImportStatement stmt) =>
        stmt.Context == ImportContext.Conditional && stmt.Condition?.Contains("__name__", StringComparison.Ordinal) != true;

    /// <summary>The absolute module name an import statement names (relative ones resolved against the importer's package
    /// as <c>importlib._bootstrap._resolve_name</c> does); null, with the reason, when it cannot be resolved.</summary>
    private string? TargetName(ModuleNode importer, ImportStatement stmt, out string? problem)
    {
        problem = null;
        if (stmt.Level == 0)
            return stmt.Module.Length == 0 ? null : stmt.Module;
        var pkg = importer.Name == "__main__" ? _mainPackage : importer.IsPackage ? importer.Name : importer.Parent;
        if (pkg is null)
        {
            problem = "relative import with no known parent package (fails at run time)";
            return null;
        }
        var parts = pkg.Split('.');
        if (stmt.Level - 1 >= parts.Length)
        {
            problem = "relative import beyond the top-level package (fails at run time)";
            return null;
        }
        var basePkg = string.Join('.', parts.Take(parts.Length - (stmt.Level - 1)));
        return stmt.Module.Length == 0 ? basePkg : basePkg + "." + stmt.Module;
    }

    /// <summary>Whether a deferred, conditional or optional import of a module that only an expander added (a dialect
    /// loaded by a computed name, a migration found by <c>pkgutil</c>) is followed before the app reaches that module: when
    /// it leads into the module's own top-level package, or into the standard library (not its developer tools) or a
    /// top-level package the graph already holds; the last two only for a stdlib module that code outside the stdlib
    /// imports (<see cref="Pulled"/>), so collecting stdlib packages whole does not cascade. It may run as soon as anything loads the module by name, and costs
    /// nothing a distribution brings on its own; an import into a distribution nothing else collects waits (the
    /// <c>optional-unreached</c> rule of <see cref="AnalysisResult.LeftOut"/>).</summary>
    private bool FollowsUnreached(ModuleNode importer, ImportStatement stmt)
    {
        var name = TargetName(importer, stmt, out _);
        if (name is null)
            return false;
        var top = name.Split('.')[0];
        if (top == importer.TopLevel)
            return true;
        if (_wholeStdlib.Contains(importer.Name) && _stdlibNames.Contains(top))
            return !_stdlibLeftOut.Contains(name) && !_stdlibLeftOut.Contains(top); // the whole stdlib holds it, or it is builtin
        if (IsStdlibNode(importer) && !Pulled(importer))
            return false; // a stdlib submodule collected only with its package (urllib.request, logging.handlers) stays lean
        if (_stdlibNames.Contains(top))
            return top != "test" && !_options.Hooks.IsDeveloperTool(top) && !_options.Hooks.IsSideImport(importer.Name, name);
        return _graph.Find(top) is { Kind: not ModuleKind.Missing };
    }

    private static bool IsStdlibNode(ModuleNode n) => n.Origin is ModuleOrigin.Stdlib or ModuleOrigin.LibDynload or ModuleOrigin.None;

    /// <summary>True for a stdlib module that code outside the stdlib imports, directly or through other such stdlib modules
    /// (by statements, not expansion; a dialect's <c>import sqlite3</c>, then sqlite3's <c>_sqlite3</c>): it runs when that code
    /// does, so its own waiting imports are followed like the code's. The set is recomputed each expansion round
    /// (<see cref="FollowCollectedPending"/>); between rounds an importer already in it counts.</summary>
    private bool Pulled(ModuleNode stdlibModule) =>
        _pulled.Contains(stdlibModule.Name) || _graph.Importers(stdlibModule.Name).Any(e => e.Source != EdgeSource.Expansion
            && !NeverRuns(e.Context, e.Condition) && _graph.Find(e.From) is { } from && (!IsStdlibNode(from) || _pulled.Contains(from.Name)));

    private void ComputePulled()
    {
        var work = new Stack<ModuleNode>(_graph.Modules.Where(n => !IsStdlibNode(n) && n.Kind != ModuleKind.Missing));
        while (work.Count > 0)
        {
            var node = work.Pop();
            foreach (var edge in _graph.Imports(node.Name))
                if (edge.Source != EdgeSource.Expansion && !NeverRuns(edge.Context, edge.Condition)
                    && _graph.Find(edge.To) is { } to && IsStdlibNode(to) && _pulled.Add(to.Name))
                    work.Push(to);
        }
    }

    /// <summary>Follows the waiting imports of modules not reached that <see cref="FollowsUnreached"/> now allows (the
    /// package they lead into was collected since, or the stdlib module is now <see cref="Pulled"/>), then the scans they
    /// start, until none is left to follow.</summary>
    private void FollowCollectedPending()
    {
        for (bool more = true; more;)
        {
            more = false;
            ComputePulled();
            foreach (var node in _graph.Modules.Where(n => !n.Reached && n.PendingImports is not null).ToList())
            {
                var pending = node.PendingImports!;
                var now = pending.Where(s => FollowsUnreached(node, s)).ToList();
                if (now.Count == 0)
                    continue;
                more = true;
                node.PendingImports = pending.Except(now).ToList();
                foreach (var stmt in now)
                    FollowImport(node, stmt);
            }
            Drain();
        }
    }

    /// <summary>Records a module or file a rule left out (shared by the expanders); kept only if the graph does not end up
    /// holding it after all.</summary>
    public void LeaveOut(LeftOutModule leftOut) => _leftOut.Add(leftOut);

    /// <summary>What the analysis left out, once it is over: the rules' records for names the graph does not hold, and each
    /// waiting import of a module not reached whose target exists but nothing collects (<c>optional-unreached</c>); one
    /// record per name, the first rule's. The order does not depend on the order the parallel scan added modules in
    /// (records sorted by module, rule and importer; waiting imports by importer and line), so the report a rebuild
    /// stores in the executable is byte-identical.</summary>
    private List<LeftOutModule> LeftOutAtEnd()
    {
        // an import left out as loaded already names a module other imports may have brought in after all
        var all = _leftOut.Where(l => l.Rule != SysModulesGuard.Rule || _graph.Find(l.Module) is null or { Kind: ModuleKind.Missing })
            .OrderBy(l => l.Module, StringComparer.Ordinal).ThenBy(l => l.Rule, StringComparer.Ordinal)
            .ThenBy(l => l.Importer, StringComparer.Ordinal).ThenBy(l => l.Detail, StringComparer.Ordinal).ToList();
        foreach (var node in _graph.Modules.Where(n => !n.Reached && n.PendingImports is not null).OrderBy(n => n.Name, StringComparer.Ordinal))
        {
            foreach (var stmt in node.PendingImports!.OrderBy(s => s.Line))
            {
                var name = TargetName(node, stmt, out _);
                if (name is null || (stmt.Context.HasFlag(ImportContext.TypeChecking) && !_options.FollowTypeChecking) || !Exists(name)
                    || _interp.BuiltinModules.Contains(name))
                    continue;
                all.Add(new LeftOutModule(name, "optional-unreached",
                    $"{ImportEdge.KindOf(stmt.Context)} import at line {stmt.Line} of {node.Name}, which is collected only as part of its package " +
                    $"and never imported by the app's code; nothing else collects {name.Split('.')[0]} (add it with --hidden-import)", node.Name));
            }
        }
        var seen = new HashSet<string>(StringComparer.Ordinal);
        return all.Where(l => _graph.Find(l.Module) is not { Kind: not ModuleKind.Missing } && seen.Add(l.Module)).ToList();
    }

    private void FollowImport(ModuleNode importer, ImportStatement stmt)
    {
        var source = stmt.IsDynamic ? EdgeSource.Dynamic : EdgeSource.Statement;
        var baseName = TargetName(importer, stmt, out var problem);
        if (baseName is null)
        {
            if (problem is not null)
                _problems.Enqueue(new AnalysisProblem(importer.Path ?? importer.Name, stmt.Line, 0, problem));
            return;
        }

        if (stmt.Context.HasFlag(ImportContext.Conditional) && SysModulesGuard.LoadsNothing(stmt.Condition, baseName))
        {
            // it runs only once the module is imported: nothing to collect for it (SysModulesGuard)
            if (_guarded.Add((baseName, importer.Name)))
                _leftOut.Add(new LeftOutModule(baseName, SysModulesGuard.Rule,
                    $"imported at line {stmt.Line} of {importer.Name} only under `{stmt.Condition}`, when it is loaded already", importer.Name));
            return;
        }
        if (_wholeStdlib.Contains(importer.Name) && !_graph.Contains(baseName) && _stdlibLeftOut.Contains(baseName))
        {
            // A module only the whole stdlib brought in, importing a part its rules left out: not followed; a top-level
            // one makes the module itself unimportable (CollectStdlibWhole drops it).
            if ((stmt.Context == ImportContext.TopLevel || RunsOnImport(stmt)) && !_stdlibFallbacks.Contains(baseName))
                _stdlibBlocked.Add((importer.Name, baseName, stmt.Line));
            return;
        }
        if (importer.Origin is ModuleOrigin.Stdlib or ModuleOrigin.LibDynload or ModuleOrigin.None
            && IsDeveloperToolImport(importer.Name, baseName, stmt.Context))
        {
            // A stdlib module reaching for a developer tool on a side path (pickle's _test() runs doctest,
            // help() runs pydoc, pdb tries readline): not followed unless the app imports the tool itself.
            NoteExcluded(baseName, new ImportEdge(importer.Name, baseName, stmt.Context, stmt.Line, source, stmt.Condition));
            return;
        }
        if (_options.Hooks.IsExcludedImport(importer.Name, baseName))
        {
            NoteExcluded(baseName, new ImportEdge(importer.Name, baseName, stmt.Context, stmt.Line, source, stmt.Condition));
            return;
        }
        var target = ImportModule(importer.Name, baseName, stmt.Context, stmt.Line, source, stmt.Condition);
        if (stmt.Names.Count == 0 || target is null || target.Kind is ModuleKind.Missing)
            return;
        if (!target.IsPackage && target.Kind != ModuleKind.Alias)
            return; // names are attributes of a plain module
        foreach (var name in stmt.Names)
        {
            if (name == "*")
            {
                foreach (var sub in target.DunderAll ?? [])
                    TrySubmodule(importer.Name, target, sub, stmt);
                continue;
            }
            TrySubmodule(importer.Name, target, name, stmt);
        }
    }

    /// <summary>For <c>from pkg import name</c>: an edge to <c>pkg.name</c> when it is a submodule; nothing when an attribute.</summary>
    private void TrySubmodule(string importer, ModuleNode package, string name, ImportStatement stmt)
    {
        var full = package.Name + "." + name;
        if (IsExcluded(full) || _options.Hooks.IsExcludedImport(importer, full))
        {
            NoteExcluded(full, new ImportEdge(importer, full, stmt.Context, stmt.Line, EdgeSource.Statement, stmt.Condition));
            return;
        }
        var existing = _graph.Find(full);
        if (existing is null)
        {
            if (package.Kind == ModuleKind.Alias && package.AliasOf is null)
            {
                // six.moves: a virtual package whose names are modules or attributes.
                var mapped = SixMoves.Resolve(full[(package.Name.Length + 1)..]);
                if (mapped is null)
                    return;
            }
            else if (!CanFind(package, name))
            {
                return; // an attribute, not a submodule
            }
        }
        ImportModule(importer, full, stmt.Context, stmt.Line, stmt.IsDynamic ? EdgeSource.Dynamic : EdgeSource.Statement, stmt.Condition);
    }

    private bool CanFind(ModuleNode package, string name)
    {
        if (package.SearchLocations.Count == 0)
            return _frozen.Contains(package.Name + "." + name);
        return _finder.Find(name, package.SearchLocations) is not null || _frozen.Contains(package.Name + "." + name);
    }

    private void NoteExcluded(string name, ImportEdge edge)
    {
        if (!_excluded.TryGetValue(name, out var list))
            _excluded[name] = list = [];
        list.Add(edge);
    }

    /// <summary>
    /// <c>sys.modules["a.b"] = x</c> in <paramref name="installer"/>: importing <c>a.b</c> finds <c>x</c> once the installer
    /// has run (CPython 3.13's <c>collections</c> installs <c>_collections_abc</c> as <c>collections.abc</c>, which has no file).
    /// <c>a.b</c> becomes an alias of the module <c>x</c> names when the file imports it by that name, else of the
    /// installer itself (which made the object). A module of that name with a file of its own is left as it is, and so
    /// is a name outside the installer's own package (a test's <c>sys.modules["x"] = mock</c>).
    /// </summary>
    private void Install(ModuleNode installer, ModuleAssignment assignment, IReadOnlyList<ImportStatement> imports)
    {
        var name = assignment.Name;
        var top = installer.Name == "__main__" ? _mainPackage : installer.TopLevel;
        if (top is null || !name.StartsWith(top + ".", StringComparison.Ordinal) || name.Split('.').Any(p => p.Length == 0))
            return;
        var head = assignment.Value.Split('.')[0];
        var target = imports.Any(i => i.Level == 0 && i.Names.Count == 0 && !i.IsDynamic && i.Module.Split('.')[0] == head)
            ? assignment.Value
            : installer.Name;
        if (target == name || !_installed.TryAdd(name, target))
            return;
        if (_graph.Find(name) is { Kind: ModuleKind.Missing } missing)
        {
            // already looked up (its parent's scan came later): it is there at run time after all
            missing.Kind = ModuleKind.Alias;
            missing.AliasOf = target;
            ImportModule(name, target, ImportContext.TopLevel, 0, EdgeSource.Hidden, null);
        }
    }

    /// <summary>Imports a dotted name and its parents, adding nodes and edges; returns the deepest node.</summary>
    private ModuleNode? ImportModule(string importer, string name, ImportContext context, int line, EdgeSource source, string? condition)
    {
        var parts = name.Split('.');
        ModuleNode? parent = null;
        for (int i = 0; i < parts.Length; i++)
        {
            var partial = string.Join('.', parts, 0, i + 1);
            if (IsExcluded(partial))
            {
                NoteExcluded(partial, new ImportEdge(importer, partial, context, line, source, condition));
                return null;
            }
            var node = _graph.Find(partial) ?? Resolve(partial, parent);
            bool deepest = i == parts.Length - 1;
            if (partial != importer)
            {
                var edgeSource = deepest ? source : source == EdgeSource.Expansion ? EdgeSource.Expansion : EdgeSource.Parent;
                _graph.AddEdge(new ImportEdge(importer, partial, context, line, edgeSource, condition));
                if (edgeSource != EdgeSource.Expansion && !NeverRuns(context, condition) && (_reachAll || _graph.Find(importer)?.Reached == true))
                    MarkReached(node);
            }
            if (node.Kind == ModuleKind.Missing)
            {
                // Parents failing make children fail too: one missing node for the first missing part.
                return node;
            }
            parent = node;
        }
        return parent;
    }

    /// <summary>Whether an import is on a side path the analysis does not follow until the app reaches the imported
    /// module: a developer tool of the standard library imported below top level (the built-in hooks marked
    /// <c>developer_tool</c>: doctest, pdb, pydoc, unittest, …, which the stdlib imports only inside functions, branches
    /// and ImportError guards; following them makes every app carry them, and readline, GPL), a module's listed
    /// <c>side_imports</c> (importlib's bootstrap → importlib.metadata, random → statistics), and the stdlib's own
    /// <c>test</c> package.</summary>
    private bool IsDeveloperToolImport(string importer, string name, ImportContext context)
    {
        if (_options.Hooks.IsSideImport(importer, name)) // a function, a branch, or an ImportError fallback (random's hashlib)
            return _graph.Find(name)?.Reached != true;
        var top = name.Split('.')[0];
        if (top == "test")
            return _graph.Find(name)?.Reached != true;
        if (context == ImportContext.TopLevel || !_options.Hooks.IsDeveloperTool(top))
            return false;
        return _graph.Find(top)?.Reached != true;
    }

    /// <summary>An import under a version check the target does not pass (<c>if sys.version_info &gt;= (3, 14):</c> on
    /// 3.13, <see cref="VersionCondition"/>): <c>python3 app.py</c> never runs it there, so it reaches nothing. The
    /// module is still looked up (and collected when found), as the app's own files are.</summary>
    private bool NeverRuns(ImportContext context, string? condition)
    {
        if (condition is null || !context.HasFlag(ImportContext.Conditional))
            return false;
        if (!_versionChecks.TryGetValue(condition, out var never))
            _versionChecks[condition] = never = VersionCondition.Evaluate(condition, _interp.Major, _interp.Minor, _interp.Micro) == false;
        return never;
    }

    /// <summary>Marks a module reached by the app's imports, and everything it imports (not through expansion) too;
    /// imports that were waiting for that are followed now.</summary>
    private void MarkReached(ModuleNode start)
    {
        if (start.Reached)
            return;
        start.Reached = true;
        _reachWork.Push(start);
        if (_marking)
            return; // the loop below, further up the stack, picks it up
        _marking = true;
        try
        {
            while (_reachWork.Count > 0)
            {
                var node = _reachWork.Pop();
                foreach (var edge in _graph.Imports(node.Name).ToList())
                {
                    if (edge.Source == EdgeSource.Expansion || NeverRuns(edge.Context, edge.Condition))
                        continue;
                    var target = _graph.Find(edge.To);
                    if (target is not null && !target.Reached)
                    {
                        target.Reached = true;
                        _reachWork.Push(target);
                    }
                }
                var pending = node.PendingImports;
                if (pending is not null)
                {
                    node.PendingImports = null;
                    foreach (var stmt in pending)
                        ProcessImport(node, stmt);
                }
            }
        }
        finally
        {
            _marking = false;
        }
    }

    /// <summary>Resolves one module whose parent (if any) is already resolved, adds it to the graph, and starts its scan.</summary>
    private ModuleNode Resolve(string fullName, ModuleNode? parent)
    {
        var node = ResolveNode(fullName, parent);
        if (node.Kind is not ModuleKind.Missing)
            foreach (var (module, optional) in _options.Hooks.HiddenImportsFor(fullName))
                _pendingHidden.Enqueue((fullName, module, optional));
        return node;
    }

    private ModuleNode ResolveNode(string fullName, ModuleNode? parent)
    {
        ModuleNode node;
        var hookAlias = _options.Hooks.AliasFor(fullName);
        if (hookAlias is not null)
        {
            node = _graph.Add(new ModuleNode(fullName, ModuleKind.Alias) { AliasOf = hookAlias });
            ImportModule(fullName, hookAlias, ImportContext.TopLevel, 0, EdgeSource.Hidden, null);
            return node;
        }
        var tail = parent is null ? fullName : fullName[(parent.Name.Length + 1)..];
        if (_aliases.TryGetValue(fullName, out var aliasOf))
        {
            node = _graph.Add(new ModuleNode(fullName, ModuleKind.Alias) { AliasOf = aliasOf });
            ImportModule(fullName, aliasOf, ImportContext.TopLevel, 0, EdgeSource.Hidden, null);
            return node;
        }
        if (parent is { Kind: ModuleKind.Alias })
        {
            // a submodule of six.moves (or of an alias package): map to the real module
            var mapped = parent.AliasOf is null ? SixMoves.Resolve(fullName[(parent.Name.Length + 1)..]) : parent.AliasOf + "." + tail;
            if (mapped is null)
                return _graph.Add(new ModuleNode(fullName, ModuleKind.Missing));
            node = _graph.Add(new ModuleNode(fullName, ModuleKind.Alias) { AliasOf = mapped });
            if (mapped.Length > 0)
                ImportModule(fullName, mapped, ImportContext.TopLevel, 0, EdgeSource.Hidden, null);
            return node;
        }
        if (parent is null && _builtins.Contains(fullName))
            return _graph.Add(new ModuleNode(fullName, ModuleKind.Builtin));
        if (_frozen.Contains(fullName))
        {
            node = _graph.Add(new ModuleNode(fullName, ModuleKind.Frozen));
            // Scan the stdlib source of a frozen module for its own imports (they may not be frozen).
            var loc = parent is null
                ? _finder.Find(tail, [Path.GetFullPath(_interp.Stdlib)])
                : parent.SearchLocations.Count > 0 ? _finder.Find(tail, parent.SearchLocations) : null;
            if (loc?.Path is not null)
            {
                node.Path = loc.Path;
                node.SearchLocations = loc.SearchLocations;
                node.SearchRoot = loc.Root;
                StartScan(node);
            }
            return node;
        }
        if (parent is not null && !parent.IsPackage)
        {
            if (SixMoves.IsSixModule(parent) && tail == "moves")
                return _graph.Add(new ModuleNode(fullName, ModuleKind.Alias) { AliasOf = null });
            return _graph.Add(new ModuleNode(fullName, ModuleKind.Missing));
        }
        var locations = parent is null ? (IReadOnlyList<string>)_searchPath : parent.SearchLocations;
        var found = _finder.Find(tail, locations);
        if (found is null && _installed.TryGetValue(fullName, out var installedAs))
        {
            node = _graph.Add(new ModuleNode(fullName, ModuleKind.Alias) { AliasOf = installedAs });
            ImportModule(fullName, installedAs, ImportContext.TopLevel, 0, EdgeSource.Hidden, null);
            return node;
        }
        if (found is null)
            return _graph.Add(new ModuleNode(fullName, ModuleKind.Missing));
        var root = parent is null ? found.Root : RootOf(found.Root, parent.Name) ?? parent.SearchRoot ?? found.Root;
        node = _graph.Add(new ModuleNode(fullName, found.Kind)
        {
            Path = found.Path,
            SearchLocations = found.SearchLocations,
            SearchRoot = root,
            Origin = _rootOrigin.GetValueOrDefault(root, ModuleOrigin.SitePackages),
        });
        if (node.Path is not null && node.Kind is ModuleKind.Source or ModuleKind.Package)
            StartScan(node);
        else if (node.Path is not null && node.Kind == ModuleKind.Extension)
            StartBinaryScan(node);
        return node;
    }
}
