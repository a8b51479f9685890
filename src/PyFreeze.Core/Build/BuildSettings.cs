using PyFreeze.Diagnostics;

namespace PyFreeze.Build;

/// <summary>
/// One layer of build settings as one source gives them: the command line, <c>[tool.pyfreeze]</c> in pyproject.toml
/// (<see cref="ProjectSettings"/>) or the environment. A null value means "this source does not say"; a null list
/// likewise. Layers are stacked with <see cref="Over"/> and resolved, once, into <see cref="BuildOptions"/> (which
/// documents the precedence) before anything else runs. Names follow PyInstaller's options.
/// </summary>
public sealed record BuildSettings
{
    /// <summary>The entry script, or a package folder with <c>__main__.py</c> (command line only).</summary>
    public string? Entry { get; init; }

    /// <summary><c>-n/--name</c>, <c>name</c>: the app's name.</summary>
    public string? Name { get; init; }

    /// <summary><c>--distpath</c>: where the result goes.</summary>
    public string? DistPath { get; init; }

    /// <summary><c>--workpath</c>: scratch files.</summary>
    public string? WorkPath { get; init; }

    /// <summary><c>-D/--onedir</c> (true), <c>-F/--onefile</c> (false), <c>onedir</c>.</summary>
    public bool? OneDir { get; init; }

    /// <summary><c>--python</c>: the interpreter to analyze and bundle.</summary>
    public string? Python { get; init; }

    /// <summary><c>--target</c>: the RID to build for.</summary>
    public string? Target { get; init; }

    /// <summary><c>--runtime</c>: the CPython runtime archive for another RID.</summary>
    public string? Runtime { get; init; }

    /// <summary><c>--runtime-sha256</c>.</summary>
    public string? RuntimeSha256 { get; init; }

    /// <summary><c>--target-site-packages</c>.</summary>
    public IReadOnlyList<string>? TargetSitePackages { get; init; }

    /// <summary><c>--icon</c>.</summary>
    public string? Icon { get; init; }

    /// <summary><c>--version-file</c>.</summary>
    public string? VersionFile { get; init; }

    /// <summary><c>--company</c>.</summary>
    public string? Company { get; init; }

    /// <summary><c>--product-version</c>.</summary>
    public string? ProductVersion { get; init; }

    /// <summary><c>--host-pack</c>.</summary>
    public string? HostPack { get; init; }

    /// <summary><c>--bootloader-kit</c>: a bootloader kit folder to use instead of locating or publishing one.</summary>
    public string? BootloaderKit { get; init; }

    /// <summary><c>--codesign-identity</c>.</summary>
    public string? CodesignIdentity { get; init; }

    /// <summary><c>--osx-entitlements-file</c>.</summary>
    public string? Entitlements { get; init; }

    /// <summary><c>--bundle-identifier</c>.</summary>
    public string? BundleIdentifier { get; init; }

    /// <summary><c>--optimize</c>, <c>optimize</c>: 0, 1 or 2.</summary>
    public int? Optimize { get; init; }

    /// <summary><c>--clean</c>.</summary>
    public bool? Clean { get; init; }

    /// <summary><c>--paths</c>, <c>paths</c>.</summary>
    public IReadOnlyList<string>? Paths { get; init; }

    /// <summary><c>--hidden-import</c>, <c>hidden-imports</c>.</summary>
    public IReadOnlyList<string>? HiddenImports { get; init; }

    /// <summary><c>--exclude-module</c>, <c>exclude-modules</c>.</summary>
    public IReadOnlyList<string>? Excludes { get; init; }

    /// <summary><c>--strict</c>, <c>strict</c>.</summary>
    public bool? Strict { get; init; }

    /// <summary><c>--include-source</c> (true), <c>--no-include-source</c> (false), <c>include-source</c>.</summary>
    public bool? IncludeSource { get; init; }

    /// <summary><c>-w/--windowed</c> (true), <c>-c/--console</c> (false), <c>windowed</c>.</summary>
    public bool? Windowed { get; init; }

