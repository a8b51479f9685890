using PyFreeze.Analyze;
using PyFreeze.Probe;
using PyFreeze.Report;

namespace PyFreeze.Tests.Report;

/// <summary>The why-chains as a pure graph search: hand-made module graphs, no process.</summary>
[Trait("Lane", "Fast")]
public class ImportChainsTests
{
    /// <summary>A graph from (from, to, context, source, line) edges; every name gets a source module unless
    /// <paramref name="kinds"/> says otherwise.</summary>
    private static ModuleGraph Graph(IEnumerable<(string From, string To, ImportContext Context, EdgeSource Source, int Line)> edges,
        Dictionary<string, ModuleKind>? kinds = null)
    {
        var g = new ModuleGraph();
        foreach (var (from, to, context, source, line) in edges)
        {
            foreach (var name in new[] { from, to })
                if (!g.Contains(name))
                    g.Add(new ModuleNode(name, kinds?.GetValueOrDefault(name, ModuleKind.Source) ?? ModuleKind.Source));
            g.AddEdge(new ImportEdge(from, to, context, line, source));
        }
        return g;
    }

    private static (string, string, ImportContext, EdgeSource, int) S(string from, string to, int line = 1, ImportContext c = ImportContext.TopLevel) =>
        (from, to, c, EdgeSource.Statement, line);

    [Fact]
    public void The_shortest_chain_wins_over_a_longer_one_and_names_each_edge()
    {
        var g = Graph([S("__main__", "a"), S("a", "b", 3), S("b", "c", 7), S("__main__", "d", 2), S("d", "c", 9, ImportContext.Deferred)]);
        var chains = new ImportChains(g, ChainContext.None);
        var chain = chains.Chain("c")!;
        Assert.Equal([new ChainStep("__main__", "d", "top-level", 2), new ChainStep("d", "c", "deferred", 9)], chain);
        Assert.Equal("__main__ → d (top-level, line 2) → c (deferred, line 9)", ImportChains.Format(chain));
        Assert.Equal(new ChainStep("d", "c", "deferred", 9), chains.Via("c"));
        Assert.Empty(chains.Chain("__main__")!);
        Assert.Null(chains.Via("__main__"));
    }

    [Fact]
    public void Equal_chains_prefer_stronger_kinds_then_smaller_names_whatever_the_order_the_graph_was_made_in()
    {
        (string, string, ImportContext, EdgeSource, int)[] edges =
        [
            S("__main__", "z"), S("__main__", "y"), S("__main__", "x"),
            S("z", "t", 4), S("y", "t", 5, ImportContext.Optional), S("x", "t", 6, ImportContext.Conditional),
        ];
        var forward = new ImportChains(Graph(edges), ChainContext.None);
        var backward = new ImportChains(Graph(edges.Reverse()), ChainContext.None);
        Assert.Equal(new ChainStep("z", "t", "top-level", 4), forward.Via("t"));
        Assert.Equal(forward.Chain("t"), backward.Chain("t"));
        var all = forward.Chains("t", 5);
        Assert.Equal(["z", "x", "y"], all.Select(c => c[^1].From)); // top-level, conditional, optional
        Assert.Equal(all.Select(ImportChains.Format), backward.Chains("t", 5).Select(ImportChains.Format));
        Assert.Single(forward.Chains("t", 1));
    }

    [Fact]
    public void An_import_under_TYPE_CHECKING_explains_a_module_only_when_nothing_else_does()
    {
        var g = Graph([S("__main__", "a"), S("a", "typed", 2, ImportContext.TypeChecking), S("a", "b", 3), S("b", "c", 4), S("c", "typed", 5),
            S("a", "only_typed", 6, ImportContext.TypeChecking)]);
        var chains = new ImportChains(g, ChainContext.None);
        Assert.Equal(["a", "b", "c", "typed"], chains.Chain("typed")!.Select(s => s.To));
        Assert.Equal("type-checking", chains.Chain("only_typed")![^1].Kind);
    }

