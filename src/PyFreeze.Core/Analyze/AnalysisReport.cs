using System.Text;
using System.Text.Json;

namespace PyFreeze.Analyze;

/// <summary>Writes an analysis as a human summary, JSON, or Graphviz DOT.</summary>
public static class AnalysisReport
{
    /// <summary>Kind names used in reports and JSON.</summary>
    public static string KindName(ModuleKind k) => k switch
    {
        ModuleKind.Source => "source",
        ModuleKind.Package => "package",
        ModuleKind.Namespace => "namespace",
        ModuleKind.Extension => "extension",
        ModuleKind.Builtin => "builtin",
        ModuleKind.Frozen => "frozen",
        ModuleKind.Missing => "missing",
        ModuleKind.Alias => "alias",
        _ => k.ToString().ToLowerInvariant(),
    };

    /// <summary>A severity as the reports name it: top-level, deferred, conditional, optional.</summary>
    public static string SeverityName(MissingSeverity s) => s switch
    {
        MissingSeverity.TopLevel => "top-level",
        MissingSeverity.Deferred => "deferred",
        MissingSeverity.Conditional => "conditional",
        _ => "optional",
    };

    /// <summary>A group as the reports name it (real, other-platform, python2, collected-only).</summary>
    public static string GroupName(MissingGroup g) => g switch
    {
        MissingGroup.Real => "real",
        MissingGroup.OtherPlatform => "other-platform",
        MissingGroup.FromCollectedOnly => "collected-only",
        _ => "python2",
    };

    /// <summary>Writes the human summary: counts by kind, missing modules grouped by how much they matter, problems.</summary>
    /// <param name="r">The analysis.</param>
    /// <param name="w">Where to write (stdout for <c>pyfreeze analyze</c>).</param>
    /// <param name="maxPerGroup">How many missing modules to list per lesser group before summarising.</param>
    public static void WriteSummary(AnalysisResult r, TextWriter w, int maxPerGroup = 12)
    {
        var g = r.Graph;
        var counts = g.Modules.GroupBy(m => m.Kind).ToDictionary(x => x.Key, x => x.Count());
        string Count(ModuleKind k) => $"{counts.GetValueOrDefault(k)} {KindName(k)}";
        w.WriteLine($"Analyzed {Rel(r.EntryScript)} for CPython {r.Interpreter.VersionString} ({r.Interpreter.RealExecutable}) in {r.Elapsed.TotalSeconds:0.00} s");
        w.WriteLine($"  {g.Count} modules: {string.Join(", ", new[] { ModuleKind.Source, ModuleKind.Package, ModuleKind.Namespace, ModuleKind.Extension, ModuleKind.Builtin, ModuleKind.Frozen, ModuleKind.Alias, ModuleKind.Missing }.Select(Count))}");
        var edgeKinds = g.Edges.Where(e => e.Source != EdgeSource.Parent).GroupBy(e => e.Kind).ToDictionary(x => x.Key, x => x.Count());
        w.WriteLine($"  {edgeKinds.Values.Sum()} imports: {string.Join(", ", new[] { "top-level", "deferred", "conditional", "optional" }.Select(k => $"{edgeKinds.GetValueOrDefault(k)} {k}"))}");

        var missing = MissingModules.Of(g, r.Interpreter.Platform, r.Interpreter.MinorVersion);
        var real = missing.Where(m => m.Group == MissingGroup.Real).ToList();
        void Section(string title, IEnumerable<MissingModule> items, int limit)
        {
            var list = items.ToList();
            if (list.Count == 0)
                return;
            w.WriteLine();
            w.WriteLine(title);
            foreach (var m in list.Take(limit))
            {
                var by = m.Importers.Take(3).Select(e => $"{e.From} ({ImporterPlace(g, e)}, {e.Kind}{(e.Condition is null ? "" : $": if {e.Condition}")})");
                var more = m.Importers.Count > 3 ? $" and {m.Importers.Count - 3} more" : "";
                w.WriteLine($"  {m.Name,-28} imported by {string.Join("; ", by)}{more}{m.RemovedSuffix}");
            }
            if (list.Count > limit)
                w.WriteLine($"  … and {list.Count - limit} more (see --json)");
        }
        Section("Missing modules, imported unconditionally (the app fails when this import runs):",
            real.Where(m => m.Severity == MissingSeverity.TopLevel), int.MaxValue);
        Section("Missing modules, imported inside functions (fail when called):",
            real.Where(m => m.Severity == MissingSeverity.Deferred), int.MaxValue);
        Section("Missing modules behind a condition or an ImportError handler (usually fine):",
            real.Where(m => m.Severity >= MissingSeverity.Conditional), maxPerGroup);
        var other = missing.Where(m => m.Group is MissingGroup.OtherPlatform or MissingGroup.Python2).ToList();
        if (other.Count > 0)
        {
            w.WriteLine();
            w.WriteLine($"Not needed on {r.Interpreter.Platform}: {other.Count} modules for other platforms or Python 2 ({string.Join(", ", other.Take(maxPerGroup).Select(m => m.Name))}{(other.Count > maxPerGroup ? ", …" : "")})");
        }
        var collectedOnly = missing.Where(m => m.Group == MissingGroup.FromCollectedOnly).ToList();
        if (collectedOnly.Count > 0)
        {
            w.WriteLine();
            w.WriteLine($"Missing only for submodules collected with their package (not imported by the app): {collectedOnly.Count} ({string.Join(", ", collectedOnly.Take(maxPerGroup).Select(m => m.Name))}{(collectedOnly.Count > maxPerGroup ? ", …" : "")})");
        }
        if (real.Count == 0)
        {
            w.WriteLine();
            w.WriteLine("No missing modules.");
        }
        if (r.Excluded.Count > 0)
        {
            w.WriteLine();
            w.WriteLine($"Excluded (--exclude-module, or a hook of the importing package): {string.Join(", ", r.Excluded.Keys.Order(StringComparer.Ordinal))}");
        }
        if (r.Problems.Count > 0)
        {
            w.WriteLine();
            w.WriteLine("Files that could not be fully read (analysis went on):");
            foreach (var p in r.Problems.Take(maxPerGroup))
                w.WriteLine($"  {p}");
            if (r.Problems.Count > maxPerGroup)
                w.WriteLine($"  … and {r.Problems.Count - maxPerGroup} more (see --json)");
        }
    }

