using PyFreeze.Analyze;
using PyFreeze.Collect;
using PyFreeze.Diagnostics;
using PyFreeze.Emit;
using PyFreeze.Probe;

namespace PyFreeze.Build;

/// <summary>
/// Everything <c>pyfreeze build</c> does, resolved once before the probe runs and never changed after (option names
/// follow PyInstaller's where the meaning is the same). Made by <see cref="Resolve"/> from <see cref="BuildSettings"/>
/// layers.
/// </summary>
/// <remarks>
/// <para><b>Precedence</b> (the one place it is decided): for a single value, the command line wins, then
/// <c>[tool.pyfreeze]</c> of the nearest pyproject.toml (<see cref="ProjectSettings"/>), then the environment
/// (<c>VIRTUAL_ENV</c> chooses the default <c>--python</c>), then the default written on each property. A flag and its
/// opposite are both "set": <c>-F/--onefile</c> overrides <c>onedir = true</c>, <c>--console</c> overrides
/// <c>windowed = true</c>, <c>--optimize 0</c> overrides <c>optimize = 1</c>. Lists are the pyproject.toml's followed
/// by the command line's. Relative paths are taken from the folder of the source that gave them (the current folder,
/// or the pyproject.toml's).</para>
/// <para>Values that may be absent by nature (no icon, no runtime archive) stay null; everything else has its final
/// value.</para>
/// </remarks>
public sealed record BuildOptions
{
    /// <summary>The entry as the app runs it (absolute): a script, or a package folder run like <c>python -m</c>
    /// (<see cref="AppAnalysis.EntryTarget"/>).</summary>
    public required string Entry { get; init; }

    /// <summary><c>-n/--name</c>: the app's name; default the entry's file name without extension (a package
    /// folder's name).</summary>
    public required string Name { get; init; }

    /// <summary><c>--distpath</c>, absolute: where the result goes (default <c>./dist</c>).</summary>
    public required string DistPath { get; init; }

    /// <summary><c>--workpath</c>, absolute: scratch files (default <c>./build</c>).</summary>
    public required string WorkPath { get; init; }

    /// <summary><c>-D/--onedir</c>: a folder with the executable and the unpacked payload instead of one file
    /// (<c>-F/--onefile</c>, the default, is false).</summary>
    public bool OneDir { get; init; }

    /// <summary><c>--python</c>: the interpreter to analyze and bundle; default <c>$VIRTUAL_ENV/bin/python</c>, else
    /// <c>python3</c> on PATH. Null only for another <see cref="Target"/> without <c>--python</c>: a CPython of the
    /// runtime's version is then searched for (<see cref="TargetRuntime.FindCompiler"/>).</summary>
    public string? Python { get; init; }

    /// <summary><c>--target</c>: the RID to build for (default the host's).</summary>
    public required Rid Target { get; init; }

    /// <summary>True when <see cref="Target"/> is not this machine's RID.</summary>
    public bool Cross => Target.Name != Rid.HostName;

    /// <summary><c>--runtime</c>: the CPython runtime for a <see cref="Target"/> other than this machine (a
    /// python-build-standalone <c>install_only</c> .tar.gz or python.org's Windows embeddable zip), a path or URL.</summary>
    public string? Runtime { get; init; }

    /// <summary><c>--runtime-sha256</c>: the SHA-256 the <see cref="Runtime"/> archive must have.</summary>
    public string? RuntimeSha256 { get; init; }

    /// <summary><c>--target-site-packages</c>: folders of third-party packages installed for the target platform.</summary>
    public IReadOnlyList<string> TargetSitePackages { get; init; } = [];

    /// <summary><c>--icon</c>: the executable's icon (a Windows .ico for win-x64, an .icns for an osx-arm64 .app).</summary>
    public string? Icon { get; init; }

    /// <summary><c>--version-file</c>: PyInstaller's VSVersionInfo file or a JSON object of Windows version strings.</summary>
    public string? VersionFile { get; init; }

    /// <summary><c>--company</c>: the CompanyName of the Windows version resource.</summary>
    public string? Company { get; init; }

    /// <summary><c>--product-version</c>: the ProductVersion (and, unless set otherwise, FileVersion) of the Windows
    /// version resource; a macOS .app's version.</summary>
    public string? ProductVersion { get; init; }

