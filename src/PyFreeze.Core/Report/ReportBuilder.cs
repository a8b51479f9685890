using PyFreeze.Analyze;
using PyFreeze.Assemble;
using PyFreeze.Collect;

namespace PyFreeze.Report;

/// <summary>Makes the <see cref="BuildReportModel"/> from a build's stage values: a pure function, it reads what the
/// stages handed on and touches no file or process.</summary>
public static class ReportBuilder
{
    /// <summary>The parts of the report that need only the finished analysis: the import chains, the modules with the
    /// last step of their shortest chains, and the missing modules.</summary>
    /// <param name="Chains">The shortest import chains from the entry.</param>
    /// <param name="Modules">Every module of the graph that is in the app, by name.</param>
    /// <param name="Missing">The missing modules, as <see cref="MissingModules.Of"/> orders them.</param>
    public sealed record AnalysisPart(ImportChains Chains, IReadOnlyList<ReportModule> Modules, IReadOnlyList<ReportMissing> Missing);

    /// <summary>Makes the <see cref="AnalysisPart"/> of a finished analysis (the graph is only read, so this runs beside
    /// the collect, compile and assemble stages: BuildPipeline starts it once the analysis is done), then runs the
    /// document's serializer once on a small document so that its code is compiled before the build waits on it.</summary>
    public static AnalysisPart Prepare(AnalysisResult analysis, ChainContext context)
    {
        var graph = analysis.Graph;
        var chains = new ImportChains(graph, context);
        var modules = graph.Modules.Where(m => m.Kind != ModuleKind.Missing).OrderBy(m => m.Name, StringComparer.Ordinal)
            .Select(m => chains.Via(m.Name) is { } via
                ? new ReportModule(m.Name, AnalysisReport.KindName(m.Kind), m.Origin.ToString().ToLowerInvariant(), m.Reached, via.From, via.Kind, via.Line)
                : new ReportModule(m.Name, AnalysisReport.KindName(m.Kind), m.Origin.ToString().ToLowerInvariant(), m.Reached, null, null, 0))
            .ToList();
        var missing = MissingModules.Of(graph, analysis.Interpreter.Platform, analysis.Interpreter.MinorVersion)
            .Select(m => new ReportMissing(m.Name, AnalysisReport.SeverityName(m.Severity), AnalysisReport.GroupName(m.Group), m.Removed,
                m.Importers.Select(e => new ReportImporter(e.From, e.Line, chains.KindOf(e))).ToList()))
            .ToList();
        var part = new AnalysisPart(chains, modules, missing);
        WarmUp(part);
        return part;
    }

    /// <summary>Serializes a small document holding one value of every kind (thrown away): the source-generated
    /// serializer's methods are compiled on first use, tens of milliseconds a build would otherwise wait for.</summary>
    private static void WarmUp(AnalysisPart part)
    {
        var leaf = new ReportNode("f", "data", 1, 1, 1, "f", null, null, null);
        var sample = new BuildReportModel(BuildReportModel.SchemaName, BuildReportModel.SchemaVersion, "", new ReportApp("", "", "", "", "", "", 0),
            new ReportPython("", "", "", "", ""), new ReportBootloader("", 0, 0), new ReportPayload("", "", 0, 0, 0), new ReportGlibc("", ""),
            [new ReportTiming("", 0)], new ReportNode("", "data", 1, 1, 1, Children: [leaf]), [.. part.Modules.Take(2)],
            [new ReportLibrary("", "", "", [""], "")], [new ReportSystemLibrary("", "", "")],
            [new ReportMissing("", "", "", null, [new ReportImporter("", 0, "")])], [new LeftOutModule("", "", "", "")], [""],
            [new ReportCompileError("", "")]);
        using var packed = new MemoryStream();
        using (var brotli = new System.IO.Compression.BrotliStream(packed, System.IO.Compression.CompressionLevel.Fastest))
            brotli.Write(sample.ToJson());
    }

    /// <summary>The report of one build.</summary>
    /// <param name="s">The build's stage values.</param>
    /// <param name="prepared">Its <see cref="Prepare"/>d part, or null to make it here.</param>
    public static BuildReportModel Create(BuildStages s, AnalysisPart? prepared = null)
    {
        var analysis = s.Analysis;
        var graph = analysis.Graph;
        prepared ??= Prepare(analysis, s.Chains);
        var chains = prepared.Chains;
        var files = s.Payload.Files;
        var libraryNames = s.Plan.Libraries.Select(l => l.Name).ToHashSet(StringComparer.Ordinal);
        var moduleOfDest = new Dictionary<string, string>(StringComparer.Ordinal);
        var moduleOfBinary = new Dictionary<string, string>(StringComparer.Ordinal);
        var reasonOfDest = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var e in s.Plan.Entries)
        {
            if (e.Reason is not null)
                reasonOfDest.TryAdd(e.Dest, e.Reason);
            if (e.Module is null)
            {
                if (e.Owner == ImportChains.Entry)
                    moduleOfDest.TryAdd(e.Dest, ImportChains.Entry); // the entry script, run as __main__
                continue;
            }
            moduleOfDest.TryAdd(e.Dest, e.Module);
            if (e.Kind == PayloadEntryKind.Binary)
                moduleOfBinary.TryAdd(FileName(e.Dest), e.Module);
        }