    /// <summary><c>--json FILE</c>.</summary>
    public string? JsonReport { get; init; }

    /// <summary><c>--report FILE.html</c>.</summary>
    public string? HtmlReport { get; init; }

    /// <summary><c>--no-whole-packages</c>.</summary>
    public bool? NoWholePackages { get; init; }

    /// <summary><c>--no-whole-stdlib</c>.</summary>
    public bool? NoWholeStdlib { get; init; }

    /// <summary><c>--collect-submodules</c>, <c>collect-submodules</c>.</summary>
    public IReadOnlyList<string>? CollectSubmodules { get; init; }

    /// <summary><c>--collect-data</c>, <c>collect-data</c>.</summary>
    public IReadOnlyList<string>? CollectData { get; init; }

    /// <summary><c>--collect-binaries</c>, <c>collect-binaries</c>.</summary>
    public IReadOnlyList<string>? CollectBinaries { get; init; }

    /// <summary><c>--collect-all</c>, <c>collect-all</c>.</summary>
    public IReadOnlyList<string>? CollectAll { get; init; }

    /// <summary><c>--copy-metadata</c>, <c>copy-metadata</c>.</summary>
    public IReadOnlyList<string>? CopyMetadata { get; init; }

    /// <summary><c>--add-data SRC:DEST</c>, <c>add-data</c>; a relative SRC is taken from <see cref="BaseDirectory"/>.</summary>
    public IReadOnlyList<string>? AddData { get; init; }

    /// <summary><c>--add-binary SRC:DEST</c>, <c>add-binary</c>.</summary>
    public IReadOnlyList<string>? AddBinary { get; init; }

    /// <summary><c>--runtime-hook FILE</c>, <c>runtime-hooks</c>.</summary>
    public IReadOnlyList<string>? RuntimeHooks { get; init; }

    /// <summary><c>--additional-hooks-dir DIR</c>, <c>additional-hooks-dirs</c>.</summary>
    public IReadOnlyList<string>? AdditionalHooksDirs { get; init; }

    /// <summary><c>smoke</c>: the arguments the CI smoke test runs the built app with (<c>pyfreeze ci init --smoke</c>);
    /// not a build setting, so <see cref="BuildOptions"/> has no counterpart.</summary>
    public string? Smoke { get; init; }

    /// <summary>The folder this layer's relative paths are taken from: the current folder for the command line
    /// (when null), the pyproject.toml's folder for its settings.</summary>
    public string? BaseDirectory { get; init; }

    /// <summary>Where messages go (command line and embedders only).</summary>
    public Log? Log { get; init; }

