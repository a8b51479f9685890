using PyFreeze.Probe;

namespace PyFreeze.Analyze;

/// <summary>
/// The analysis an app gets from <c>pyfreeze analyze</c> and <c>pyfreeze build</c> alike: its imports followed,
/// then the policies of "correct by default" (whole packages, the app's own modules, entry points).
/// </summary>
public static class AppAnalysis
{
    /// <summary>Analyzes an app.</summary>
    /// <param name="interpreter">The probed interpreter.</param>
    /// <param name="entry">The entry script.</param>
    /// <param name="paths"><c>--paths</c>.</param>
    /// <param name="hiddenImports"><c>--hidden-import</c>.</param>
    /// <param name="excludes"><c>--exclude-module</c>.</param>
    /// <param name="runtimeImports">Modules the frozen runtime needs itself.</param>
    /// <returns>The analysis and the distributions read on the way (for the metadata stage).</returns>
    public static (AnalysisResult Result, EntryPointExpander Distributions) Run(InterpreterInfo interpreter, string entry,
        IReadOnlyList<string> paths, IReadOnlyList<string> hiddenImports, IReadOnlyList<string> excludes, IReadOnlyList<string> runtimeImports)
    {
        var entryPoints = new EntryPointExpander();
        var result = new Analyzer(interpreter, new AnalyzerOptions
        {
            EntryScript = entry,
            ExtraPaths = paths,
            HiddenImports = hiddenImports,
            Excludes = excludes,
            RuntimeImports = runtimeImports,
            ModuleHiddenImports = BuiltinHiddenImports(interpreter),
            Expanders = [new PackageExpander(), new AppModulesExpander(), entryPoints, new DistributionModulesExpander(entryPoints)],
        }).Run();
        return (result, entryPoints);
    }

    /// <summary>Imports by computed names inside the stdlib: <c>sysconfig</c> loads <c>_sysconfigdata_{abi}_{platform}_{multiarch}</c>
    /// (Lib/sysconfig.py, <c>_get_sysconfigdata_name</c>).</summary>
    public static IReadOnlyDictionary<string, IReadOnlyList<string>> BuiltinHiddenImports(InterpreterInfo interpreter)
    {
        var map = new Dictionary<string, IReadOnlyList<string>>(StringComparer.Ordinal);
        if (interpreter.Sysconfigdata is { Length: > 0 } data)
            map["sysconfig"] = [data];
        return map;
    }
}