        string Kind(PayloadFile f) => f.Category switch
        {
            PayloadCategory.Stdlib => "stdlib",
            PayloadCategory.Extension => "extension",
            PayloadCategory.Data => "data",
            PayloadCategory.Metadata => "metadata",
            PayloadCategory.PyFreeze => "runtime",
            PayloadCategory.Runtime => libraryNames.Contains(FileName(f.Path)) && !FileName(f.Path).StartsWith("libpython", StringComparison.Ordinal)
                ? "shared-library" : "runtime",
            _ => moduleOfDest.TryGetValue(f.Path, out var m) && graph.Find(m)?.Origin == ModuleOrigin.App ? "app" : "third-party",
        };

        var root = new TreeBuilder("");
        var libraryPath = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var f in files.Where(f => !f.Path.EndsWith('/')))
        {
            var kind = Kind(f);
            string? module = moduleOfDest.GetValueOrDefault(f.Path);
            string? library = null;
            if (kind is "shared-library" or "runtime" && libraryNames.Contains(FileName(f.Path)))
            {
                library = FileName(f.Path);
                libraryPath.TryAdd(library, f.Path);
            }
            var node = root;
            foreach (var part in TreePath(f))
                node = node.Child(part);
            node.Leaf = new ReportNode(FileName(f.Path), kind, f.Size, f.CompressedSize, 1, f.Path, module, library,
                Reason: reasonOfDest.GetValueOrDefault(f.Path));
        }

        var modules = prepared.Modules;

        var libraries = s.Plan.Libraries.OrderBy(l => l.Name, StringComparer.Ordinal)
            .Select(l => new ReportLibrary(l.Name, libraryPath.GetValueOrDefault(l.Name), l.Path, l.NeededBy.Order(StringComparer.Ordinal).ToList(),
                LibraryVia(l, moduleOfBinary, libraryNames, chains)))
            .ToList();

        var missing = prepared.Missing;

        var p = s.Payload;
        var emit = s.App.Emit;
        var runtime = s.Target.Runtime;
        return new BuildReportModel(
            BuildReportModel.SchemaName, BuildReportModel.SchemaVersion, Build.BuildPipeline.Version,
            new ReportApp(s.Name, Path.GetFileName(s.Target.Entry), s.Plan.EntryModule, s.App.Executable, s.Target.Target.Name,
                p.Archive is null ? "onedir" : "onefile", emit.Size),
            new ReportPython(analysis.Interpreter.VersionString, analysis.Interpreter.Platform, s.Plan.Interpreter,
                runtime is null ? analysis.Interpreter.RealExecutable : runtime.Source, s.Target.Compiler.RealExecutable),
            new ReportBootloader(s.App.Bootloader is { Length: > 0 } described ? described : ".NET single-file host", emit.BootloaderSize, emit.PayloadOffset),
            new ReportPayload(p.Sha256, p.Xxh64, p.Archive?.Length ?? files.Sum(f => f.Size), files.Sum(f => f.Size), files.Count(f => !f.Path.EndsWith('/'))),
            (s.App.GlibcFloor ?? s.Plan.RequiredGlibc) is { } g ? new ReportGlibc(g.Version.ToString(), g.By) : null,
            s.Timings.Select(t => new ReportTiming(t.Stage, Math.Round(t.Elapsed.TotalMilliseconds, 1))).ToList(),
            root.Build(),
            modules,
            libraries,
            s.Plan.ExcludedLibraries.OrderBy(l => l.Name, StringComparer.Ordinal).ThenBy(l => l.Reason, StringComparer.Ordinal).DistinctBy(l => l.Name)
                .Select(l => new ReportSystemLibrary(l.Name, l.Reason, l.Category.ToString())).ToList(),
            missing,
            LeftOut(analysis, s.Excludes),
            [.. s.Plan.Warnings.Order(StringComparer.Ordinal), .. analysis.Problems.Select(pr => pr.ToString())], // fixed orders: the executable carries the report
            s.Compiled.Errors.Select(e => new ReportCompileError(e.Module, e.Error)).ToList());
    }

    /// <summary>What the analysis left out on purpose: <see cref="AnalysisResult.LeftOut"/>, then each name
    /// <c>--exclude-module</c> kept out (from <see cref="AnalysisResult.Excluded"/>, with its first importer) that the
    /// analysis did not already report under the rule <c>exclude-module</c>; sorted by module, rule and detail.</summary>
    public static IReadOnlyList<LeftOutModule> LeftOut(AnalysisResult analysis, IReadOnlyList<string> excludes)
    {
        var list = new List<LeftOutModule>(analysis.LeftOut);
        var known = list.Where(l => l.Rule == "exclude-module").Select(l => l.Module).ToHashSet(StringComparer.Ordinal);
        foreach (var (name, edges) in analysis.Excluded.OrderBy(kv => kv.Key, StringComparer.Ordinal))
        {
            var by = excludes.FirstOrDefault(x => name == x || name.StartsWith(x + ".", StringComparison.Ordinal));
            if (by is null || known.Contains(name))
                continue;
            var first = edges.OrderBy(e => e.From, StringComparer.Ordinal).ThenBy(e => e.Line).FirstOrDefault();
            var detail = $"--exclude-module {by}" + (first is null ? "" : $"; imported by {first.From}{(first.Line > 0 ? $" (line {first.Line}, {first.Kind})" : "")}"
                + (edges.Count > 1 ? $" and {edges.Select(e => e.From).Distinct().Count() - 1} more" : ""));
            list.Add(new LeftOutModule(name, "exclude-module", detail, first?.From));
        }
        // in a fixed order: the analysis finds them in an order its parallel scans decide, and the executable carries
        // the report (a rebuild must be byte-identical)
        return list.OrderBy(l => l.Module, StringComparer.Ordinal).ThenBy(l => l.Rule, StringComparer.Ordinal)
            .ThenBy(l => l.Detail, StringComparer.Ordinal).ToList();
    }

    /// <summary>The binary whose need brings a library in on the shortest chain: an extension module (by its chain's
    /// length), else another bundled library, else the interpreter (<c>python</c>).</summary>
    private static string? LibraryVia(BundledLibrary l, Dictionary<string, string> moduleOfBinary, HashSet<string> libraries, ImportChains chains)
    {
        var module = l.NeededBy.Where(moduleOfBinary.ContainsKey).Select(n => moduleOfBinary[n])
            .Where(chains.Reaches).OrderBy(m => chains.Chain(m)!.Count).ThenBy(m => m, StringComparer.Ordinal).FirstOrDefault();
        if (module is not null)
            return module;
        var lib = l.NeededBy.Where(n => n != l.Name && libraries.Contains(n)).Order(StringComparer.Ordinal).FirstOrDefault();
        return lib ?? (l.NeededBy.Count > 0 ? "python" : null);
    }

    private static string FileName(string path) => path[(path.TrimEnd('/').LastIndexOf('/') + 1)..];

    /// <summary>Where a file sits in the tree: its top-level package (or the runtime's folder), then its path below that
    /// package's folder.</summary>
    private static IEnumerable<string> TreePath(PayloadFile f)
    {
        var parts = f.Path.Split('/');
        var top = f.Owner ?? parts[0];
        yield return top;
        int at = Array.IndexOf(parts, top);
        if (at >= 0 && at < parts.Length - 1)
        {
            for (int i = at + 1; i < parts.Length; i++)
                yield return parts[i];
            yield break;
        }
        if (at == parts.Length - 1 || parts[^1].StartsWith(top + ".", StringComparison.Ordinal))
        {
            yield return parts[^1];
            yield break;
        }
        for (int i = 1; i < parts.Length; i++)
            yield return parts[i];
    }

    private sealed class TreeBuilder(string name)
    {
        private readonly Dictionary<string, TreeBuilder> _children = new(StringComparer.Ordinal);
        public ReportNode? Leaf { get; set; }

        public TreeBuilder Child(string part)
        {
            if (!_children.TryGetValue(part, out var c))
                _children[part] = c = new TreeBuilder(part);
            return c;
        }

        public ReportNode Build()
        {
            if (_children.Count == 0)
                return Leaf ?? new ReportNode(name, "data", 0, 0, 0);
            var children = new List<ReportNode>(_children.Count + 1);
            foreach (var c in _children.Values)
                children.Add(c.Build());
            if (Leaf is not null)
                children.Add(Leaf with { Name = Leaf.Name + " (file)" });
            children.Sort((a, b) => a.Size != b.Size ? b.Size.CompareTo(a.Size) : string.CompareOrdinal(a.Name, b.Name));
            long size = 0, compressed = 0;
            int files = 0;
            var byKind = new Dictionary<string, long>(StringComparer.Ordinal);
            foreach (var c in children)
            {
                size += c.Size;
                compressed += c.Compressed;
                files += c.Files;
                byKind[c.Kind] = byKind.GetValueOrDefault(c.Kind) + c.Size;
            }
            string kind = "";
            long most = -1;
            foreach (var (k, bytes) in byKind) // the kind of most bytes; of equal ones, the first by name
                if (bytes > most || bytes == most && string.CompareOrdinal(k, kind) < 0)
                    (kind, most) = (k, bytes);
            return new ReportNode(name, kind, size, compressed, files, Children: children);
        }
    }
}
