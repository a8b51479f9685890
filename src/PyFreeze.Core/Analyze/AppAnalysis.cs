using PyFreeze.Diagnostics;
using PyFreeze.Hooks;
using PyFreeze.Probe;

namespace PyFreeze.Analyze;

/// <summary>
/// The analysis an app gets from <c>pyfreeze analyze</c> and <c>pyfreeze build</c> alike: its imports followed,
/// then the policies of "correct by default" (whole packages, the app's own modules, entry points).
/// </summary>
public static class AppAnalysis
{
    /// <summary>Probes the interpreter for an app: the entry must be a readable source file that compiles under that
    /// interpreter.</summary>
    /// <param name="python">Interpreter path or name.</param>
    /// <param name="entry">The entry script.</param>
    /// <exception cref="PyFreezeException">Bad entry, bad interpreter, or a syntax error in the entry.</exception>
    public static InterpreterInfo Probe(string python, string entry)
    {
        entry = Path.TrimEndingDirectorySeparator(Path.GetFullPath(entry));
        CheckEntry(entry);
        var script = Directory.Exists(entry) ? Path.Combine(entry, "__main__.py") : entry;
        var info = InterpreterProbe.Run(python, script);
        if (info.EntryError is not null)
            throw new PyFreezeException($"{info.EntryError}; fix the entry script (checked with CPython {info.VersionString})", 1);
        return info;
    }

    /// <summary>What hooks' <c>when</c> conditions are checked against for an app analyzed with
    /// <paramref name="interpreter"/>: its platform and version, and the distributions installed on its search path
    /// (<paramref name="paths"/> first; read on first use).</summary>
    public static HookTarget HookTarget(InterpreterInfo interpreter, IReadOnlyList<string> paths)
    {
        Dictionary<string, string>? versions = null;
        string? Version(string name)
        {
            if (versions is null)
            {
                versions = new Dictionary<string, string>(StringComparer.Ordinal);
                var problems = new List<string>();
                foreach (var root in paths.Concat(interpreter.SysPath).Where(p => !string.IsNullOrEmpty(p) && Directory.Exists(p)))
                    foreach (var d in Distributions.In(root, problems))
                        versions.TryAdd(Distribution.Normalize(d.Name), d.Version);
            }
            return versions.GetValueOrDefault(Distribution.Normalize(name));
        }
        return new HookTarget(interpreter.Platform, interpreter.VersionString, Version);
    }

    /// <summary>The entry as the app runs it: a package's <c>__main__.py</c> (a folder with <c>__init__.py</c>) stands for
    /// its package folder, run like <c>python -m PACKAGE</c>, so its relative imports work (run as a plain script they
    /// would fail: no parent package). Anything else is returned as given, made absolute.</summary>
    public static string EntryTarget(string entry)
    {
        var full = Path.TrimEndingDirectorySeparator(Path.GetFullPath(entry));
        var dir = Path.GetDirectoryName(full);
        return Path.GetFileName(full) == "__main__.py" && dir is not null && File.Exists(Path.Combine(dir, "__init__.py")) ? dir : full;
    }

    /// <summary>Checks that the entry is an existing, readable, non-binary file, or a package folder with a
    /// <c>__main__.py</c> (run like <c>python -m PACKAGE</c>).</summary>
    /// <exception cref="PyFreezeException">Missing, a folder without __main__.py, unreadable, or binary data.</exception>
    public static void CheckEntry(string entry)
    {
        if (Directory.Exists(entry))
        {
            if (!File.Exists(Path.Combine(entry, "__main__.py")))
                throw new PyFreezeException($"{entry}: is a folder without __main__.py; give the app's entry script, or a package folder that has a __main__.py", 2);
            if (!PackageExpander.IsIdentifier(Path.GetFileName(Path.TrimEndingDirectorySeparator(entry))))
                throw new PyFreezeException($"{entry}: a package folder's name must be a Python identifier to run it as a package", 2);
            entry = Path.Combine(entry, "__main__.py");
        }
        if (!File.Exists(entry))
            throw new PyFreezeException($"{entry}: no such file; give the path of the app's entry script", 2);
        byte[] head;
        try
        {
            using var f = File.OpenRead(entry);
            head = new byte[Math.Min(8192, f.Length)];
            f.ReadExactly(head);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new PyFreezeException($"{entry}: cannot be read ({e.Message})", 1, e);
        }
        if (head.AsSpan().Contains((byte)0))
            throw new PyFreezeException($"{entry}: is not a Python source file (it holds binary data); give the app's .py entry script", 2);
    }