    /// <summary>This layer over <paramref name="lower"/>: each value of this layer wins where it is set; lists are
    /// <paramref name="lower"/>'s followed by this layer's. Relative paths of each layer are made absolute against the
    /// layer's own <see cref="BaseDirectory"/> first, so they keep their meaning once layers are mixed.</summary>
    /// <param name="lower">The layer underneath (e.g. pyproject.toml under the command line).</param>
    /// <returns>The stacked layer, with the current folder as its base directory.</returns>
    public BuildSettings Over(BuildSettings lower)
    {
        var top = Absolute();
        var low = lower.Absolute();
        static IReadOnlyList<string>? Cat(IReadOnlyList<string>? a, IReadOnlyList<string>? b) =>
            a is null ? b : b is null ? a : [.. a, .. b];
        return new BuildSettings
        {
            Entry = top.Entry ?? low.Entry,
            Name = top.Name ?? low.Name,
            DistPath = top.DistPath ?? low.DistPath,
            WorkPath = top.WorkPath ?? low.WorkPath,
            OneDir = top.OneDir ?? low.OneDir,
            Python = top.Python ?? low.Python,
            Target = top.Target ?? low.Target,
            Runtime = top.Runtime ?? low.Runtime,
            RuntimeSha256 = top.RuntimeSha256 ?? low.RuntimeSha256,
            TargetSitePackages = Cat(low.TargetSitePackages, top.TargetSitePackages),
            Icon = top.Icon ?? low.Icon,
            VersionFile = top.VersionFile ?? low.VersionFile,
            Company = top.Company ?? low.Company,
            ProductVersion = top.ProductVersion ?? low.ProductVersion,
            HostPack = top.HostPack ?? low.HostPack,
            BootloaderKit = top.BootloaderKit ?? low.BootloaderKit,
            CodesignIdentity = top.CodesignIdentity ?? low.CodesignIdentity,
            Entitlements = top.Entitlements ?? low.Entitlements,
            BundleIdentifier = top.BundleIdentifier ?? low.BundleIdentifier,
            Optimize = top.Optimize ?? low.Optimize,
            Clean = top.Clean ?? low.Clean,
            Paths = Cat(low.Paths, top.Paths),
            HiddenImports = Cat(low.HiddenImports, top.HiddenImports),
            Excludes = Cat(low.Excludes, top.Excludes),
            Strict = top.Strict ?? low.Strict,
            IncludeSource = top.IncludeSource ?? low.IncludeSource,
            Windowed = top.Windowed ?? low.Windowed,
            JsonReport = top.JsonReport ?? low.JsonReport,
            HtmlReport = top.HtmlReport ?? low.HtmlReport,
            NoWholePackages = top.NoWholePackages ?? low.NoWholePackages,
            NoWholeStdlib = top.NoWholeStdlib ?? low.NoWholeStdlib,
            CollectSubmodules = Cat(low.CollectSubmodules, top.CollectSubmodules),
            CollectData = Cat(low.CollectData, top.CollectData),
            CollectBinaries = Cat(low.CollectBinaries, top.CollectBinaries),
            CollectAll = Cat(low.CollectAll, top.CollectAll),
            CopyMetadata = Cat(low.CopyMetadata, top.CopyMetadata),
            AddData = Cat(low.AddData, top.AddData),
            AddBinary = Cat(low.AddBinary, top.AddBinary),
            RuntimeHooks = Cat(low.RuntimeHooks, top.RuntimeHooks),
            AdditionalHooksDirs = Cat(low.AdditionalHooksDirs, top.AdditionalHooksDirs),
            Smoke = top.Smoke ?? low.Smoke,
            Log = top.Log ?? low.Log,
        };
    }

    /// <summary>The entry, the dist and work folders and the path-valued settings a pyproject.toml can give too
    /// (<c>paths</c>, <c>runtime-hooks</c>, <c>additional-hooks-dirs</c>, the sources of <c>add-data</c>/<c>add-binary</c>
    /// pairs) made absolute against <see cref="BaseDirectory"/>; the others (<c>--icon</c>, <c>--python</c>, …) are
    /// taken from the current folder where they are used, and named in messages as they were given.</summary>
    internal BuildSettings Absolute()
    {
        var dir = BaseDirectory ?? Environment.CurrentDirectory;
        string? P(string? p) => p is null ? null : Path.GetFullPath(Path.Combine(dir, p));
        IReadOnlyList<string>? Ps(IReadOnlyList<string>? ps) => ps?.Select(p => P(p)!).ToList();
        // SRC:DEST: only the source is a path (AddedFile.Parse splits at the last ':' again).
        IReadOnlyList<string>? Pairs(IReadOnlyList<string>? ps) => ps?.Select(p => Path.IsPathRooted(p) ? p : Path.Combine(dir, p)).ToList();
        return this with
        {
            Entry = P(Entry), DistPath = P(DistPath), WorkPath = P(WorkPath), HtmlReport = P(HtmlReport),
            Paths = Ps(Paths), RuntimeHooks = Ps(RuntimeHooks), AdditionalHooksDirs = Ps(AdditionalHooksDirs),
            AddData = Pairs(AddData), AddBinary = Pairs(AddBinary), BaseDirectory = null,
        };
    }
}