    /// <summary><c>--host-pack</c>: a folder of .NET pack .nupkg files (Microsoft.NETCore.App.Host.RID,
    /// Microsoft.NETCore.App.Runtime.RID) for a RID whose packs NuGet cannot supply here (osx-arm64).</summary>
    public string? HostPack { get; init; }

    /// <summary><c>--bootloader-kit DIR</c>: a bootloader kit folder (<see cref="Emit.BootloaderKit"/> layout) to use
    /// instead of the one shipped with PyFreeze or one published with the .NET SDK: a NativeAOT kit made on the target
    /// OS's own runner, or a kit for a RID whose kit this install lacks and whose .NET packs are not reachable. Checked by
    /// <see cref="Emit.BootloaderKit.ReadGiven"/> before any work.</summary>
    public string? BootloaderKit { get; init; }

    /// <summary><c>--codesign-identity</c>: the identity osx-arm64 Mach-O files are signed with through Apple's
    /// <c>codesign</c> (macOS hosts only); null signs ad hoc (see <see cref="Assemble.MacSigning"/>).</summary>
    public string? CodesignIdentity { get; init; }

    /// <summary><c>--osx-entitlements-file</c>: an entitlements .plist for <c>codesign</c> (macOS hosts only).</summary>
    public string? Entitlements { get; init; }

    /// <summary><c>--bundle-identifier</c>: the CFBundleIdentifier of a macOS .app (null: <c>org.pyfreeze.NAME</c>).</summary>
    public string? BundleIdentifier { get; init; }

    /// <summary><c>--optimize</c>: 0 (default), 1 (-O) or 2 (-OO), for the bytecode and the interpreter.</summary>
    public int Optimize { get; init; }

    /// <summary><c>--clean</c>: remove the work folder first and rebuild everything, ignoring cached results.</summary>
    public bool Clean { get; init; }

    /// <summary><c>--paths</c>: extra import folders, absolute.</summary>
    public IReadOnlyList<string> Paths { get; init; } = [];

    /// <summary><c>--hidden-import</c>.</summary>
    public IReadOnlyList<string> HiddenImports { get; init; } = [];

    /// <summary><c>--exclude-module</c>.</summary>
    public IReadOnlyList<string> Excludes { get; init; } = [];

    /// <summary><c>--strict</c>: missing top-level imports fail the build.</summary>
    public bool Strict { get; init; }

    /// <summary><c>--include-source</c>: ship the <c>.py</c> of every app and third-party module beside its bytecode
    /// (<c>__pycache__/NAME.cpython-XY[.opt-N].pyc</c>, unchecked-hash, PEP 552), so <c>inspect.getsource</c>, linecache
    /// and tracebacks show the real source; the standard library stays bytecode only. False (the default): bytecode
    /// only.</summary>
    public bool IncludeSource { get; init; }

    /// <summary><c>--windowed</c>: a GUI app (Windows: GUI subsystem; macOS: a .app bundle); <c>--console</c>, the
    /// default, is false.</summary>
    public bool Windowed { get; init; }

    /// <summary><c>--json FILE</c>: write the build report as JSON (<c>-</c> for stdout), or null.</summary>
    public string? JsonReport { get; init; }

    /// <summary><c>--report FILE.html</c>: where the HTML build report goes besides <see cref="DefaultHtmlReport"/>, or null.</summary>
    public string? HtmlReport { get; init; }

    /// <summary>The HTML build report every build writes: <c>WORKPATH/NAME/report.html</c>.</summary>
    public string DefaultHtmlReport => System.IO.Path.Combine(WorkPath, Name, "report.html");

    /// <summary><c>--no-whole-packages</c>: collect only the modules the imports reach.</summary>
    public bool NoWholePackages { get; init; }

    /// <summary><c>--no-whole-stdlib</c>: collect only the stdlib modules the imports reach (and whole stdlib packages
    /// they reach), not the whole standard library (<see cref="Analyze.StdlibWhole"/>).</summary>
    public bool NoWholeStdlib { get; init; }

    /// <summary><c>--collect-submodules PKG</c>: all submodules of PKG, whatever its hook says.</summary>
    public IReadOnlyList<string> CollectSubmodules { get; init; } = [];

