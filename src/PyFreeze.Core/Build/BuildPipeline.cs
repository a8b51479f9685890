using System.Diagnostics;
using System.Reflection;
using System.Text;
using System.Text.Json;
using PyFreeze.Analyze;
using PyFreeze.Assemble;
using PyFreeze.Cache;
using PyFreeze.Collect;
using PyFreeze.Compile;
using PyFreeze.Diagnostics;
using PyFreeze.Emit;
using PyFreeze.Hooks;
using PyFreeze.Payload;
using PyFreeze.Probe;

namespace PyFreeze.Build;

/// <summary>What a build produced, for the summary and the JSON report.</summary>
public sealed class BuildResult
{
    /// <summary>The executable (onefile) or the folder (onedir).</summary>
    public required string Output { get; init; }

    /// <summary>The executable itself.</summary>
    public required string Executable { get; init; }

    /// <summary>The analysis.</summary>
    public required AnalysisResult Analysis { get; init; }

    /// <summary>The collect plan.</summary>
    public required CollectPlan Plan { get; init; }

    /// <summary>The payload archive (onefile) or null.</summary>
    public PayloadArchive? Payload { get; init; }

    /// <summary>Files of the payload with sizes.</summary>
    public required IReadOnlyList<PayloadFile> Files { get; init; }

    /// <summary>The emit result.</summary>
    public required EmitResult Emit { get; init; }

    /// <summary>The target.</summary>
    public required Rid Target { get; init; }

    /// <summary>Time per stage, in order.</summary>
    public required IReadOnlyList<(string Stage, TimeSpan Elapsed)> Timings { get; init; }

    /// <summary>Modules that failed to compile (skipped), with the error.</summary>
    public required IReadOnlyList<(string Module, string Error)> CompileErrors { get; init; }

    /// <summary>How many modules this build compiled; the others' bytecode came from the build cache.</summary>
    public int ModulesCompiled { get; init; }

    /// <summary>How many modules went into the app as bytecode.</summary>
    public int ModulesTotal { get; init; }

    /// <summary>Which bootloader the executable starts with (<see cref="BootloaderKit.Description"/>).</summary>
    public string Bootloader { get; init; } = "";

    /// <summary>The oldest glibc the app runs on and what needs it (the payload's binaries or the bootloader:
    /// <see cref="BootloaderKit.GlibcFloor"/>), or null when it needs none.</summary>
    public (Version Version, string By)? GlibcFloor => Stages.App.GlibcFloor ?? Plan.RequiredGlibc;

    /// <summary>The stage values the build report is made from (<see cref="Report.ReportBuilder.Create"/>).</summary>
    public required Report.BuildStages Stages { get; init; }

    /// <summary>The build report (made once, before emit, for the executable to carry, then completed with the
    /// executable's sizes and the stage times: <see cref="Report.EmbeddedReport"/>). Its stage times are those
    /// <see cref="Timings"/> held when the build returned: the list itself goes on (the CLI's <c>report</c> stage) only
    /// in <see cref="Timings"/>.</summary>
    public required Report.BuildReportModel Report { get; init; }

    /// <summary>Milliseconds the build waited on making the report's document and storing it in the executable
    /// (compressed), and spent on its analysis part on another thread while the collect, compile and assemble stages ran
    /// (<see cref="Report.ReportBuilder.Prepare"/>), for bench/report_cost.py.</summary>
    public (double Document, double Stored, double Beside) ReportMs { get; init; }
}

/// <summary>
/// <c>pyfreeze build</c>: probe → analyze → collect → compile → assemble → emit, each stage handing the next one value
/// (<see cref="ProbedTarget"/>, <see cref="AnalysisResult"/>, <see cref="CollectPlan"/>, <see cref="CompiledModules"/>,
/// <see cref="AssembledPayload"/>, <see cref="EmittedApp"/>). The options are resolved before any of it
/// (<see cref="BuildOptions.Resolve"/>). Nothing is written to the dist folder until the last step, which replaces the
/// output by rename, so a failed build leaves no half-written output.
/// </summary>
public sealed class BuildPipeline
{
    private readonly BuildOptions _options;
    private readonly Log _log;
    private readonly BuildCache _cache;
    private readonly List<(string, TimeSpan)> _timings = [];
    private readonly Stopwatch _clock = Stopwatch.StartNew();
    private MacSigning? _macSigning;
    private WindowsResources? _resources;
    private HookSet? _hooks;
    private BootloaderKit? _kit;
    private double _reportMs, _reportStoreMs, _reportPrepareMs;

