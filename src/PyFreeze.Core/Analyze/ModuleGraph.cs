namespace PyFreeze.Analyze;

/// <summary>What a module in the graph is, as CPython's import system would load it.</summary>
public enum ModuleKind
{
    /// <summary>A <c>.py</c> file (SourceFileLoader).</summary>
    Source,
    /// <summary>A regular package: a folder with <c>__init__.py</c>.</summary>
    Package,
    /// <summary>A namespace package (PEP 420): folders without <c>__init__</c>, possibly several portions.</summary>
    Namespace,
    /// <summary>An extension module (<c>.so</c>/<c>.pyd</c> with one of the interpreter's extension suffixes).</summary>
    Extension,
    /// <summary>Compiled into the interpreter (<c>sys.builtin_module_names</c>).</summary>
    Builtin,
    /// <summary>Frozen into the interpreter (3.11+: os, codecs, runpy, …); its source is still scanned for imports.</summary>
    Frozen,
    /// <summary>Not found on the search path.</summary>
    Missing,
    /// <summary>A name the import system maps to another module at run time (<c>os.path</c>, <c>six.moves.*</c>).</summary>
    Alias,
}

/// <summary>Which of the app's search-path groups a module came from; decides where it lands in the payload.</summary>
public enum ModuleOrigin
{
    /// <summary>No file (builtin, frozen, missing, alias).</summary>
    None,
    /// <summary>The entry's folder or a <c>--paths</c> folder: the app's own code.</summary>
    App,
    /// <summary>The interpreter's standard library folder.</summary>
    Stdlib,
    /// <summary>The standard library's <c>lib-dynload</c> folder.</summary>
    LibDynload,
    /// <summary>A site-packages / dist-packages folder or any other sys.path entry.</summary>
    SitePackages,
}

/// <summary>One module of the graph.</summary>
public sealed class ModuleNode
{
    /// <summary>Creates a node.</summary>
    public ModuleNode(string name, ModuleKind kind) { Name = name; Kind = kind; }

    /// <summary>Fully qualified module name (<c>__main__</c> for the entry script).</summary>
    public string Name { get; }

    /// <summary>What the module is.</summary>
    public ModuleKind Kind { get; internal set; }

    /// <summary>The file the module loads from (<c>__init__.py</c> for a package); null for namespace, builtin, missing, alias.
    /// For a frozen module, the stdlib source scanned for its imports when present.</summary>
    public string? Path { get; internal set; }

    /// <summary>The package's <c>__path__</c>: its folder(s). Empty for non-packages.</summary>
    public IReadOnlyList<string> SearchLocations { get; internal set; } = [];

    /// <summary>The <c>sys.path</c> entry its top-level package was found in (null when it has no file).</summary>
    public string? SearchRoot { get; internal set; }

    /// <summary>Which search-path group it came from.</summary>
    public ModuleOrigin Origin { get; internal set; }

    /// <summary>For <see cref="ModuleKind.Alias"/>: the module the name stands for.</summary>
    public string? AliasOf { get; internal set; }

    /// <summary>
    /// True when the app's own import chain reaches the module (from <c>__main__</c> through import statements,
    /// dynamic imports and hidden imports), false when only an expander added it. Only reached modules have their
    /// deferred, conditional and optional imports followed, so collecting packages whole does not cascade.
    /// </summary>
    public bool Reached { get; internal set; }

    /// <summary>True for a plugin its package imports by name (an entry point's module): its module-level optional imports
    /// are followed even while it is not <see cref="Reached"/>.</summary>
    public bool LoadedByName { get; internal set; }

    /// <summary>Imports not followed yet because the module is not <see cref="Reached"/> (not top-level ones).</summary>
    internal List<ImportStatement>? PendingImports { get; set; }

    /// <summary>The <c>importlib.metadata</c> look-ups with literal names the module makes (bare calls only when it imports
    /// the function from <c>importlib.metadata</c>), read by <see cref="MetadataCallExpander"/>.</summary>
    public IReadOnlyList<MetadataCall> MetadataCalls { get; internal set; } = [];

    /// <summary>The literal <c>__all__</c> found when scanning, if any.</summary>
    public IReadOnlyList<string>? DunderAll { get; internal set; }

    /// <summary>True for packages (regular, namespace, or a frozen package).</summary>
    public bool IsPackage => Kind is ModuleKind.Package or ModuleKind.Namespace || SearchLocations.Count > 0;

    /// <summary>The top-level package name (<c>a</c> for <c>a.b.c</c>).</summary>
    public string TopLevel => Name.Split('.')[0];

    /// <summary>The parent package's name, or null for a top-level module.</summary>
    public string? Parent => Name.LastIndexOf('.') is var i and > 0 ? Name[..i] : null;

    /// <inheritdoc />
    public override string ToString() => $"{Name} ({Kind})";
}

