using System.Text;
using System.Text.Json;
using PyFreeze.Analyze;
using PyFreeze.Diagnostics;
using PyFreeze.Hooks;
using PyFreeze.Payload;
using PyFreeze.Probe;

namespace PyFreeze.Collect;

/// <summary>What the collect stage takes beyond the analysis.</summary>
public sealed class CollectInput
{
    /// <summary>The app's name (names the interpreter file so <c>ps</c> shows the app).</summary>
    public required string AppName { get; init; }

    /// <summary>The target.</summary>
    public required Rid Target { get; init; }

    /// <summary>The runtime's library file name for a Windows target (<c>python311.dll</c>), else null.</summary>
    public string? WindowsLibrary { get; init; }

    /// <summary>A Linux cross build's runtime folder (<see cref="LinuxRuntimeFacts.Sysroot"/>), where the target's
    /// loader looks for shared libraries; null for this machine and for other platforms.</summary>
    public string? Sysroot { get; init; }

    /// <summary><c>--include-source</c> (<see cref="CollectOptions.IncludeSource"/>).</summary>
    public bool IncludeSource { get; init; }

    /// <summary>The optimization level (0, 1, 2).</summary>
    public int Optimize { get; init; }

    /// <summary>The hooks in force.</summary>
    public required HookSet Hooks { get; init; }

    /// <summary>The user's collect options.</summary>
    public required UserCollectOptions User { get; init; }

    /// <summary>Reads the distributions of a search-path entry (the analysis's entry-point expander, so each folder is
    /// read once).</summary>
    public required Func<string, IReadOnlyList<Distribution>> Distributions { get; init; }

    /// <summary>Messages.</summary>
    public required Log Log { get; init; }
}

/// <summary>
/// The collect stage: the collectors run in a fixed order over one <see cref="CollectPlanBuilder"/> (modules and the
/// runtime, package data, the app's own data, hooks and the user's options, metadata, GObject typelibs, shared libraries, Tcl/Tk), then
/// the boot module, which reads what they decided; inputs that cannot go into a payload are dropped or refused
/// (<see cref="InputFiles"/>); the result is the immutable <see cref="CollectPlan"/>.
/// </summary>
public static class CollectStage
{
    /// <summary>Collects everything the payload needs.</summary>
    /// <param name="analysis">The analysis.</param>
    /// <param name="input">Settings.</param>
    /// <returns>The plan.</returns>
    /// <exception cref="PyFreezeException">A file the user or a hook names is missing, or Tcl/Tk is needed and not installed.</exception>
    public static CollectPlan Run(AnalysisResult analysis, CollectInput input)
    {
        var interp = analysis.Interpreter;
        var rid = input.Target;
        var layout = input.WindowsLibrary is { } dll ? RuntimeLayout.Windows(dll) : RuntimeLayout.Posix(interp, input.AppName);
        var stdlibSource = input.Hooks.All.Any(h => h.StdlibSource && analysis.Graph.Find(h.Package) is { Kind: not (ModuleKind.Missing or ModuleKind.Alias) });
        var plan = Collector.Collect(analysis, layout, new CollectOptions
        {
            AppName = input.AppName, IncludeSource = input.IncludeSource, Optimize = input.Optimize, StdlibSource = stdlibSource,
        });
        if (rid.IsWindows)
            AddWindowsRuntime(plan, layout);
        DataCollector.Collect(plan, analysis, layout, input.Hooks, input.User.CollectData, input.User.CollectBinaries);
        AppDataCollector.Collect(plan, analysis, layout);
        var metadataNames = HookCollector.Collect(plan, analysis, layout, input.Hooks, input.User, [interp.Prefix, interp.BasePrefix]);
        foreach (var (file, line, folder, _) in DebianShareData.Check(plan, analysis, input.Hooks).Where(f => f.ByHook))
            input.Log.Info($"/usr/share/{folder} (named at {file}:{line}) carried by the package's hook");
        MetadataCollector.Collect(plan, analysis, layout, input.Distributions, metadataNames);
        if (TypelibCollector.Collect(plan, analysis, layout, input.Sysroot) is { } typelibs)
            input.Log.Info($"GObject typelibs: {typelibs.Files} from {typelibs.Source}");
        BinaryCollector.Collect(plan, analysis, layout, rid, input.Log, input.Sysroot);
        TclTkCollector.Collect(plan, analysis, layout, input.Log);
        AddBoot(plan, interp);
        InputFiles.DropSpecialFiles(plan);
        InputFiles.CheckNames(plan);
        return plan.Build();
    }

    /// <summary>The boot module (<c>boot.py</c>, see <see cref="PayloadLayout.BootScript"/>) with the build's
    /// configuration in front: the entry module, runtime hooks, environment and facts the collectors decided.</summary>
    private static void AddBoot(CollectPlanBuilder plan, InterpreterInfo interp)
    {
        var config = new StringBuilder("_PYFREEZE_CONFIG = {");
        config.Append("\"entry\": ").Append(PyString(plan.EntryModule)).Append(", ");
        config.Append("\"runtime_hooks\": [").Append(string.Join(", ", plan.RuntimeHooks.Select(PyString))).Append("], ");
        config.Append("\"env\": {").Append(string.Join(", ", plan.Environment.Select(kv => PyString(kv.Key) + ": " + PyString(kv.Value)))).Append("}, ");
        config.Append("\"facts\": {\"library_dirs\": [").Append(string.Join(", ", plan.LibraryDirs.Select(PyString))).Append("], ");
        foreach (var (key, value) in plan.Facts)
            config.Append(PyString(key)).Append(": ").Append(PyString(value)).Append(", ");
        config.Append("\"openssl_paths\": [").Append(string.Join(", ", (interp.OpensslPaths ?? ["", ""]).Select(p => PyString(p ?? "")))).Append("]}");
        config.Append("}\n");
        plan.Add(new PayloadEntry
        {
            Dest = PayloadLayout.BootScript,
            Kind = PayloadEntryKind.Module,
            Text = config + EmbeddedScripts.Read("boot.py"),
            DisplayName = "<pyfreeze-boot>",
            Category = PayloadCategory.PyFreeze,
        });
    }

    /// <summary>Windows: the python DLL's <c>._pth</c> file, which fixes <c>sys.path</c> to the bundled standard library
    /// and extension folders whatever the executable's location (CPython's getpath reads it beside the DLL, as in
    /// python.org's embeddable distribution), and the extension folder on the DLL search path.</summary>
    private static void AddWindowsRuntime(CollectPlanBuilder plan, RuntimeLayout layout)
    {
        var dll = plan.Interpreter;
        plan.Add(new PayloadEntry
        {
            Dest = dll[..^".dll".Length] + "._pth",
            Kind = PayloadEntryKind.Generated,
            Content = Encoding.UTF8.GetBytes("Lib\r\nDLLs\r\n"),
            Category = PayloadCategory.Runtime,
            Owner = "python",
        });
        plan.LibraryDirs.Add(layout.Dynload.TrimEnd('/'));
    }

    /// <summary>A Python string literal (JSON string syntax is valid Python).</summary>
    private static string PyString(string s) => JsonSerializer.Serialize(s);
}