    /// <summary>Creates a build with options already resolved (<see cref="BuildOptions.Resolve"/>).</summary>
    public BuildPipeline(BuildOptions options)
    {
        _options = options;
        _log = options.Log;
        _cache = BuildCache.Default(_log);
    }

    /// <summary>Creates a build from the command line's (or an embedder's) settings: resolves them, with the entry's
    /// pyproject.toml and the process environment, into <see cref="BuildOptions"/> here, before anything runs.</summary>
    /// <exception cref="PyFreezeException">Bad settings or pyproject.toml.</exception>
    public BuildPipeline(BuildSettings settings) : this(BuildOptions.Resolve(settings, Environment.GetEnvironmentVariable))
    {
    }

    /// <summary>The options this build runs with.</summary>
    public BuildOptions Options => _options;

    /// <summary>The PyFreeze version (informational version of this assembly).</summary>
    public static string Version =>
        typeof(BuildPipeline).Assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion.Split('+')[0] ?? "0.0.0";

    private string WorkDir => Path.Combine(_options.WorkPath, _options.Name);

    /// <summary>Where a --onedir build is assembled before it is renamed into place.</summary>
    private string OneDirStaging => Path.Combine(_options.DistPath, $".{_options.Name}.{Environment.ProcessId}.tmp");

    private IBuildProgress Progress => _log.Progress;

    private void Begin(string stage)
    {
        _clock.Restart();
        Progress.Started(stage);
    }

    /// <summary>A stage ended: its time is recorded (for the summary and the report) and told to the progress display
    /// with what it made.</summary>
    private void Mark(string stage, string summary)
    {
        var elapsed = _clock.Elapsed;
        _timings.Add((stage, elapsed));
        Progress.Finished(stage, elapsed, summary);
        _clock.Restart();
    }

    private static string Mb(long bytes) => $"{bytes / 1048576.0:0.0} MB";