    /// <summary>Analyzes an app.</summary>
    /// <param name="interpreter">The probed interpreter.</param>
    /// <param name="entry">The entry script.</param>
    /// <param name="paths"><c>--paths</c>.</param>
    /// <param name="hiddenImports"><c>--hidden-import</c>.</param>
    /// <param name="excludes"><c>--exclude-module</c>.</param>
    /// <param name="runtimeImports">Modules the frozen runtime needs itself.</param>
    /// <param name="hooks">Hooks (built-in and the user's); null for the built-in ones.</param>
    /// <param name="collectSubmodules"><c>--collect-submodules</c>: packages collected whole whatever their hooks say.</param>
    /// <param name="wholePackages">False for <c>--no-whole-packages</c>: only what imports reach (and --collect-submodules).</param>
    /// <param name="wholeStdlib">Collect the standard library whole (<see cref="StdlibWhole"/>; the build's default, off
    /// for <c>--no-whole-stdlib</c>; off here by default so analyses that ask only for the graph stay graph-only).</param>
    /// <param name="modulesFound">Told the module graph's size as it grows (<see cref="AnalyzerOptions.ModulesFound"/>).</param>
    /// <returns>The analysis and the distributions read on the way (for the metadata stage).</returns>
    public static (AnalysisResult Result, EntryPointExpander Distributions) Run(InterpreterInfo interpreter, string entry,
        IReadOnlyList<string> paths, IReadOnlyList<string> hiddenImports, IReadOnlyList<string> excludes, IReadOnlyList<string> runtimeImports,
        HookSet? hooks = null, IReadOnlyList<string>? collectSubmodules = null, bool wholePackages = true, Action<int>? modulesFound = null,
        bool wholeStdlib = false)
    {
        var entryPoints = new EntryPointExpander();
        var script = Directory.Exists(entry) ? Path.Combine(entry, "__main__.py") : entry;
        if (File.Exists(script))
            paths = [.. paths, .. SysPathAdditions.Find(script).Where(p => !paths.Contains(p))];
        var wrapped = WrappedEntryPoint(interpreter, entry, paths, entryPoints);
        if (wrapped is not null)
            hiddenImports = [.. hiddenImports, wrapped];
        var packages = new PackageExpander();
        foreach (var p in collectSubmodules ?? [])
            packages.Force.Add(p);
        var result = new Analyzer(interpreter, new AnalyzerOptions
        {
            EntryScript = entry,
            ExtraPaths = paths,
            HiddenImports = [.. hiddenImports, .. collectSubmodules ?? []],
            Excludes = excludes,
            RuntimeImports = runtimeImports,
            ModuleHiddenImports = BuiltinHiddenImports(interpreter),
            Hooks = hooks ?? HookSet.Load([]).Applying(HookTarget(interpreter, paths)),
            ModulesFound = modulesFound,
            WholeStdlib = wholeStdlib,
            Expanders = wholePackages
                ? [packages, new AppModulesExpander(), entryPoints, new DistributionModulesExpander(entryPoints),
                    new MetadataCallExpander(entryPoints, loads: true), new MetadataCallExpander(entryPoints, loads: false)]
                : [packages.OnlyForced(), entryPoints, new DistributionModulesExpander(entryPoints),
                    new MetadataCallExpander(entryPoints, loads: true), new MetadataCallExpander(entryPoints, loads: false)],
        }).Run();
        return (result, entryPoints);
    }

    /// <summary>When the entry is a console-script wrapper (<see cref="ConsoleScripts"/>), the module its entry point
    /// names; a wrapper whose distribution or entry point is not installed adds a warning to
    /// <see cref="EntryPointExpander.Problems"/>.</summary>
    private static string? WrappedEntryPoint(InterpreterInfo interpreter, string entry, IReadOnlyList<string> paths, EntryPointExpander distributions)
    {
        if (!File.Exists(entry))
            return null;
        string text;
        using (var reader = new StreamReader(entry))
        {
            var buffer = new char[4096];
            text = new string(buffer, 0, reader.ReadBlock(buffer));
        }
        var wrapper = ConsoleScripts.Parse(text);
        if (wrapper is null)
            return null;
        var roots = paths.Concat(interpreter.SysPath).Where(p => !string.IsNullOrEmpty(p)).Select(Path.GetFullPath).Distinct();
        var module = ConsoleScripts.Resolve(wrapper, roots.SelectMany(distributions.In));
        if (module is null)
            distributions.Problems.Add($"{entry}: a console-script wrapper for {wrapper.Distribution}'s {wrapper.Name}, but no installed " +
                $"distribution {wrapper.Distribution} has that {wrapper.Group} entry point; the frozen app will not find it");
        return module;
    }

    /// <summary>Hidden imports from hooks that name modules that are not installed (warnings for the build).</summary>
    public static IEnumerable<string> MissingHookImports(AnalysisResult result, HookSet hooks)
    {
        foreach (var hook in hooks.All)
        {
            if (result.Graph.Find(hook.Package) is not { Kind: not ModuleKind.Missing })
                continue;
            foreach (var (module, optional) in hooks.HiddenImportsFor(hook.Package))
                if (!optional && result.Graph.Find(module) is { Kind: ModuleKind.Missing })
                    yield return $"{hook.Source}: hidden import {module} is not installed";
        }
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