    private static string ImporterPlace(ModuleGraph g, ImportEdge e)
    {
        var path = g.Find(e.From)?.Path;
        if (e.Source == EdgeSource.Hidden)
            return "hidden import";
        return path is null ? $"line {e.Line}" : $"{Path.GetFileName(path)}:{e.Line}";
    }

    private static string Rel(string path)
    {
        var rel = Path.GetRelativePath(Environment.CurrentDirectory, path);
        return rel.StartsWith("..", StringComparison.Ordinal) ? path : rel;
    }

    /// <summary>
    /// Writes the machine form: <c>{entry, python, elapsed_ms, modules: [{name, kind, path, origin, alias_of?}],
    /// edges: [{from, to, kind, line, source, condition?}], missing: [{name, severity, group, importers}],
    /// problems: [{file, line, column, message}], excluded: [name]}</c>, sorted for stable diffs.
    /// </summary>
    public static void WriteJson(AnalysisResult r, Stream output)
    {
        using var j = new Utf8JsonWriter(output, new JsonWriterOptions { Indented = true });
        j.WriteStartObject();
        WriteJsonBody(r, j);
        j.WriteEndObject();
    }

    /// <summary>Writes the analysis properties into an open JSON object (shared with the build report).</summary>
    public static void WriteJsonBody(AnalysisResult r, Utf8JsonWriter j)
    {
        var g = r.Graph;
        j.WriteString("entry", r.EntryScript);
        j.WriteStartObject("python");
        j.WriteString("version", r.Interpreter.VersionString);
        j.WriteString("executable", r.Interpreter.RealExecutable);
        j.WriteString("platform", r.Interpreter.Platform);
        j.WriteEndObject();
        j.WriteNumber("elapsed_ms", Math.Round(r.Elapsed.TotalMilliseconds, 1));
        j.WriteStartArray("search_path");
        foreach (var p in r.SearchPath)
            j.WriteStringValue(p);
        j.WriteEndArray();
        j.WriteStartArray("modules");
        foreach (var m in g.Modules.OrderBy(m => m.Name, StringComparer.Ordinal))
        {
            j.WriteStartObject();
            j.WriteString("name", m.Name);
            j.WriteString("kind", KindName(m.Kind));
            if (m.Path is null) j.WriteNull("path"); else j.WriteString("path", m.Path);
            j.WriteString("origin", m.Origin.ToString().ToLowerInvariant());
            // false: collected only because its package is collected whole (or an entry point names it)
            j.WriteBoolean("reached", m.Reached);
            if (m.AliasOf is not null)
                j.WriteString("alias_of", m.AliasOf);
            j.WriteEndObject();
        }
        j.WriteEndArray();
        j.WriteStartArray("edges");
        foreach (var e in g.Edges.OrderBy(e => e.From, StringComparer.Ordinal).ThenBy(e => e.To, StringComparer.Ordinal).ThenBy(e => e.Line))
        {
            j.WriteStartObject();
            j.WriteString("from", e.From);
            j.WriteString("to", e.To);
            j.WriteString("kind", e.Kind);
            j.WriteNumber("line", e.Line);
            j.WriteString("source", e.Source.ToString().ToLowerInvariant());
            if (e.Condition is not null)
                j.WriteString("condition", e.Condition);
            j.WriteEndObject();
        }
        j.WriteEndArray();
        j.WriteStartArray("missing");
        foreach (var m in MissingModules.Of(g, r.Interpreter.Platform, r.Interpreter.MinorVersion))
        {
            j.WriteStartObject();
            j.WriteString("name", m.Name);
            j.WriteString("severity", SeverityName(m.Severity));
            j.WriteString("group", GroupName(m.Group));
            if (m.Removed is not null)
                j.WriteString("removed", m.Removed);
            j.WriteStartArray("importers");
            foreach (var e in m.Importers)
            {
                j.WriteStartObject();
                j.WriteString("module", e.From);
                var path = g.Find(e.From)?.Path;
                if (path is null) j.WriteNull("file"); else j.WriteString("file", path);
                j.WriteNumber("line", e.Line);
                j.WriteString("kind", e.Kind);
                if (e.Condition is not null)
                    j.WriteString("condition", e.Condition);
                j.WriteEndObject();
            }
            j.WriteEndArray();
            j.WriteEndObject();
        }
        j.WriteEndArray();
        j.WriteStartArray("problems");
        foreach (var p in r.Problems)
        {
            j.WriteStartObject();
            j.WriteString("file", p.File);
            j.WriteNumber("line", p.Line);
            j.WriteNumber("column", p.Column);
            j.WriteString("message", p.Message);
            j.WriteEndObject();
        }
        j.WriteEndArray();
        j.WriteStartArray("excluded");
        foreach (var name in r.Excluded.Keys.Order(StringComparer.Ordinal))
            j.WriteStringValue(name);
        j.WriteEndArray();
    }