    /// <summary>Runs the build.</summary>
    /// <exception cref="PyFreezeException">Bad input or a failed stage, with a one-line message.</exception>
    public BuildResult Run()
    {
        Begin("probe");
        var target = Probe();
        Mark("probe", $"CPython {target.Interpreter.VersionString}, {target.Target.Name}" + (target.Runtime is null ? $" ({target.Interpreter.RealExecutable})" : ""));
        Begin("analyze");
        var (analysis, distributions) = Analyze(target);
        Mark("analyze", $"{analysis.Graph.Count} modules");
        // the report's analysis part (import chains, modules, missing), made beside collect, compile and assemble
        var chains = Report.ChainContext.Of(_options.HiddenImports, Collector.RuntimeImports(target.Interpreter));
        var reportPart = Task.Run(() =>
        {
            var clock = Stopwatch.StartNew();
            var part = Report.ReportBuilder.Prepare(analysis, chains);
            _reportPrepareMs = clock.Elapsed.TotalMilliseconds;
            return part;
        });
        Begin("collect");
        var plan = Collect(target, analysis, distributions);
        InputFiles.CheckOutput(Path.Combine(_options.DistPath, _options.Name + (_options.OneDir ? "" : target.Target.ExecutableSuffix)),
            _options.OneDir, [target.Entry, .. plan.Entries.Where(e => e.Source is not null).Select(e => e.Source!)]);
        foreach (var warning in plan.Warnings)
            _log.Warn(warning);
        Mark("collect", $"{plan.Entries.Count(e => e.Kind != PayloadEntryKind.Directory)} files, {plan.Libraries.Count} shared libraries");
        Begin("compile");
        var compiled = CompiledModules.Compile(plan, analysis, target.Entry, target.Compiler, _options.Optimize, _cache, _log);
        Mark("compile", $"{compiled.Total}/{compiled.Total} .pyc ({compiled.Compiled} compiled, {compiled.Total - compiled.Compiled} from the build cache)");
        AssembledPayload payload;
        EmittedApp app;
        Report.BuildReportModel draft;
        try
        {
            Begin("assemble");
            payload = Assemble(target, plan, compiled);
            var unpacked = payload.Files.Sum(f => f.Size);
            Mark("assemble", payload.Archive is { } archive
                ? $"payload {Mb(archive.Length)} written ({Mb(unpacked)} unpacked, {payload.Files.Count} files)"
                : $"{payload.Files.Count} files, {Mb(unpacked)} written");
            Begin("emit");
            // the report's document, made before the executable so the executable can carry it (EmbeddedReport)
            _kit ??= LocateKit(target.Target); // its glibc need is part of the floor the report states
            var placeholder = new EmittedApp("", Path.Combine(_options.DistPath, _options.Name + target.Target.ExecutableSuffix), new EmitResult("", 0, 0, 0), "",
                BootloaderKit.GlibcFloor(plan.RequiredGlibc, _kit.GlibcNeed));
            var reportClock = Stopwatch.StartNew();
            draft = Report.ReportBuilder.Create(new Report.BuildStages(target, analysis, plan, compiled, payload, placeholder, [], _options.Name,
                chains, _options.Excludes), reportPart.GetAwaiter().GetResult());
            _reportMs = reportClock.Elapsed.TotalMilliseconds;
            app = Emit(target, plan, payload, draft);
            Mark("emit", $"{BuildReport.Shown(app.Executable)} ({Mb(app.Emit.Size)})");
        }
        catch when (_options.OneDir && Directory.Exists(OneDirStaging))
        {
            Directory.Delete(OneDirStaging, true); // a full disk or any other failure leaves no half-written folder in dist/
            throw;
        }
        return new BuildResult
        {
            Output = app.Output, Executable = app.Executable, Analysis = analysis, Plan = plan, Payload = payload.Archive,
            Files = payload.Files, Emit = app.Emit, Target = target.Target, Timings = _timings, CompileErrors = compiled.Errors,
            ModulesCompiled = compiled.Compiled, ModulesTotal = compiled.Total, Bootloader = app.Bootloader,
            Stages = new Report.BuildStages(target, analysis, plan, compiled, payload, app, _timings, _options.Name, chains, _options.Excludes),
            Report = Report.EmbeddedReport.Complete(draft, app, _timings),
            ReportMs = (_reportMs, _reportStoreMs, _reportPrepareMs),
        };
    }

    /// <summary>Checks what can fail before any work (signing, Windows resources, writable folders, another RID's
    /// bootloader packs), then probes the interpreter(s).</summary>
    private ProbedTarget Probe()
    {
        var o = _options;
        var rid = o.Target;
        if (rid.IsMacOS)
            _macSigning = MacSigning.Create(o.CodesignIdentity, o.Entitlements, OperatingSystem.IsMacOS());
        if (rid.IsWindows)
            _resources = WindowsResources.Create(o.Icon, o.VersionFile, o.Company, o.ProductVersion, o.Name);
        else if (!rid.IsMacOS && (o.Icon is not null || o.ProductVersion is not null) || o.VersionFile is not null || o.Company is not null)
            _log.Warn($"--icon, --version-file, --company and --product-version set Windows resources (and a macOS .app's icon and version); a {rid.Name} executable has none of some, so they are ignored");
        o.CheckTargetInputs();
        CheckWritable(o.DistPath, "--distpath");
        if (o.HtmlReport is { } report)
            CheckWritable(Path.GetDirectoryName(report)!, "--report"); // written after the build: fail before it
        var target = ProbedTarget.Run(o.Entry, rid, o.Python, o.Runtime, o.RuntimeSha256, o.TargetSitePackages, _cache, _log);
        if (o.Cross)
            _kit = LocateKit(rid); // another RID's bootloader may need its .NET packs: fail before the work
        if (o.Clean && Directory.Exists(WorkDir))
            Directory.Delete(WorkDir, true);
        CheckWritable(WorkDir, "--workpath");
        _hooks = HookSet.Load(o.AdditionalHooksDirs).Applying(AppAnalysis.HookTarget(target.Interpreter, o.Paths));
        return target;
    }

