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
}

/// <summary>
/// <c>pyfreeze build</c>: probe → analyze → collect → compile → assemble → emit. Nothing is written to the dist
/// folder until the last step, which replaces the output by rename, so a failed build leaves no half-written output.
/// </summary>
public sealed class BuildPipeline
{
    private readonly BuildOptions _options;

    /// <summary>Creates a build with the command line's options (pyproject.toml settings are merged in when it runs).</summary>
    public BuildPipeline(BuildOptions options)
    {
        _options = options;
        _opts = options;
        _log = options.Log;
    }

    private readonly Log _log;
    private BuildOptions _opts;
    private readonly List<(string, TimeSpan)> _timings = [];
    private readonly Stopwatch _clock = Stopwatch.StartNew();
    private int _modulesCompiled, _modulesTotal;
    private MacSigning? _macSigning;
    private BootloaderKit? _kit;

    /// <summary>The PyFreeze version (informational version of this assembly).</summary>
    public static string Version =>
        typeof(BuildPipeline).Assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion.Split('+')[0] ?? "0.0.0";

    private void Mark(string stage)
    {
        _timings.Add((stage, _clock.Elapsed));
        _clock.Restart();
    }

    /// <summary>Runs the build.</summary>
    /// <exception cref="PyFreezeException">Bad input or a failed stage, with a one-line message.</exception>
    public BuildResult Run()
    {
        var entry = AppAnalysis.EntryTarget(_options.Entry);
        var rid = Rid.Parse(_options.Target ?? Rid.HostName);
        var cross = rid.Name != Rid.HostName;
        if (rid.IsMacOS)
        {
            if (_options.BundleIdentifier is not null)
                MacAppBundle.ValidateIdentifier(_options.BundleIdentifier);
            if (_options.Icon is not null)
                MacAppBundle.ValidateIcns(_options.Icon);
            if (_options.Windowed && _options.OneDir)
                throw new PyFreezeException("--windowed with --onedir: an osx-arm64 .app holds one executable; drop --onedir", 2);
            _macSigning = MacSigning.Create(_options.CodesignIdentity, _options.Entitlements, OperatingSystem.IsMacOS());
        }
        else
        {
            if (_options.BundleIdentifier is not null)
                _log.Warn($"--bundle-identifier names a macOS .app; a {rid.Name} build has none, so it is ignored");
            if (_options.CodesignIdentity is not null || _options.Entitlements is not null)
                _log.Warn($"--codesign-identity and --osx-entitlements-file sign macOS code; a {rid.Name} build has none, so they are ignored");
        }
        if (rid.IsWindows)
            WindowsResources.Create(_options.Icon, _options.VersionFile, _options.Company, _options.ProductVersion, "app"); // bad input fails before any work
        if (cross && _options.HostPack is not null)
            HostPacks.CheckFolder(rid, _options.HostPack);
        if (cross && _options.Runtime is null)
            throw new PyFreezeException($"--target {rid.Name}: building for another RID needs its CPython: pass --runtime with a python-build-standalone install_only .tar.gz{(rid.IsWindows ? " or python.org's Windows embeddable zip" : "")} for {rid.Name}; this host builds {Rid.HostName} without one", 2);
        if (!cross && _options.Runtime is not null)
            throw new PyFreezeException($"--runtime: only for a --target other than this machine ({Rid.HostName}); a build for {Rid.HostName} bundles the --python interpreter", 2);
        if (!cross && _options.TargetSitePackages.Count > 0)
            throw new PyFreezeException("--target-site-packages: only with --target and --runtime for another RID; the --python interpreter's site-packages are used here", 2);
        if (_options.Name is not null)
            ValidateName(_options.Name);
        CheckWritable(Path.GetFullPath(_options.DistPath), "--distpath");

        // probe (and [tool.pyfreeze] from pyproject.toml); for another RID, its runtime and a host CPython of the same version
        InterpreterInfo interp;
        InterpreterInfo compilerInterp;
        TargetRuntime? runtime = null;
        if (cross)
        {
            runtime = TargetRuntime.Open(_options.Runtime!, rid, BuildCache.Default(_log), _log, _options.RuntimeSha256);
            compilerInterp = runtime.FindCompiler(_options.Python, p => AppAnalysis.Probe(p, entry));
            interp = runtime.TargetInterpreter(compilerInterp, _options.TargetSitePackages, _log);
            _log.Info($"CPython {runtime.VersionString} for {rid.Name} from {runtime.Source}; bytecode by CPython {compilerInterp.VersionString} at {compilerInterp.RealExecutable}");
            _kit = LocateKit(rid, BuildCache.Default(_log)); // another RID's bootloader may need its .NET packs: fail before the work
        }
        else
        {
            var python = _options.Python ?? InterpreterProbe.DefaultInterpreter(Environment.GetEnvironmentVariable);
            interp = compilerInterp = AppAnalysis.Probe(python, entry);
            _log.Info($"Python {interp.VersionString} at {interp.RealExecutable}");
        }
        var opts = ProjectSettings.Merge(_options, interp.Pyproject);
        _opts = opts;
        var name = ValidateName(opts.Name ?? (Directory.Exists(entry) ? Path.GetFileName(Path.TrimEndingDirectorySeparator(entry)) : Path.GetFileNameWithoutExtension(entry)));
        WindowsResources? resources = null;
        if (rid.IsWindows)
            resources = WindowsResources.Create(_options.Icon, _options.VersionFile, _options.Company, _options.ProductVersion, name);
        else if (!rid.IsMacOS && (_options.Icon is not null || _options.ProductVersion is not null) || _options.VersionFile is not null || _options.Company is not null)
            _log.Warn($"--icon, --version-file, --company and --product-version set Windows resources (and a macOS .app's icon and version); a {rid.Name} executable has none of some, so they are ignored");
        if (opts.Optimize is < 0 or > 2)
            throw new PyFreezeException($"--optimize {opts.Optimize}: use 0, 1 or 2", 2);
        var dist = Path.GetFullPath(opts.DistPath);
        var work = Path.Combine(Path.GetFullPath(opts.WorkPath), name);
        if (opts.Clean && Directory.Exists(work))
            Directory.Delete(work, true);
        CheckWritable(work, "--workpath");
        var cache = BuildCache.Default(_log);
        var hooks = HookSet.Load(opts.AdditionalHooksDirs);
        var user = new UserCollectOptions
        {
            CollectData = [.. opts.CollectData, .. opts.CollectAll],
            CollectBinaries = [.. opts.CollectBinaries, .. opts.CollectAll],
            CopyMetadata = opts.CopyMetadata,
            AddData = opts.AddData.Select(a => AddedFile.Parse(a, "--add-data", opts.BaseDirectory)).ToList(),
            AddBinary = opts.AddBinary.Select(a => AddedFile.Parse(a, "--add-binary", opts.BaseDirectory)).ToList(),
            RuntimeHooks = opts.RuntimeHooks.Select(h => Path.GetFullPath(Path.Combine(opts.BaseDirectory, h))).ToList(),
        };
        Mark("probe");

        // analyze
        var (analysis, entryPoints) = AppAnalysis.Run(interp, entry, opts.Paths, opts.HiddenImports, opts.Excludes,
            Collector.RuntimeImports(interp), hooks, [.. opts.CollectSubmodules, .. opts.CollectAll], wholePackages: !opts.NoWholePackages);
        foreach (var problem in entryPoints.Problems)
            _log.Warn(problem);
        foreach (var warning in AppAnalysis.MissingHookImports(analysis, hooks))
            _log.Warn(warning);
        var missing = MissingModules.Of(analysis.Graph, interp.Platform, interp.MinorVersion);
        var hard = missing.Where(m => m.Group == MissingGroup.Real && m.Severity == MissingSeverity.TopLevel).ToList();
        foreach (var m in hard)
            _log.Warn($"missing module {m.Name}, imported by {string.Join(", ", m.Importers.Take(3).Select(e => $"{e.From} (line {e.Line})"))}{m.RemovedSuffix}");
        if (hard.Count > 0 && opts.Strict)
            throw new PyFreezeException($"{hard.Count} missing top-level import(s) ({string.Join(", ", hard.Select(m => m.Name))}); install them, add --paths, or drop --strict");
        foreach (var p in analysis.Problems.Where(p => p.File == analysis.EntryScript))
            throw new PyFreezeException($"{p}: fix the entry script first");
        _log.Info($"Analyzed {analysis.Graph.Count} modules in {analysis.Elapsed.TotalSeconds:0.00} s");
        Mark("analyze");

        // collect
        var layout = runtime is not null && rid.IsWindows ? RuntimeLayout.Windows(Path.GetFileName(runtime.Library)) : RuntimeLayout.Posix(interp, name);
        var plan = Collector.Collect(analysis, layout, new CollectOptions { AppName = name });
        if (rid.IsWindows)
            AddWindowsRuntime(plan, layout);
        DataCollector.Collect(plan, analysis, layout, hooks, user.CollectData, user.CollectBinaries);
        AppDataCollector.Collect(plan, analysis, layout);
        var metadataNames = HookCollector.Collect(plan, analysis, layout, hooks, user, [interp.Prefix, interp.BasePrefix]);
        MetadataCollector.Collect(plan, analysis, layout, entryPoints.In, metadataNames);
        BinaryCollector.Collect(plan, analysis, layout, rid, _log);
        TclTkCollector.Collect(plan, analysis, layout, _log);
        AddBoot(plan, interp, name, rid);
        InputFiles.DropSpecialFiles(plan);
        InputFiles.CheckNames(plan);
        InputFiles.CheckOutput(Path.Combine(dist, name + (opts.OneDir ? "" : rid.ExecutableSuffix)), opts.OneDir,
            [entry, .. plan.Entries.Where(e => e.Source is not null).Select(e => e.Source!)]);
        foreach (var warning in plan.Warnings)
            _log.Warn(warning);
        Mark("collect");

        // compile
        var compileErrors = new List<(string, string)>();
        var modules = plan.Entries.Where(e => e.Kind == PayloadEntryKind.Module && e.Source is not null || e.Text is not null).ToList();
        var compiler = new BytecodeCompiler(compilerInterp, cache, _log);
        var results = compiler.Compile(modules.Select(m => new CompileJob(m.Source, m.Text, m.DisplayName!)).ToList(), _opts.Optimize);
        var files = new List<(PayloadEntry, string?, byte[]?)>();
        for (int i = 0; i < modules.Count; i++)
        {
            var r = results[i];
            if (r.PycPath is not null)
            {
                files.Add((modules[i], r.PycPath, null));
                continue;
            }
            if (modules[i].Source == analysis.EntryScript)
                throw new PyFreezeException($"{entry}: {r.Error}");
            if (modules[i].Category == PayloadCategory.PyFreeze)
                throw new InvalidOperationException($"PyFreeze's own {modules[i].DisplayName} did not compile: {r.Error}");
            compileErrors.Add((modules[i].DisplayName!, r.Error!));
            _log.Warn(CompileFailure.Describe(analysis.Graph, modules[i].Module, modules[i].Source ?? modules[i].DisplayName!, r.Error!, compilerInterp));
        }
        Mark("compile");
        _modulesTotal = results.Count;
        _modulesCompiled = results.Count(r => r.Compiled);

        // assemble
        var preparer = new BinaryPreparer(cache, _log, _macSigning);
        var binaries = plan.Entries.Where(e => e.Kind == PayloadEntryKind.Binary).ToList();
        var stripped = new string[binaries.Count];
        var prepareClock = Stopwatch.StartNew();
        Parallel.For(0, binaries.Count, i =>
        {
            var one = Stopwatch.StartNew();
            stripped[i] = preparer.Prepare(binaries[i].Source!, binaries[i].Dest == plan.Interpreter);
            if (one.ElapsedMilliseconds > 200)
                _log.Debug($"preparing {binaries[i].Source} took {one.ElapsedMilliseconds} ms");
        });
        _log.Debug($"prepared {binaries.Count} binaries in {prepareClock.Elapsed.TotalSeconds:0.00} s");
        for (int i = 0; i < binaries.Count; i++)
            files.Add((binaries[i], stripped[i], null));
        foreach (var e in plan.Entries)
        {
            if (e.Kind == PayloadEntryKind.File)
                files.Add((e, e.Source, null));
            else if (e.Kind is PayloadEntryKind.Generated)
                files.Add((e, null, e.Content));
            else if (e.Kind == PayloadEntryKind.Directory)
                files.Add((e, null, null));
        }
        files.Add((new PayloadEntry { Dest = PayloadLayout.BuildInfo, Kind = PayloadEntryKind.Generated, Category = PayloadCategory.PyFreeze },
            null, BuildInfo(name, entry, interp, rid, plan)));

        var settings = new LaunchSettings
        {
            AppName = name,
            PayloadSha256 = new string('0', 64),
            PayloadXxh64 = new string('0', 16),
            Interpreter = plan.Interpreter,
            LibraryDirs = plan.LibraryDirs,
            PythonOptions = PythonOptions(_opts.Optimize),
            BootScript = PayloadLayout.BootScript,
            Windowed = _opts.Windowed,
            OneDir = _opts.OneDir,
            LaunchMode = rid.IsWindows ? "inprocess" : "exec",
            PythonLibrary = rid.IsWindows ? plan.Interpreter : "",
            GlibcFloor = plan.RequiredGlibc?.Version.ToString() ?? "",
            GlibcFloorNeededBy = plan.RequiredGlibc?.By ?? "",
        };
        var kit = _kit ?? LocateKit(rid, cache);
        var emitWork = Path.Combine(work, "emit");
        BuildResult result;
        if (_opts.OneDir)
        {
            var staging = Path.Combine(dist, $".{name}.{Environment.ProcessId}.tmp");
            IReadOnlyList<PayloadFile> payloadFiles;
            EmitResult exe;
            var final = Path.Combine(dist, name);
            try
            {
                payloadFiles = UnpackedWriter.Write(files, staging);
                Mark("assemble");
                exe = Emitter.Emit(kit, rid, null, settings, emitWork, Path.Combine(staging, name + rid.ExecutableSuffix), _opts.Windowed, compress: rid.IsWindows, resources: resources);
                SignWithIdentity(exe.Path);
                ReplaceDirectory(staging, final);
            }
            catch
            {
                if (Directory.Exists(staging))
                    Directory.Delete(staging, true); // a full disk or any other failure leaves no half-written folder in dist/
                throw;
            }
            Mark("emit");
            result = new BuildResult
            {
                Output = final, Executable = Path.Combine(final, name + rid.ExecutableSuffix), Analysis = analysis, Plan = plan,
                Files = payloadFiles, Emit = exe with { Path = Path.Combine(final, name + rid.ExecutableSuffix) }, Target = rid,
                Timings = _timings, CompileErrors = compileErrors,
                ModulesCompiled = _modulesCompiled, ModulesTotal = _modulesTotal,
            };
        }
        else
        {
            var zipClock = Stopwatch.StartNew();
            var payload = PayloadWriter.WriteOrReuse(files, Path.Combine(work, "payload.tar.zst"), cache);
            _log.Debug($"payload written in {zipClock.Elapsed.TotalSeconds:0.00} s");
            Mark("assemble");
            var appBundle = rid.IsMacOS && _opts.Windowed;
            var output = appBundle ? Path.Combine(work, "app", name) : Path.Combine(dist, name + rid.ExecutableSuffix);
            if (!appBundle && Directory.Exists(output))
                throw new PyFreezeException($"{output}: is a folder (an earlier --onedir build?); remove it or pick another --name");
            // nothing changed since the last build into this work folder: dist/NAME is already what would be written
            // (a .app or Windows resources are made afresh: the stamp does not describe them)
            var stamp = appBundle || resources is not null ? null : Path.Combine(work, "emit.stamp.json");
            var emitKey = EmitStamp.Key(kit, rid, payload, settings, _opts.Windowed, compress: rid.IsWindows);
            var reused = stamp is null ? null : EmitStamp.Reuse(stamp, output, emitKey);
            var exe = reused ?? Emitter.Emit(kit, rid, payload, settings, emitWork, output, _opts.Windowed, compress: rid.IsWindows, resources: resources);
            if (stamp is not null && reused is null)
                EmitStamp.Save(stamp, emitKey, exe);
            if (appBundle)
            {
                var staging = Path.Combine(dist, $".{name}.app.{Environment.ProcessId}.tmp");
                if (Directory.Exists(staging))
                    Directory.Delete(staging, true);
                var made = MacAppBundle.Create(output, name, _opts.BundleIdentifier ?? MacAppBundle.DefaultIdentifier(name),
                    _opts.ProductVersion ?? "0.0.0", _opts.Icon, staging);
                output = Path.Combine(dist, name + ".app");
                ReplaceDirectory(made, output);
                Directory.Delete(staging, true);
                exe = exe with { Path = Path.Combine(output, "Contents", "MacOS", name) };
            }
            SignWithIdentity(output);
            Mark("emit");
            result = new BuildResult
            {
                Output = output, Executable = exe.Path, Analysis = analysis, Plan = plan, Payload = payload, Files = payload.Files,
                Emit = exe, Target = rid, Timings = _timings, CompileErrors = compileErrors,
                ModulesCompiled = _modulesCompiled, ModulesTotal = _modulesTotal,
            };
        }
        return result;
    }

    /// <summary>The bootloader kit for <paramref name="rid"/>: <see cref="BuildOptions.BootloaderKit"/> when given, else
    /// located or published (<see cref="BootloaderKit.Locate"/>). When publishing for another RID fails because its
    /// .NET packs could not be restored, the error names the packages and <c>--host-pack</c>.</summary>
    private BootloaderKit LocateKit(Rid rid, BuildCache cache)
    {
        if (_options.BootloaderKit is { } dir)
            return BootloaderKit.ReadGiven(dir, rid);
        try
        {
            return BootloaderKit.Locate(rid, cache, _log, _options.HostPack);
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

    private static string ValidateName(string name)
    {
        if (string.IsNullOrWhiteSpace(name) || name is "." or ".." || name.IndexOfAny(['/', '\\', '\0']) >= 0 || name.StartsWith('-'))
            throw new PyFreezeException($"--name {name}: not a usable file name (no path separators, not empty, not starting with '-')", 2);
        return name;
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

    private void AddBoot(CollectPlan plan, InterpreterInfo interp, string name, Rid rid)
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
    private static void AddWindowsRuntime(CollectPlan plan, RuntimeLayout layout)
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

    private byte[] BuildInfo(string name, string entry, InterpreterInfo interp, Rid rid, CollectPlan plan)
    {
        using var ms = new MemoryStream();
        using (var j = new Utf8JsonWriter(ms, new JsonWriterOptions { Indented = true }))
        {
            j.WriteStartObject();
            j.WriteString("pyfreeze", Version);
            j.WriteString("name", name);
            j.WriteString("entry", Path.GetFileName(entry));
            j.WriteString("entry_module", plan.EntryModule);
            j.WriteString("python", interp.VersionString);
            j.WriteString("magic", interp.Magic);
            j.WriteString("rid", rid.Name);
            j.WriteString("mode", _opts.OneDir ? "onedir" : "onefile");
            j.WriteNumber("optimize", _opts.Optimize);
            j.WriteBoolean("windowed", _opts.Windowed);
            j.WriteStartArray("hidden_imports");
            foreach (var h in _opts.HiddenImports) j.WriteStringValue(h);
            j.WriteEndArray();
            j.WriteStartArray("excludes");
            foreach (var h in _opts.Excludes) j.WriteStringValue(h);
            j.WriteEndArray();
            j.WriteEndObject();
        }
        return ms.ToArray();
    }
}