    [Fact]
    public void Every_kind_of_edge_has_its_name()
    {
        var kinds = new Dictionary<string, ModuleKind> { ["pkg"] = ModuleKind.Package, ["ext"] = ModuleKind.Extension, ["os.path"] = ModuleKind.Alias };
        var g = Graph(
        [
            ("__main__", "pkg", ImportContext.TopLevel, EdgeSource.Statement, 1),
            ("__main__", "pkg.sub", ImportContext.TopLevel, EdgeSource.Statement, 2),
            ("pkg", "pkg.whole", ImportContext.TopLevel, EdgeSource.Expansion, 0),
            ("__main__", "mine", ImportContext.TopLevel, EdgeSource.Expansion, 0),
            ("pkg", "plugin", ImportContext.TopLevel, EdgeSource.Expansion, 0),
            ("pkg", "hooked", ImportContext.TopLevel, EdgeSource.Hidden, 0),
            ("__main__", "asked", ImportContext.TopLevel, EdgeSource.Hidden, 0),
            ("__main__", "encodings", ImportContext.TopLevel, EdgeSource.Hidden, 0),
            ("__main__", "ext", ImportContext.Deferred, EdgeSource.Dynamic, 3),
            ("ext", "uuid", ImportContext.Optional, EdgeSource.Dynamic, 0),
            ("__main__", "os.path", ImportContext.TopLevel, EdgeSource.Statement, 4),
            ("os.path", "posixpath", ImportContext.TopLevel, EdgeSource.Hidden, 0),
            ("pkg.sub", "pkg.sub.x", ImportContext.Conditional, EdgeSource.Statement, 8),
            ("pkg.sub.x", "pkg.sub.x.y", ImportContext.Optional, EdgeSource.Statement, 9),
            ("pkg.sub.x.y", "pkg", ImportContext.TopLevel, EdgeSource.Parent, 1),
        ], kinds);
        var chains = new ImportChains(g, ChainContext.Of(["asked"], ["encodings", "asked"]));
        string Last(string m) => chains.Via(m)!.Kind;
        Assert.Equal(EdgeKinds.WholePackage, Last("pkg.whole"));
        Assert.Equal(EdgeKinds.AppModule, Last("mine"));
        Assert.Equal(EdgeKinds.EntryPoint, Last("plugin"));
        Assert.Equal(EdgeKinds.Hook, Last("hooked"));
        Assert.Equal(EdgeKinds.HiddenImport, Last("asked")); // given as --hidden-import, though the runtime needs it too
        Assert.Equal(EdgeKinds.Runtime, Last("encodings"));
        Assert.Equal(EdgeKinds.Deferred, Last("ext"));
        Assert.Equal(EdgeKinds.CExtensionString, Last("uuid"));
        Assert.Equal(EdgeKinds.Alias, Last("posixpath"));
        Assert.Equal(EdgeKinds.Conditional, Last("pkg.sub.x"));
        Assert.Equal(EdgeKinds.Optional, Last("pkg.sub.x.y"));
        Assert.Equal(EdgeKinds.ParentPackage, chains.KindOf(g.Importers("pkg").Single(e => e.Source == EdgeSource.Parent)));
        Assert.All(g.Edges, e => Assert.Contains(chains.KindOf(e), EdgeKinds.All));
    }

    [Fact]
    public void A_module_no_chain_reaches_has_none()
    {
        var g = Graph([S("__main__", "a"), S("island", "b")]);
        var chains = new ImportChains(g, ChainContext.None);
        Assert.Null(chains.Chain("b"));
        Assert.Null(chains.Chain("island"));
        Assert.Empty(chains.Chains("b"));
        Assert.False(chains.Reaches("b"));
        Assert.True(chains.Reaches("a"));
    }

    private static AnalysisResult Analysis(ModuleGraph g, Dictionary<string, List<ImportEdge>> excluded) => new()
    {
        Graph = g,
        SearchPath = ["/app"],
        Interpreter = new InterpreterInfo(),
        Problems = [],
        Excluded = excluded,
        EntryScript = "/app/app.py",
    };

    [Fact]
    public void Names_exclude_module_kept_out_are_left_out_by_that_rule_and_the_others_are_not_claimed()
    {
        var g = Graph([S("__main__", "a"), S("a", "b")]);
        var excluded = new Dictionary<string, List<ImportEdge>>
        {
            ["tkinter"] = [new ImportEdge("a", "tkinter", ImportContext.Deferred, 12, EdgeSource.Statement), new ImportEdge("b", "tkinter", ImportContext.TopLevel, 3, EdgeSource.Statement)],
            ["tkinter.ttk"] = [new ImportEdge("b", "tkinter.ttk", ImportContext.TopLevel, 4, EdgeSource.Statement)],
            ["doctest"] = [new ImportEdge("a", "doctest", ImportContext.Deferred, 20, EdgeSource.Statement)], // a developer tool, not --exclude-module
        };
        var leftOut = ReportBuilder.LeftOut(Analysis(g, excluded), ["tkinter"]);
        Assert.Equal([("tkinter", "exclude-module", "a"), ("tkinter.ttk", "exclude-module", "b")], leftOut.Select(l => (l.Module, l.Rule, l.Importer)));
        Assert.Equal("--exclude-module tkinter; imported by a (line 12, deferred) and 1 more", leftOut[0].Detail);
    }

    [Fact]
    public void Why_prints_the_chains_a_miss_and_what_was_left_out()
    {
        var kinds = new Dictionary<string, ModuleKind> { ["gone"] = ModuleKind.Missing };
        var g = Graph([S("__main__", "a", 1), S("__main__", "b", 2), S("a", "c", 3), S("b", "c", 4), S("c", "gone", 5, ImportContext.Optional)], kinds);
        var analysis = Analysis(g, new() { ["tkinter"] = [new ImportEdge("c", "tkinter", ImportContext.TopLevel, 6, EdgeSource.Statement)] });
        var chains = new ImportChains(g, ChainContext.None);
        var leftOut = ReportBuilder.LeftOut(analysis, ["tkinter"]);
        string Why(string m, out bool known)
        {
            var w = new StringWriter();
            known = WhyReport.Write(analysis, chains, leftOut, m, w);
            return w.ToString();
        }
        var c = Why("c", out var found).Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.True(found);
        Assert.Equal("c (source, none) is in the app though the app's imports do not reach it: 2 shortest chains from the entry, 2 imports:", c[0]);
        Assert.Equal(["  __main__ → a (top-level, line 1) → c (top-level, line 3)", "  __main__ → b (top-level, line 2) → c (top-level, line 4)"], c[1..]);
        var gone = Why("gone", out found);
        Assert.True(found);
        Assert.Contains("gone is missing", gone);
        Assert.Contains("c line 5 (optional)", gone);
        Assert.Contains("__main__ → a (top-level, line 1) → c (top-level, line 3)", gone);
        Assert.StartsWith("tkinter is left out (exclude-module): --exclude-module tkinter; imported by c (line 6, top-level)", Why("tkinter", out found));
        Assert.True(found);
        Assert.StartsWith("nosuch: not in the module graph of /app/app.py", Why("nosuch", out found));
        Assert.False(found);
    }
}