    /// <summary>The module graph, and the missing modules reported (a missing top-level import fails a --strict build).</summary>
    private (AnalysisResult, EntryPointExpander) Analyze(ProbedTarget target)
    {
        var o = _options;
        var interp = target.Interpreter;
        var (analysis, entryPoints) = AppAnalysis.Run(interp, target.Entry, o.Paths, o.HiddenImports, o.Excludes,
            Collector.RuntimeImports(interp), _hooks, [.. o.CollectSubmodules, .. o.CollectAll], wholePackages: !o.NoWholePackages, wholeStdlib: !o.NoWholePackages && !o.NoWholeStdlib,
            modulesFound: n => Progress.Advanced("analyze", n, 0, ProgressUnit.Modules));
        foreach (var problem in entryPoints.Problems)
            _log.Warn(problem);
        foreach (var warning in AppAnalysis.MissingHookImports(analysis, _hooks!))
            _log.Warn(warning);
        var missing = MissingModules.Of(analysis.Graph, interp.Platform, interp.MinorVersion);
        var hard = missing.Where(m => m.Group == MissingGroup.Real && m.Severity == MissingSeverity.TopLevel).ToList();
        foreach (var m in hard)
            _log.Warn($"missing module {m.Name}, imported by {string.Join(", ", m.Importers.Take(3).Select(e => $"{e.From} (line {e.Line})"))}{m.RemovedSuffix}");
        if (hard.Count > 0 && o.Strict)
            throw new PyFreezeException($"{hard.Count} missing top-level import(s) ({string.Join(", ", hard.Select(m => m.Name))}); install them, add --paths, or drop --strict");
        foreach (var p in analysis.Problems.Where(p => p.File == analysis.EntryScript))
            throw new PyFreezeException($"{p}: fix the entry script first");
        _log.Debug($"Analyzed {analysis.Graph.Count} modules in {analysis.Elapsed.TotalSeconds:0.00} s"); // the analyze stage's line says it
        if (analysis.LeftOut.Count > 0)
            _log.Info("left out on purpose: " + string.Join(", ", analysis.LeftOut.GroupBy(l => l.Rule)
                .Select(g => $"{g.Count()} by {g.Key} ({string.Join(", ", g.Take(3).Select(l => l.Module))}{(g.Count() > 3 ? ", …" : "")})")));
        return (analysis, entryPoints);
    }

    private CollectPlan Collect(ProbedTarget target, AnalysisResult analysis, EntryPointExpander distributions)
    {
        var o = _options;
        return CollectStage.Run(analysis, new CollectInput
        {
            AppName = o.Name,
            Target = target.Target,
            WindowsLibrary = target.Runtime is { } runtime && target.Target.IsWindows ? Path.GetFileName(runtime.Library) : null,
            Sysroot = target.Runtime?.Linux?.Sysroot,
            IncludeSource = o.IncludeSource,
            Optimize = o.Optimize,
            Hooks = _hooks!,
            User = new UserCollectOptions
            {
                CollectData = [.. o.CollectData, .. o.CollectAll],
                CollectBinaries = [.. o.CollectBinaries, .. o.CollectAll],
                CopyMetadata = o.CopyMetadata,
                AddData = o.AddData,
                AddBinary = o.AddBinary,
                RuntimeHooks = o.RuntimeHooks,
            },
            Distributions = distributions.In,
            Log = _log,
        });
    }

    private AssembledPayload Assemble(ProbedTarget target, CollectPlan plan, CompiledModules compiled)
    {
        var buildInfo = BuildInfo(target, plan);
        return _options.OneDir
            ? AssembledPayload.Write(plan, compiled, buildInfo, null, OneDirStaging, _cache, _macSigning, _log)
            : AssembledPayload.Write(plan, compiled, buildInfo, Path.Combine(WorkDir, "payload.tar.zst"), null, _cache, _macSigning, _log);
    }

