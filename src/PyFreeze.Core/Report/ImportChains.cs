using PyFreeze.Analyze;

namespace PyFreeze.Report;

/// <summary>How one edge of a why-chain was made, as the report, <c>--json</c> and <c>analyze --why</c> name it.</summary>
public static class EdgeKinds
{
    /// <summary>An <c>import</c> at module level, run when the importer is imported.</summary>
    public const string TopLevel = "top-level";
    /// <summary>An import inside a function: runs when the function does.</summary>
    public const string Deferred = "deferred";
    /// <summary>An import under an <c>if</c>.</summary>
    public const string Conditional = "conditional";
    /// <summary>An import inside <c>try/except ImportError</c>.</summary>
    public const string Optional = "optional";
    /// <summary>An import under <c>if TYPE_CHECKING:</c> (never runs; only a last resort for a chain).</summary>
    public const string TypeChecking = "type-checking";
    /// <summary>A hook's hidden import (built-in or <c>--additional-hooks-dir</c>), or a module a distribution's
    /// compiled code imports (mypyc helpers).</summary>
    public const string Hook = "hook";
    /// <summary>A submodule collected because its package is collected whole (no import reaches it).</summary>
    public const string WholePackage = "whole-package";
    /// <summary>A module an installed distribution's entry point names (a plugin its package loads by name).</summary>
    public const string EntryPoint = "entry-point";
    /// <summary>One of the app's own modules beside the entry, collected though no import shows it.</summary>
    public const string AppModule = "app-module";
    /// <summary>A module name found in an extension module's strings (an import made from C,
    /// see <see cref="ExtensionImports"/>).</summary>
    public const string CExtensionString = "c-extension-string";
    /// <summary><c>--hidden-import</c> (or <c>--collect-submodules</c>, or a console-script wrapper's entry point).</summary>
    public const string HiddenImport = "hidden-import";
    /// <summary>A module PyFreeze's frozen runtime needs itself (encodings, the boot module's imports).</summary>
    public const string Runtime = "runtime";
    /// <summary>A parent package, run because a submodule is imported (importing <c>a.b</c> runs <c>a/__init__</c>).</summary>
    public const string ParentPackage = "parent-package";
    /// <summary>A name the import system maps to another module at run time (<c>os.path</c>, <c>six.moves.*</c>,
    /// a <c>sys.modules</c> assignment).</summary>
    public const string Alias = "alias";

    /// <summary>Every kind, in the order chains prefer them between equally short paths.</summary>
    public static readonly IReadOnlyList<string> All =
        [TopLevel, ParentPackage, HiddenImport, Runtime, Hook, CExtensionString, Deferred, Conditional, Optional, Alias,
         WholePackage, EntryPoint, AppModule, TypeChecking];
}

/// <summary>What an edge's kind depends on beyond the graph: the names given as hidden imports and the frozen runtime's
/// own imports (both are hidden imports of <c>__main__</c> in the graph).</summary>
/// <param name="HiddenImports"><c>--hidden-import</c> names.</param>
/// <param name="RuntimeImports">The frozen runtime's imports (<see cref="PyFreeze.Collect.Collector.RuntimeImports"/>).</param>
public sealed record ChainContext(IReadOnlySet<string> HiddenImports, IReadOnlySet<string> RuntimeImports)
{
    /// <summary>No hidden or runtime imports known (every hidden import of <c>__main__</c> is then a hidden import).</summary>
    public static readonly ChainContext None = new(new HashSet<string>(), new HashSet<string>());

    /// <summary>A context from the two lists.</summary>
    public static ChainContext Of(IEnumerable<string> hiddenImports, IEnumerable<string> runtimeImports) =>
        new(new HashSet<string>(hiddenImports, StringComparer.Ordinal), new HashSet<string>(runtimeImports, StringComparer.Ordinal));
}

