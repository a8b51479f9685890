using System.CommandLine;
using PyFreeze.Build;
using PyFreeze.Diagnostics;
using PyFreeze.Report;

namespace PyFreeze.Cli;

/// <summary><c>pyfreeze build ENTRY</c>: the frozen executable in <c>dist/</c>.</summary>
internal static class BuildCommand
{
    public static Command Create() => Create(out _);

    /// <summary>The command, and what turns its parse result into the command line's settings layer (for tests of
    /// option precedence without a build).</summary>
    internal static Command Create(out Func<ParseResult, BuildSettings> toSettings)
    {
        var common = new AnalyzerOptionSet();
        var name = new Option<string?>("--name", "-n") { Description = "The app's name (default: the entry's file name).", HelpName = "NAME" };
        var distpath = new Option<string?>("--distpath") { Description = "Where the app goes (default: ./dist).", HelpName = "DIR" };
        var workpath = new Option<string?>("--workpath") { Description = "Where scratch files go (default: ./build).", HelpName = "DIR" };
        var onefile = new Option<bool>("--onefile", "-F") { Description = "One executable file (the default)." };
        var onedir = new Option<bool>("--onedir", "-D") { Description = "A folder holding the executable and its files, unpacked." };
        var target = new Option<string?>("--target") { Description = "The RID to build for: linux-x64, linux-arm64, win-x64, osx-arm64 (default: this machine's).", HelpName = "RID" };
        var runtime = new Option<string?>("--runtime") { Description = "The CPython for a --target other than this machine: a python-build-standalone install_only .tar.gz, python.org's Windows embeddable zip, or for linux-arm64 a folder (Debian's packages unpacked with dpkg -x, a root filesystem).", HelpName = "ARCHIVE|DIR" };
        var runtimeSha = new Option<string?>("--runtime-sha256") { Description = "The SHA-256 the --runtime archive must have.", HelpName = "HEX" };
        var targetSite = Many("--target-site-packages", "A folder of packages installed for the --target platform (repeatable).", "DIR");
        var icon = new Option<string?>("--icon", "-i") { Description = "The executable's icon: a .ico file (win-x64) or .icns file (osx-arm64 .app).", HelpName = "FILE" };
        var versionFile = new Option<string?>("--version-file") { Description = "Windows version resource: PyInstaller's VSVersionInfo(...) file (as pyi-grab_version writes it; read, not run) or a JSON object with CompanyName, FileVersion, ProductVersion, FileDescription, ….", HelpName = "FILE" };
        var company = new Option<string?>("--company") { Description = "The company name in the Windows version resource.", HelpName = "NAME" };
        var productVersion = new Option<string?>("--product-version") { Description = "The product (and file) version in the Windows version resource, e.g. 1.2.3.", HelpName = "VERSION" };
        var hostPack = new Option<string?>("--host-pack") { Description = "A folder of .NET pack .nupkg files (Microsoft.NETCore.App.Host.RID and .Runtime.RID) for a --target whose packs NuGet cannot supply here (osx-arm64).", HelpName = "DIR" };
        var bootloaderKit = new Option<string?>("--bootloader-kit") { Description = "A bootloader kit folder for --target, instead of the one shipped with PyFreeze or one published with the .NET SDK (e.g. a NativeAOT kit from the target OS's own runner: `dotnet publish bootloader -r RID -p:PyFreezeAot=true -p:PyFreezeKitDir=DIR`); its RID, PyFreeze and .NET versions must match.", HelpName = "DIR" };
        var codesignIdentity = new Option<string?>("--codesign-identity") { Description = "osx-arm64: sign the payload's Mach-O files and the executable with this keychain identity through codesign (on macOS only); default: ad-hoc signatures written by PyFreeze on any host.", HelpName = "IDENTITY" };
        var entitlements = new Option<string?>("--osx-entitlements-file", "--entitlements") { Description = "osx-arm64: an entitlements .plist passed to codesign with --codesign-identity (on macOS only).", HelpName = "FILE" };
        var bundleId = new Option<string?>("--bundle-identifier") { Description = "The macOS .app's bundle identifier (osx-arm64 --windowed), e.g. com.example.myapp.", HelpName = "ID" };
        var optimize = new Option<int?>("--optimize") { Description = "Bytecode optimization: 0, 1 (-O: no asserts), 2 (-OO: no docstrings).", HelpName = "LEVEL" };
        var clean = new Option<bool>("--clean") { Description = "Remove the work folder and ignore cached results first." };
        var logLevel = new Option<string>("--log-level") { Description = "How much to print: DEBUG, INFO, WARN, ERROR (PyInstaller's TRACE, DEPRECATION and FATAL are taken as DEBUG, WARN and ERROR).", HelpName = "LEVEL", DefaultValueFactory = _ => "INFO" };
        string[] levels = ["DEBUG", "INFO", "WARN", "ERROR", "TRACE", "DEPRECATION", "FATAL"];
        logLevel.Validators.Add(r =>
        {
            var value = r.GetValueOrDefault<string>();
            if (!levels.Contains(value.ToUpperInvariant()))
                r.AddError($"--log-level {value}: use one of DEBUG, INFO, WARN, ERROR");
        });
        // Flags PyInstaller users pass out of habit, with nothing to do here: builds never ask before replacing dist/NAME,
        // and a console app is the default.
        var noConfirm = new Option<bool>("--noconfirm", "-y") { Description = "Accepted for PyInstaller users: PyFreeze never asks before replacing dist/NAME." };
        var console = new Option<bool>("--console", "-c", "--nowindowed") { Description = "A console app (the default; the opposite of --windowed)." };
        var strict = new Option<bool>("--strict") { Description = "Fail when an import that runs unconditionally cannot be found." };
        var includeSource = new Option<bool>("--include-source") { Description = "Ship the .py of the app's and third-party modules too, so tracebacks and inspect.getsource show source (the default ships bytecode only)." };
        var noIncludeSource = new Option<bool>("--no-include-source") { Description = "Ship bytecode only (the default; overrides include-source in pyproject.toml)." };
        var windowed = new Option<bool>("--windowed", "-w", "--noconsole") { Description = "A GUI app: no console window on Windows, a .app bundle on macOS." };
        var json = new Option<string?>("--json") { Description = "Write the build report as JSON to FILE (- for stdout).", HelpName = "FILE" };
        var report = new Option<string?>("--report") { Description = "Write the HTML build report (size map, why each module is in, missing modules) to FILE too; every build writes WORKPATH/NAME/report.html.", HelpName = "FILE.html" };
        static IReadOnlyList<string>? NoneIfEmpty(string[]? values) => values is { Length: > 0 } ? values : null;
        static Option<string[]> Many(string name, string help, string helpName) => new(name) { Description = help, HelpName = helpName };
        var collectSubmodules = Many("--collect-submodules", "Collect all submodules of PACKAGE (repeatable).", "PACKAGE");
        var collectData = Many("--collect-data", "Collect the data files of PACKAGE, imported or not (repeatable).", "PACKAGE");
        var collectBinaries = Many("--collect-binaries", "Collect the shared libraries and extension modules of PACKAGE (repeatable).", "PACKAGE");
        var collectAll = Many("--collect-all", "Collect the submodules, data, binaries and metadata of PACKAGE (repeatable).", "PACKAGE");
        var copyMetadata = Many("--copy-metadata", "Copy the metadata of distribution DIST (repeatable).", "DIST");
        var addData = Many("--add-data", "Add a file, folder or glob at DEST inside the app (relative to sys._MEIPASS), e.g. assets:assets (repeatable).", "SRC:DEST");
        var addBinary = Many("--add-binary", "Add a shared library at DEST inside the app; its own dependencies are collected too (repeatable).", "SRC:DEST");
        var runtimeHook = Many("--runtime-hook", "A Python file to run before the entry script (repeatable).", "FILE");
        var noWhole = new Option<bool>("--no-whole-packages") { Description = "Collect only the modules the imports reach (smaller; plugin discovery and imports by computed names may then fail)." };
        var noWholeStdlib = new Option<bool>("--no-whole-stdlib") { Description = "Collect only the stdlib modules the imports reach, not the whole standard library (smaller; a stdlib module named only at run time may then be missing)." };
        var hooksDir = Many("--additional-hooks-dir", "A folder of hook files (PACKAGE.json) that add to or replace the built-in hooks (repeatable).", "DIR");

        var cmd = new Command("build", "Freeze an app into dist/NAME: one file that runs without Python.");
        common.AddTo(cmd);
        foreach (var o in new Option[] { name, distpath, workpath, onefile, onedir, target, runtime, runtimeSha, targetSite, icon, versionFile, company, productVersion, hostPack, bootloaderKit, bundleId, codesignIdentity, entitlements, optimize, clean, logLevel, strict, includeSource, noIncludeSource, windowed, console, noConfirm, json, report,
                     collectSubmodules, collectData, collectBinaries, collectAll, copyMetadata, addData, addBinary, runtimeHook, hooksDir, noWhole, noWholeStdlib })
            cmd.Options.Add(o);
        cmd.Validators.Add(r =>
        {
            if (r.GetValue(onefile) && r.GetValue(onedir))
                r.AddError("--onefile and --onedir exclude each other");
            if (r.GetValue(includeSource) && r.GetValue(noIncludeSource))
                r.AddError("--include-source and --no-include-source exclude each other");
            if (r.GetValue(windowed) && r.GetValue(console))
                r.AddError("--windowed and --console exclude each other");
        });
        BuildSettings ToSettings(ParseResult parse)
        {
            var level = parse.GetValue(logLevel)!.ToUpperInvariant() switch
            {
                "TRACE" => LogLevel.Debug,
                "DEPRECATION" => LogLevel.Warn,
                "FATAL" => LogLevel.Error,
                var l => Enum.Parse<LogLevel>(l, ignoreCase: true),
            };
            // Only what the command line says: a flag not given stays null, so pyproject.toml's value can show through
            // (BuildOptions.Resolve stacks the layers).
            static bool? Flag(bool on, bool off) => on ? true : off ? false : null;
            var settings = new BuildSettings
            {
                Entry = parse.GetValue(common.Entry)!,
                Name = parse.GetValue(name),
                DistPath = parse.GetValue(distpath),
                WorkPath = parse.GetValue(workpath),
                OneDir = Flag(parse.GetValue(onedir), parse.GetValue(onefile)),
                Python = parse.GetValue(common.Python),
                Target = parse.GetValue(target),
                Runtime = parse.GetValue(runtime),
                Icon = parse.GetValue(icon),
                HostPack = parse.GetValue(hostPack),
                BootloaderKit = parse.GetValue(bootloaderKit),
                BundleIdentifier = parse.GetValue(bundleId),
                CodesignIdentity = parse.GetValue(codesignIdentity),
                Entitlements = parse.GetValue(entitlements),
                VersionFile = parse.GetValue(versionFile),
                Company = parse.GetValue(company),
                ProductVersion = parse.GetValue(productVersion),
                RuntimeSha256 = parse.GetValue(runtimeSha),
                TargetSitePackages = parse.GetValue(targetSite),
                Optimize = parse.GetValue(optimize),
                Clean = Flag(parse.GetValue(clean), false),
                Paths = NoneIfEmpty(parse.GetValue(common.Paths)),
                HiddenImports = NoneIfEmpty(parse.GetValue(common.HiddenImports)),
                Excludes = NoneIfEmpty(parse.GetValue(common.Excludes)),
                Strict = Flag(parse.GetValue(strict), false),
                IncludeSource = Flag(parse.GetValue(includeSource), parse.GetValue(noIncludeSource)),
                Windowed = Flag(parse.GetValue(windowed), parse.GetValue(console)),
                JsonReport = parse.GetValue(json),
                HtmlReport = parse.GetValue(report),
                CollectSubmodules = NoneIfEmpty(parse.GetValue(collectSubmodules)),
                CollectData = NoneIfEmpty(parse.GetValue(collectData)),
                CollectBinaries = NoneIfEmpty(parse.GetValue(collectBinaries)),
                CollectAll = NoneIfEmpty(parse.GetValue(collectAll)),
                CopyMetadata = NoneIfEmpty(parse.GetValue(copyMetadata)),
                AddData = NoneIfEmpty(parse.GetValue(addData)),
                AddBinary = NoneIfEmpty(parse.GetValue(addBinary)),
                RuntimeHooks = NoneIfEmpty(parse.GetValue(runtimeHook)),
                AdditionalHooksDirs = NoneIfEmpty(parse.GetValue(hooksDir)),
                NoWholePackages = Flag(parse.GetValue(noWhole), false),
                NoWholeStdlib = Flag(parse.GetValue(noWholeStdlib), false),
                Log = new Log(level),
            };
            return settings;
        }
        toSettings = ToSettings;
        cmd.SetAction(parse =>
        {
            var settings = ToSettings(parse);
            var level = settings.Log!.Level;
            // resolved before the display starts: bad options are one line on stderr, with nothing drawn
            var resolved = BuildOptions.Resolve(settings, Environment.GetEnvironmentVariable);
            var jsonPath = resolved.JsonReport;
            var (result, options, madeMs, jsonMs, total, model) = BuildProgressDisplay.Run(level, toStderr: jsonPath == "-", (progress, logWriter) =>
            {
                var pipeline = new BuildPipeline(resolved with { Log = new Log(level, logWriter, progress) });
                var result = pipeline.Run();
                var options = pipeline.Options;
                progress.Started("report");
                var clock = System.Diagnostics.Stopwatch.StartNew();
                var made = result.Report; // made by the pipeline before emit (the executable carries it)
                var madeMs = clock.Elapsed.TotalMilliseconds;
                var model = made.ToJson();
                var jsonMs = clock.Elapsed.TotalMilliseconds - madeMs;
                foreach (var html in new[] { options.DefaultHtmlReport, options.HtmlReport }.OfType<string>().Distinct())
                    Output.Write(html, s => HtmlReport.Write(model, s));
                progress.Finished("report", clock.Elapsed, BuildReport.Shown(options.DefaultHtmlReport));
                return (result, options, madeMs, jsonMs, clock.Elapsed.TotalMilliseconds, model);
            });
            var summary = jsonPath == "-" ? Console.Error : Console.Out;
            // bench/report_cost.py reads this line
            var (documentMs, storedMs, besideMs) = result.ReportMs;
            options.Log.Debug($"build report made and written in {total + documentMs + storedMs:0.0} ms (document {documentMs + madeMs:0.0} ms, stored in the executable {storedMs:0.0} ms, JSON {jsonMs:0.0} ms, {model.Length} bytes; " +
                $"and {besideMs:0.0} ms beside the collect, compile and assemble stages)");
            if (level <= LogLevel.Info)
            {
                BuildReport.WriteSummary(result, summary);
                var also = options.HtmlReport is { } given && given != options.DefaultHtmlReport ? $" and {BuildReport.Shown(given)}" : "";
                summary.WriteLine($"  report: {BuildReport.Shown(options.DefaultHtmlReport)}{also}");
            }
            if (jsonPath is not null)
                Output.Write(jsonPath, s => BuildReport.WriteJson(result, s, model));
            return 0;
        });
        return cmd;
    }
}