    /// <summary>Writes the graph in Graphviz DOT: one node per module (shaped and coloured by kind), one edge per
    /// import (solid top-level, dashed deferred, dotted conditional/optional). Parent-package edges are left out.</summary>
    public static void WriteDot(AnalysisResult r, TextWriter w)
    {
        static string Q(string s) => "\"" + s.Replace("\\", "\\\\").Replace("\"", "\\\"") + "\"";
        w.WriteLine("digraph modules {");
        w.WriteLine("  rankdir=LR; node [fontname=\"Helvetica\", fontsize=10, shape=box, style=filled, fillcolor=white];");
        foreach (var m in r.Graph.Modules.OrderBy(m => m.Name, StringComparer.Ordinal))
        {
            var attrs = m.Kind switch
            {
                ModuleKind.Missing => "fillcolor=\"#f4cccc\", color=red",
                ModuleKind.Package or ModuleKind.Namespace => "shape=folder, fillcolor=\"#fff2cc\"",
                ModuleKind.Extension => "fillcolor=\"#d9ead3\"",
                ModuleKind.Builtin or ModuleKind.Frozen => "fillcolor=\"#eeeeee\"",
                ModuleKind.Alias => "shape=note",
                _ => m.Name == "__main__" ? "fillcolor=\"#cfe2f3\", penwidth=2" : "",
            };
            w.WriteLine($"  {Q(m.Name)} [{attrs}{(attrs.Length > 0 ? ", " : "")}tooltip={Q(KindName(m.Kind))}];");
        }
        foreach (var e in r.Graph.Edges.Where(e => e.Source != EdgeSource.Parent)
                     .DistinctBy(e => (e.From, e.To)).OrderBy(e => e.From, StringComparer.Ordinal).ThenBy(e => e.To, StringComparer.Ordinal))
        {
            var style = e.Kind switch { "deferred" => "dashed", "top-level" => "solid", _ => "dotted" };
            w.WriteLine($"  {Q(e.From)} -> {Q(e.To)} [style={style}];");
        }
        w.WriteLine("}");
    }
}