/// <summary>One step of a why-chain: <paramref name="From"/> brings in <paramref name="To"/>.</summary>
/// <param name="From">The importer.</param>
/// <param name="To">The module it brings in.</param>
/// <param name="Kind">How (<see cref="EdgeKinds"/>).</param>
/// <param name="Line">1-based line of the import in <paramref name="From"/>, 0 when not from source.</param>
public sealed record ChainStep(string From, string To, string Kind, int Line);

/// <summary>
/// Why each module is in the app: the shortest import chain from the entry (<c>__main__</c>) to it, over the module
/// graph's edges, each edge named by how it was made (<see cref="EdgeKinds"/>). A shortest-path search where every
/// edge counts 1 and an import under <c>if TYPE_CHECKING:</c> counts as much as any real chain (it never runs, so it
/// explains a module only when nothing else does); among equally short chains the one made of stronger kinds
/// (<see cref="EdgeKinds.All"/>'s order), then of smaller names, wins, so the answer is the same on every run.
/// Pure: reads the graph, starts nothing.
/// </summary>
public sealed class ImportChains
{
    private const int TypeCheckingCost = 100_000;
    private readonly ModuleGraph _graph;
    private readonly ChainContext _context;
    private readonly Dictionary<string, int> _distance = new(StringComparer.Ordinal);
    private readonly Dictionary<string, ChainStep> _via = new(StringComparer.Ordinal);

    /// <summary>Searches the graph once from <c>__main__</c> (O(E log V)).</summary>
    public ImportChains(ModuleGraph graph, ChainContext context)
    {
        _graph = graph;
        _context = context;
        Search();
    }

    /// <summary>The entry's module name.</summary>
    public const string Entry = "__main__";

    /// <summary>Names an edge as the reports do (<see cref="EdgeKinds"/>).</summary>
    public string KindOf(ImportEdge e)
    {
        switch (e.Source)
        {
            case EdgeSource.Parent:
                return EdgeKinds.ParentPackage;
            case EdgeSource.Expansion:
                return e.To.StartsWith(e.From + ".", StringComparison.Ordinal) ? EdgeKinds.WholePackage
                    : e.From == Entry ? EdgeKinds.AppModule : EdgeKinds.EntryPoint;
            case EdgeSource.Hidden:
                if (e.From == Entry)
                    return _context.RuntimeImports.Contains(e.To) && !_context.HiddenImports.Contains(e.To) ? EdgeKinds.Runtime : EdgeKinds.HiddenImport;
                return _graph.Find(e.From)?.Kind == ModuleKind.Alias ? EdgeKinds.Alias : EdgeKinds.Hook;
            default:
                if (e.Source == EdgeSource.Dynamic && _graph.Find(e.From)?.Kind == ModuleKind.Extension)
                    return EdgeKinds.CExtensionString;
                return e.Kind;
        }
    }

    private static readonly Dictionary<string, int> Ranks = EdgeKinds.All.Select((k, i) => (k, i)).ToDictionary(x => x.k, x => x.i, StringComparer.Ordinal);

    private static int Rank(string kind) => Ranks.GetValueOrDefault(kind, EdgeKinds.All.Count);

    private static int Cost(string kind) => kind == EdgeKinds.TypeChecking ? TypeCheckingCost : 1;

    /// <summary>The edges into <paramref name="name"/> that end a shortest chain, best first.</summary>
    private IEnumerable<ChainStep> BestSteps(string name)
    {
        if (!_distance.TryGetValue(name, out var d))
            return [];
        return _graph.Importers(name)
            .Select(e => new ChainStep(e.From, e.To, KindOf(e), e.Line))
            .Where(s => s.From != name && _distance.TryGetValue(s.From, out var df) && df + Cost(s.Kind) == d)
            .OrderBy(s => Rank(s.Kind)).ThenBy(s => s.From, StringComparer.Ordinal).ThenBy(s => s.Line)
            .DistinctBy(s => s.From);
    }

