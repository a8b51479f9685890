using PyFreeze.Analyze;

namespace PyFreeze.Report;

/// <summary><c>pyfreeze analyze ENTRY --why MODULE</c>: why a module is in the app (its shortest import chains from the
/// entry, <see cref="ImportChains"/>), or why it is not (missing, or left out by a rule).</summary>
public static class WhyReport
{
    /// <summary>Writes the answer for one module.</summary>
    /// <param name="analysis">The analysis.</param>
    /// <param name="chains">Its chains.</param>
    /// <param name="leftOut">What the analysis left out (<see cref="ReportBuilder.LeftOut"/>).</param>
    /// <param name="module">The dotted module name asked about.</param>
    /// <param name="w">Where the lines go.</param>
    /// <param name="limit">How many shortest chains to show at most.</param>
    /// <returns>True when the module is in the graph (found or missing) or was left out; false when the analysis never
    /// saw it (one line says so).</returns>
    public static bool Write(AnalysisResult analysis, ImportChains chains, IReadOnlyList<LeftOutModule> leftOut, string module, TextWriter w, int limit = 3)
    {
        var node = analysis.Graph.Find(module);
        var left = leftOut.Where(l => l.Module == module).ToList();
        if (node is null)
        {
            if (left.Count == 0)
            {
                w.WriteLine($"{module}: not in the module graph of {analysis.EntryScript}: no import the analysis followed names it (add it with --hidden-import)");
                return false;
            }
            foreach (var l in left)
                w.WriteLine($"{module} is left out ({l.Rule}): {l.Detail}");
            return true;
        }
        if (node.Kind == ModuleKind.Missing)
        {
            w.WriteLine($"{module} is missing (not found on the search path); imported by:");
            foreach (var e in analysis.Graph.Importers(module).OrderBy(e => e.From, StringComparer.Ordinal).ThenBy(e => e.Line))
            {
                w.WriteLine($"  {e.From}{(e.Line > 0 ? $" line {e.Line}" : "")} ({chains.KindOf(e)})");
                if (chains.Chain(e.From) is { } via)
                    w.WriteLine($"    {ImportChains.Format(via)}");
            }
            return true;
        }
        var found = chains.Chains(module, limit);
        var what = $"{AnalysisReport.KindName(node.Kind)}, {node.Origin.ToString().ToLowerInvariant()}{(node.Path is null ? "" : ", " + node.Path)}";
        if (found.Count == 0)
        {
            w.WriteLine($"{module} ({what}) is in the graph, but no import chain from the entry reaches it");
            return true;
        }
        var length = found[0].Count;
        w.WriteLine($"{module} ({what}) is in the app{(node.Reached ? "" : " though the app's imports do not reach it")}: " +
            $"{(found.Count == 1 ? "the shortest chain" : $"{found.Count} shortest chains")} from the entry, {length} import{(length == 1 ? "" : "s")}:");
        foreach (var chain in found)
            w.WriteLine($"  {ImportChains.Format(chain)}");
        foreach (var l in left)
            w.WriteLine($"  (also left out once by {l.Rule}: {l.Detail})");
        return true;
    }
}