/// <summary>How an edge came to be.</summary>
public enum EdgeSource
{
    /// <summary>An <c>import</c> statement.</summary>
    Statement,
    /// <summary>A literal <c>importlib.import_module</c> / <c>__import__</c> call.</summary>
    Dynamic,
    /// <summary>A parent package implied by importing a submodule (importing <c>a.b</c> runs <c>a/__init__</c>).</summary>
    Parent,
    /// <summary>A hidden import from <c>--hidden-import</c>, a hook, or PyFreeze's own runtime needs.</summary>
    Hidden,
    /// <summary>Added by an expander: a submodule of a collected package, an entry point's module, the app's own
    /// modules beside the entry. Collected so dynamic imports work, though no import statement was seen.</summary>
    Expansion,
}

/// <summary>An import from one module of the graph to another.</summary>
/// <param name="From">Importing module.</param>
/// <param name="To">Imported module.</param>
/// <param name="Context">Where the import sits in the importer (flags).</param>
/// <param name="Line">1-based line in the importer, 0 when not from source.</param>
/// <param name="Source">Statement, dynamic call, implied parent, or hidden import.</param>
/// <param name="Condition">Enclosing <c>if</c> test text for conditional imports.</param>
public sealed record ImportEdge(string From, string To, ImportContext Context, int Line, EdgeSource Source, string? Condition = null)
{
    /// <summary>
    /// The one kind a report shows: <c>type-checking</c>, <c>optional</c>, <c>conditional</c>, <c>deferred</c> or
    /// <c>top-level</c> (the most forgiving context wins: an optional import inside a function is optional).
    /// </summary>
    public string Kind => KindOf(Context);

    /// <summary>Names the context as a report shows it (see <see cref="Kind"/>).</summary>
    public static string KindOf(ImportContext c) =>
        c.HasFlag(ImportContext.TypeChecking) ? "type-checking"
        : c.HasFlag(ImportContext.Optional) ? "optional"
        : c.HasFlag(ImportContext.Conditional) ? "conditional"
        : c.HasFlag(ImportContext.Deferred) ? "deferred"
        : "top-level";
}

/// <summary>
/// The module graph: modules by name and the imports between them. Filled by the analyzer; read by the
/// collect stage and the reports. Not thread-safe for writing.
/// </summary>
public sealed class ModuleGraph
{
    private readonly Dictionary<string, ModuleNode> _nodes = new(StringComparer.Ordinal);
    private readonly List<ImportEdge> _edges = [];
    private readonly HashSet<(string, string, ImportContext, int)> _edgeKeys = [];
    private readonly Dictionary<string, List<ImportEdge>> _incoming = new(StringComparer.Ordinal);
    private readonly Dictionary<string, List<ImportEdge>> _outgoing = new(StringComparer.Ordinal);

    /// <summary>All modules, in the order they were added.</summary>
    public IEnumerable<ModuleNode> Modules => _nodes.Values;

    /// <summary>All edges, in the order they were added.</summary>
    public IReadOnlyList<ImportEdge> Edges => _edges;

    /// <summary>Number of modules.</summary>
    public int Count => _nodes.Count;

    /// <summary>Looks a module up by name.</summary>
    public ModuleNode? Find(string name) => _nodes.GetValueOrDefault(name);

    /// <summary>True when the graph has a module of that name.</summary>
    public bool Contains(string name) => _nodes.ContainsKey(name);

    /// <summary>Adds a module; a module of the same name must not exist yet.</summary>
    /// <exception cref="InvalidOperationException">The name is already in the graph.</exception>
    public ModuleNode Add(ModuleNode node)
    {
        if (!_nodes.TryAdd(node.Name, node))
            throw new InvalidOperationException($"module {node.Name} is already in the graph");
        return node;
    }

    /// <summary>Removes a module and every edge to or from it (for exclusions).</summary>
    public void Remove(string name)
    {
        if (!_nodes.Remove(name))
            return;
        _edges.RemoveAll(e => e.From == name || e.To == name);
        _incoming.Remove(name);
        _outgoing.Remove(name);
        foreach (var list in _incoming.Values)
            list.RemoveAll(e => e.From == name);
        foreach (var list in _outgoing.Values)
            list.RemoveAll(e => e.To == name);
    }

    /// <summary>Adds an edge unless the same (from, to, context, line) edge exists.</summary>
    public void AddEdge(ImportEdge edge)
    {
        if (!_edgeKeys.Add((edge.From, edge.To, edge.Context, edge.Line)))
            return;
        _edges.Add(edge);
        if (!_incoming.TryGetValue(edge.To, out var list))
            _incoming[edge.To] = list = [];
        list.Add(edge);
        if (!_outgoing.TryGetValue(edge.From, out var outList))
            _outgoing[edge.From] = outList = [];
        outList.Add(edge);
    }

    /// <summary>The edges from <paramref name="name"/> to the modules it imports.</summary>
    public IReadOnlyList<ImportEdge> Imports(string name) => _outgoing.GetValueOrDefault(name) ?? (IReadOnlyList<ImportEdge>)[];

    /// <summary>The edges that import <paramref name="name"/>.</summary>
    public IReadOnlyList<ImportEdge> Importers(string name) => _incoming.GetValueOrDefault(name) ?? (IReadOnlyList<ImportEdge>)[];
}