    /// <summary>The executable (bootloader kit + launch settings + payload) into the dist folder: onedir, onefile
    /// (reused when nothing changed), or an osx-arm64 .app.</summary>
    private EmittedApp Emit(ProbedTarget target, CollectPlan plan, AssembledPayload payload, Report.BuildReportModel draft)
    {
        var o = _options;
        var rid = target.Target;
        var name = o.Name;
        var kit = _kit ?? LocateKit(rid);
        var glibc = BootloaderKit.GlibcFloor(plan.RequiredGlibc, kit.GlibcNeed);
        var settings = new LaunchSettings
        {
            AppName = name,
            PayloadSha256 = payload.Sha256,
            PayloadXxh64 = payload.Xxh64,
            PayloadLength = payload.Archive?.Length ?? 0,
            Interpreter = plan.Interpreter,
            LibraryDirs = plan.LibraryDirs,
            PythonOptions = PythonOptions(o.Optimize),
            BootScript = PayloadLayout.BootScript,
            Windowed = o.Windowed,
            OneDir = o.OneDir,
            LaunchMode = rid.IsWindows ? "inprocess" : "exec",
            PythonLibrary = rid.IsWindows ? plan.Interpreter : "",
            GlibcFloor = glibc?.Version.ToString() ?? "",
            GlibcFloorNeededBy = glibc?.By ?? "",
        };
        _log.Debug($"Bootloader: {kit.Description}"); // the summary says it
        var storeClock = Stopwatch.StartNew();
        var report = Report.EmbeddedReport.ToBytes(draft with { Bootloader = draft.Bootloader with { Kind = kit.Description } });
        _reportStoreMs = storeClock.Elapsed.TotalMilliseconds;
        _log.Debug($"build report stored in the executable: {report.Length} bytes ({Report.EmbeddedReport.Entry}, Brotli) in {_reportStoreMs:0.0} ms");
        var emitWork = Path.Combine(WorkDir, "emit");
        var exeName = name + rid.ExecutableSuffix;
        if (payload.Staging is { } staging)
        {
            var exe = Emitter.Emit(kit, rid, null, settings, emitWork, Path.Combine(staging, exeName), o.Windowed, compress: rid.IsWindows, resources: _resources, report: report);
            SignWithIdentity(exe.Path);
            var final = Path.Combine(o.DistPath, name);
            ReplaceDirectory(staging, final);
            return new EmittedApp(final, Path.Combine(final, exeName), exe with { Path = Path.Combine(final, exeName) }, kit.Description, glibc);
        }
        var archive = payload.Archive!;
        var appBundle = rid.IsMacOS && o.Windowed;
        var output = appBundle ? Path.Combine(WorkDir, "app", name) : Path.Combine(o.DistPath, exeName);
        if (!appBundle && Directory.Exists(output))
            throw new PyFreezeException($"{output}: is a folder (an earlier --onedir build?); remove it or pick another --name");
        // nothing changed since the last build into this work folder: dist/NAME is already what would be written
        // (a .app or Windows resources are made afresh: the stamp does not describe them)
        var stamp = appBundle || _resources is not null ? null : Path.Combine(WorkDir, "emit.stamp.json");
        var emitKey = EmitStamp.Key(kit, rid, archive, settings, o.Windowed, compress: rid.IsWindows, report);
        var reused = stamp is null ? null : EmitStamp.Reuse(stamp, output, emitKey);
        var emitted = reused ?? Emitter.Emit(kit, rid, archive, settings, emitWork, output, o.Windowed, compress: rid.IsWindows, resources: _resources, report: report);
        if (stamp is not null && reused is null)
            EmitStamp.Save(stamp, emitKey, emitted);
        if (appBundle)
        {
            var bundleStaging = Path.Combine(o.DistPath, $".{name}.app.{Environment.ProcessId}.tmp");
            if (Directory.Exists(bundleStaging))
                Directory.Delete(bundleStaging, true);
            var made = MacAppBundle.Create(output, name, o.BundleIdentifier ?? MacAppBundle.DefaultIdentifier(name),
                o.ProductVersion ?? "0.0.0", o.Icon, bundleStaging);
            output = Path.Combine(o.DistPath, name + ".app");
            ReplaceDirectory(made, output);
            Directory.Delete(bundleStaging, true);
            emitted = emitted with { Path = Path.Combine(output, "Contents", "MacOS", name) };
        }
        SignWithIdentity(output);
        return new EmittedApp(output, emitted.Path, emitted, kit.Description, glibc);
    }