    private void Search()
    {
        if (_graph.Find(Entry) is null)
            return;
        var queue = new PriorityQueue<string, (int, int, string)>();
        _distance[Entry] = 0;
        queue.Enqueue(Entry, (0, 0, Entry));
        var done = new HashSet<string>(StringComparer.Ordinal);
        while (queue.TryDequeue(out var name, out _))
        {
            if (!done.Add(name))
                continue;
            var d = _distance[name];
            foreach (var e in _graph.Imports(name))
            {
                if (e.To == name || done.Contains(e.To))
                    continue;
                var kind = KindOf(e);
                var nd = d + Cost(kind);
                if (_distance.TryGetValue(e.To, out var old) && (old < nd || old == nd && !Better(kind, name, e.Line, _via[e.To])))
                    continue;
                var step = new ChainStep(name, e.To, kind, e.Line);
                _distance[e.To] = nd;
                _via[e.To] = step;
                queue.Enqueue(e.To, (nd, Rank(kind), e.To));
            }
        }
    }

    /// <summary>True when an edge of <paramref name="kind"/> from <paramref name="from"/> at <paramref name="line"/> ends
    /// an equally short chain better than <paramref name="b"/>.</summary>
    private static bool Better(string kind, string from, int line, ChainStep b)
    {
        int c = Rank(kind).CompareTo(Rank(b.Kind));
        if (c != 0)
            return c < 0;
        c = string.CompareOrdinal(from, b.From);
        return c != 0 ? c < 0 : line < b.Line;
    }

    /// <summary>The last step of <paramref name="module"/>'s shortest chain (its importer and how), or null for the
    /// entry and for modules no chain reaches. Following <see cref="ChainStep.From"/> back to <c>__main__</c> gives the
    /// chain (<see cref="Chain"/>).</summary>
    public ChainStep? Via(string module) => _via.GetValueOrDefault(module);

    /// <summary>True when a chain from the entry reaches the module (the entry itself included).</summary>
    public bool Reaches(string module) => _distance.ContainsKey(module);

    /// <summary>The shortest chain from <c>__main__</c> to <paramref name="module"/>, first step first; empty for the
    /// entry, null when nothing reaches it.</summary>
    public IReadOnlyList<ChainStep>? Chain(string module)
    {
        if (!_distance.ContainsKey(module))
            return null;
        var steps = new List<ChainStep>();
        for (var name = module; _via.TryGetValue(name, out var step); name = step.From)
            steps.Add(step);
        steps.Reverse();
        return steps;
    }

    /// <summary>Up to <paramref name="limit"/> different shortest chains to <paramref name="module"/> (they differ in at
    /// least one importer; of an importer's edges only the strongest counts), the one <see cref="Chain"/> gives first;
    /// empty when nothing reaches it.</summary>
    public IReadOnlyList<IReadOnlyList<ChainStep>> Chains(string module, int limit = 3)
    {
        var result = new List<IReadOnlyList<ChainStep>>();
        if (!_distance.ContainsKey(module) || limit <= 0)
            return result;
        if (module == Entry)
        {
            result.Add([]);
            return result;
        }
        var first = Chain(module)!;
        result.Add(first);
        var seen = new HashSet<string>(StringComparer.Ordinal) { Key(first) };
        var path = new List<ChainStep>();
        void Walk(string name)
        {
            if (result.Count >= limit)
                return;
            if (name == Entry)
            {
                var chain = Enumerable.Reverse(path).ToList();
                if (seen.Add(Key(chain)))
                    result.Add(chain);
                return;
            }
            foreach (var step in BestSteps(name).Take(limit))
            {
                path.Add(step);
                Walk(step.From);
                path.RemoveAt(path.Count - 1);
                if (result.Count >= limit)
                    return;
            }
        }
        Walk(module);
        return result;
    }

    private static string Key(IReadOnlyList<ChainStep> chain) => string.Join("|", chain.Select(s => s.From));

    /// <summary>A chain as one line: <c>__main__ → requests (top-level, line 1) → urllib3 (top-level, line 3)</c>.</summary>
    public static string Format(IReadOnlyList<ChainStep> chain) =>
        chain.Count == 0 ? Entry
            : Entry + string.Concat(chain.Select(s => $" → {s.To} ({s.Kind}{(s.Line > 0 ? $", line {s.Line}" : "")})"));
}
