using System.Text.RegularExpressions;
using PyFreeze.Analyze;
using PyFreeze.Probe;

namespace PyFreeze.Compile;

/// <summary>
/// What a module the target's CPython cannot compile means for the build. Under <c>python3 app.py</c> such a module
/// fails only when something imports it, so:
/// <list type="bullet">
/// <item>the app's own module, imported unconditionally (or under a condition that holds on the target, such as a
/// version check it passes) by a module the app reaches: the warning says the app fails at that import, as
/// <c>python3 app.py</c> does (the build goes on: the app may catch the error);</item>
/// <item>imported only under a version check that does not hold on the target
/// (<c>if sys.version_info &gt;= (3, 14): import uses_tstrings</c> on 3.13): left out with a warning naming the file, the
/// line and the check, since the import never runs there;</item>
/// <item>anything else (a third-party package's module never imported, a file collected with its package): left out
/// with a warning.</item>
/// </list>
/// </summary>
public static partial class CompileFailure
{
    [GeneratedRegex(@"^(?<what>.*) \(line (?<line>\d+)\)$")]
    private static partial Regex WithLine();

    /// <summary>Classifies one failed module.</summary>
    /// <param name="graph">The analyzed module graph.</param>
    /// <param name="module">The module's name (null for a file that is no module of the graph).</param>
    /// <param name="file">The source file.</param>
    /// <param name="error">The compiler's message, <c>SyntaxError: invalid syntax (line 3)</c>.</param>
    /// <param name="python">The target interpreter.</param>
    /// <returns>The warning: the file and line, what the compiler said, and what leaving the module out means.</returns>
    public static string Describe(ModuleGraph graph, string? module, string file, string error, InterpreterInfo python)
    {
        var m = WithLine().Match(error);
        var where = m.Success ? $"{file}:{m.Groups["line"].Value}: {m.Groups["what"].Value}" : $"{file}: {error}";
        var version = $"Python {python.ShortVersion}";
        var node = module is null ? null : graph.Find(module);
        var imports = node is null
            ? []
            : graph.Importers(node.Name).Where(e => e.Source != EdgeSource.Expansion && graph.Find(e.From)?.Reached == true).ToList();
        var runs = imports.Where(e => !e.Context.HasFlag(ImportContext.TypeChecking)
                                      && (!e.Context.HasFlag(ImportContext.Conditional)
                                          || VersionCondition.Evaluate(e.Condition, python.Major, python.Minor, python.Micro) != false))
            .ToList();
        var unconditional = runs.FirstOrDefault(e => e.Context == ImportContext.TopLevel || e.Context == ImportContext.Conditional);
        if (node is { Origin: ModuleOrigin.App } && unconditional is not null)
            return $"{where}: {version} cannot compile it, so it is left out, and {Place(graph, unconditional)} imports it" +
                   $"{(unconditional.Condition is null ? "" : $" (if {unconditional.Condition})")}: the app fails there, as under python3; " +
                   "fix the module, or import it only on the versions that can compile it";
        if (imports.Count > 0 && runs.Count == 0 && imports.Any(e => e.Condition is not null))
        {
            var guard = imports.First(e => e.Condition is not null);
            return $"{where}: {version} cannot compile it; left out, since the app imports it only if {guard.Condition} " +
                   $"({Place(graph, guard)}), which is false on {version}";
        }
        return $"{where}: {version} cannot compile it; the module is left out";
    }

    private static string Place(ModuleGraph graph, ImportEdge e) =>
        graph.Find(e.From)?.Path is { } path ? $"{path}:{e.Line}" : $"{e.From} (line {e.Line})";
}