    /// <summary>The bootloader kit for <paramref name="rid"/>: <see cref="BuildOptions.BootloaderKit"/> when given, else
    /// located or published (<see cref="BootloaderKit.Locate"/>). When publishing for another RID fails because its
    /// .NET packs could not be restored, the error names the packages and <c>--host-pack</c>.</summary>
    private BootloaderKit LocateKit(Rid rid)
    {
        if (_options.BootloaderKit is { } dir)
            return BootloaderKit.ReadGiven(dir, rid);
        try
        {
            return BootloaderKit.Locate(rid, _cache, _log, _options.HostPack);
        }
        catch (PyFreezeException) when (rid.Name != Rid.HostName)
        {
            HostPacks.Require(rid, _options.HostPack); // throws, naming the packs, when they are what is missing
            throw;
        }
    }

    /// <summary>With <c>--codesign-identity</c> (macOS hosts), signs the emitted executable or .app through codesign,
    /// replacing HostModel's ad-hoc signature; a failure removes what was emitted.</summary>
    private void SignWithIdentity(string path)
    {
        if (_macSigning is null || _macSigning.IsAdHoc)
            return;
        try
        {
            _macSigning.Codesign(path);
        }
        catch (PyFreezeException)
        {
            if (Directory.Exists(path))
                Directory.Delete(path, true);
            else
                File.Delete(path);
            throw;
        }
    }

    /// <summary>Interpreter options of the frozen app: isolated (no PYTHON* variables, no user site, no script folder
    /// on the path), no site, no .pyc written into the cache, plus -O/-OO.</summary>
    public static IReadOnlyList<string> PythonOptions(int optimize)
    {
        var list = new List<string> { "-I", "-S", "-B" };
        if (optimize > 0)
            list.Add(optimize == 1 ? "-O" : "-OO");
        return list;
    }

    private static void CheckWritable(string dir, string option)
    {
        try
        {
            Directory.CreateDirectory(dir);
            var probe = Path.Combine(dir, $".pyfreeze-write-test-{Environment.ProcessId}");
            File.WriteAllBytes(probe, []);
            File.Delete(probe);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new PyFreezeException($"{option} {dir}: cannot write there ({e.Message}); choose a writable folder", 1, e);
        }
    }

    private static void ReplaceDirectory(string staging, string final)
    {
        if (File.Exists(final))
            throw new PyFreezeException($"{final}: a file is in the way of the --onedir folder; remove it or pick another --name");
        string? old = null;
        if (Directory.Exists(final))
        {
            old = final + $".{Environment.ProcessId}.old";
            Directory.Move(final, old);
        }
        Directory.Move(staging, final);
        if (old is not null)
            Directory.Delete(old, true);
    }

    private byte[] BuildInfo(ProbedTarget target, CollectPlan plan)
    {
        using var ms = new MemoryStream();
        using (var j = new Utf8JsonWriter(ms, new JsonWriterOptions { Indented = true }))
        {
            j.WriteStartObject();
            j.WriteString("pyfreeze", Version);
            j.WriteString("name", _options.Name);
            j.WriteString("entry", Path.GetFileName(target.Entry));
            j.WriteString("entry_module", plan.EntryModule);
            j.WriteString("python", target.Interpreter.VersionString);
            j.WriteString("magic", target.Interpreter.Magic);
            j.WriteString("rid", target.Target.Name);
            j.WriteString("mode", _options.OneDir ? "onedir" : "onefile");
            j.WriteNumber("optimize", _options.Optimize);
            j.WriteBoolean("windowed", _options.Windowed);
            j.WriteBoolean("include_source", _options.IncludeSource);
            j.WriteStartArray("hidden_imports");
            foreach (var h in _options.HiddenImports) j.WriteStringValue(h);
            j.WriteEndArray();
            j.WriteStartArray("excludes");
            foreach (var h in _options.Excludes) j.WriteStringValue(h);
            j.WriteEndArray();
            j.WriteEndObject();
        }
        return ms.ToArray();
    }
}