    /// <summary><c>--collect-data PKG</c>: PKG's data files, imported or not.</summary>
    public IReadOnlyList<string> CollectData { get; init; } = [];

    /// <summary><c>--collect-binaries PKG</c>: PKG's shared libraries and extension modules.</summary>
    public IReadOnlyList<string> CollectBinaries { get; init; } = [];

    /// <summary><c>--collect-all PKG</c>: submodules, data, binaries and metadata of PKG.</summary>
    public IReadOnlyList<string> CollectAll { get; init; } = [];

    /// <summary><c>--copy-metadata DIST</c>: a distribution's metadata although none of its modules is collected.</summary>
    public IReadOnlyList<string> CopyMetadata { get; init; } = [];

    /// <summary><c>--add-data SRC:DEST</c> (DEST relative to sys._MEIPASS), parsed, sources absolute.</summary>
    public IReadOnlyList<AddedFile> AddData { get; init; } = [];

    /// <summary><c>--add-binary SRC:DEST</c>, parsed, sources absolute.</summary>
    public IReadOnlyList<AddedFile> AddBinary { get; init; } = [];

    /// <summary><c>--runtime-hook FILE</c>, absolute.</summary>
    public IReadOnlyList<string> RuntimeHooks { get; init; } = [];

    /// <summary><c>--additional-hooks-dir DIR</c>: folders of user hooks (<c>PACKAGE.json</c>), absolute.</summary>
    public IReadOnlyList<string> AdditionalHooksDirs { get; init; } = [];

    /// <summary>The pyproject.toml whose <c>[tool.pyfreeze]</c> was read, or null.</summary>
    public string? Pyproject { get; init; }

    /// <summary>Where messages go.</summary>
    public Log Log { get; init; } = new();

    /// <summary>Stacks the command line over the entry's pyproject.toml, the environment and the defaults (see the
    /// precedence above) and checks the result. Reads files (pyproject.toml) but runs nothing.</summary>
    /// <param name="commandLine">What the command line (or an embedder) gave; <see cref="BuildSettings.Entry"/> is required.</param>
    /// <param name="environment">Reads an environment variable (<see cref="Environment.GetEnvironmentVariable(string)"/>).</param>
    /// <returns>The options the whole build uses.</returns>
    /// <exception cref="PyFreezeException">A bad pyproject.toml, or options that are bad or exclude each other
    /// (exit code 2), with a one-line message.</exception>
    public static BuildOptions Resolve(BuildSettings commandLine, Func<string, string?> environment)
    {
        var cwd = commandLine.BaseDirectory ?? Environment.CurrentDirectory;
        var entry = AppAnalysis.EntryTarget(Path.Combine(cwd, commandLine.Entry ?? throw new ArgumentException("the entry is required", nameof(commandLine))));
        var pyproject = ProjectSettings.Find(Directory.Exists(entry) ? entry : Path.GetDirectoryName(entry)!);
        var s = pyproject is null ? commandLine.Over(new BuildSettings()) : commandLine.Over(ProjectSettings.Read(pyproject));
        var log = s.Log ?? new Log();
        var target = Rid.Parse(s.Target ?? Rid.HostName);
        var cross = target.Name != Rid.HostName;
        var name = ValidateName(s.Name ?? (Directory.Exists(entry) ? Path.GetFileName(entry) : Path.GetFileNameWithoutExtension(entry)));
        var optimize = s.Optimize ?? 0;
        if (optimize is < 0 or > 2)
            throw new PyFreezeException($"--optimize {optimize}: use 0, 1 or 2", 2);
        var options = new BuildOptions
        {
            Entry = entry,
            Name = name,
            DistPath = s.DistPath ?? Path.Combine(cwd, "dist"),
            WorkPath = s.WorkPath ?? Path.Combine(cwd, "build"),
            OneDir = s.OneDir ?? false,
            Python = s.Python ?? (cross ? null : InterpreterProbe.DefaultInterpreter(environment)),
            Target = target,
            Runtime = s.Runtime,
            RuntimeSha256 = s.RuntimeSha256,
            TargetSitePackages = s.TargetSitePackages ?? [],
            Icon = s.Icon,
            VersionFile = s.VersionFile,
            Company = s.Company,
            ProductVersion = s.ProductVersion,
            HostPack = s.HostPack,
            BootloaderKit = s.BootloaderKit,
            CodesignIdentity = s.CodesignIdentity,
            Entitlements = s.Entitlements,
            BundleIdentifier = s.BundleIdentifier,
            Optimize = optimize,
            Clean = s.Clean ?? false,
            Paths = s.Paths ?? [],
            HiddenImports = s.HiddenImports ?? [],
            Excludes = s.Excludes ?? [],
            Strict = s.Strict ?? false,
            IncludeSource = s.IncludeSource ?? false,
            Windowed = s.Windowed ?? false,
            JsonReport = s.JsonReport,
            HtmlReport = s.HtmlReport,
            NoWholePackages = s.NoWholePackages ?? false,
            NoWholeStdlib = s.NoWholeStdlib ?? false,
            CollectSubmodules = s.CollectSubmodules ?? [],
            CollectData = s.CollectData ?? [],
            CollectBinaries = s.CollectBinaries ?? [],
            CollectAll = s.CollectAll ?? [],
            CopyMetadata = s.CopyMetadata ?? [],
            AddData = (s.AddData ?? []).Select(a => AddedFile.Parse(a, "--add-data", cwd)).ToList(),
            AddBinary = (s.AddBinary ?? []).Select(a => AddedFile.Parse(a, "--add-binary", cwd)).ToList(),
            RuntimeHooks = s.RuntimeHooks ?? [],
            AdditionalHooksDirs = s.AdditionalHooksDirs ?? [],
            Pyproject = pyproject,
            Log = log,
        };
        options.Check();
        return options;
    }

    /// <summary>The checks that need no file but the options: macOS options for another platform, and options that
    /// exclude each other. Warns about options the target ignores.</summary>
    private void Check()
    {
        var rid = Target;
        if (rid.IsMacOS)
        {
            if (BundleIdentifier is not null)
                MacAppBundle.ValidateIdentifier(BundleIdentifier);
            if (Icon is not null)
                MacAppBundle.ValidateIcns(Icon);
            if (Windowed && OneDir)
                throw new PyFreezeException("--windowed with --onedir: an osx-arm64 .app holds one executable; drop --onedir", 2);
        }
        else
        {
            if (BundleIdentifier is not null)
                Log.Warn($"--bundle-identifier names a macOS .app; a {rid.Name} build has none, so it is ignored");
            if (CodesignIdentity is not null || Entitlements is not null)
                Log.Warn($"--codesign-identity and --osx-entitlements-file sign macOS code; a {rid.Name} build has none, so they are ignored");
        }
    }

    /// <summary>Checks the options that choose the target's runtime (<c>--runtime</c>, <c>--host-pack</c>,
    /// <c>--target-site-packages</c>) against the target; the pipeline calls it after the signing identity and Windows
    /// resources have been checked, so each mistake is reported in the order the options are read.</summary>
    /// <exception cref="PyFreezeException">An option for another RID without one, or the reverse (exit code 2).</exception>
    internal void CheckTargetInputs()
    {
        var rid = Target;
        if (Cross && HostPack is not null)
            HostPacks.CheckFolder(rid, HostPack);
        if (Cross && Runtime is null)
            throw new PyFreezeException($"--target {rid.Name}: building for another RID needs its CPython: pass --runtime with a python-build-standalone install_only .tar.gz{(rid.IsWindows ? " or python.org's Windows embeddable zip" : rid.IsLinux ? " or a folder of Debian's python3.X packages for it unpacked with dpkg -x" : "")} for {rid.Name}; this host builds {Rid.HostName} without one", 2);
        if (!Cross && Runtime is not null)
            throw new PyFreezeException($"--runtime: only for a --target other than this machine ({Rid.HostName}); a build for {Rid.HostName} bundles the --python interpreter", 2);
        if (!Cross && TargetSitePackages.Count > 0)
            throw new PyFreezeException("--target-site-packages: only with --target and --runtime for another RID; the --python interpreter's site-packages are used here", 2);
    }

    private static string ValidateName(string name)
    {
        if (string.IsNullOrWhiteSpace(name) || name is "." or ".." || name.IndexOfAny(['/', '\\', '\0']) >= 0 || name.StartsWith('-'))
            throw new PyFreezeException($"--name {name}: not a usable file name (no path separators, not empty, not starting with '-')", 2);
        return name;
    }
}
