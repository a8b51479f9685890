using PyFreeze.Diagnostics;

namespace PyFreeze.Build;

/// <summary>Everything <c>pyfreeze build</c> takes (option names follow PyInstaller's where the meaning is the same).</summary>
public sealed record BuildOptions
{
    /// <summary>The entry script.</summary>
    public required string Entry { get; init; }

    /// <summary><c>-n/--name</c>: the app's name; default the entry's file name without extension.</summary>
    public string? Name { get; init; }

    /// <summary><c>--distpath</c>: where the result goes (default <c>./dist</c>).</summary>
    public string DistPath { get; init; } = "dist";

    /// <summary><c>--workpath</c>: scratch files (default <c>./build</c>).</summary>
    public string WorkPath { get; init; } = "build";

    /// <summary><c>-D/--onedir</c>: a folder with the executable and the unpacked payload instead of one file.</summary>
    public bool OneDir { get; init; }

    /// <summary><c>--python</c>: the interpreter to analyze and bundle (default: active venv, else python3).</summary>
    public string? Python { get; init; }

    /// <summary><c>--target</c>: the RID to build for (default the host's).</summary>
    public string? Target { get; init; }

    /// <summary><c>--runtime</c>: the CPython runtime for a <see cref="Target"/> other than this machine (a
    /// python-build-standalone <c>install_only</c> .tar.gz or python.org's Windows embeddable zip).</summary>
    public string? Runtime { get; init; }

    /// <summary><c>--runtime-sha256</c>: the SHA-256 the <see cref="Runtime"/> archive must have.</summary>
    public string? RuntimeSha256 { get; init; }

    /// <summary><c>--target-site-packages</c>: folders of third-party packages installed for the target platform.</summary>
    public IReadOnlyList<string> TargetSitePackages { get; init; } = [];

    /// <summary><c>--icon</c>: the executable's icon (a Windows .ico for win-x64).</summary>
    public string? Icon { get; init; }

    /// <summary><c>--version-file</c>: a JSON object of Windows version strings (CompanyName, FileVersion, …).</summary>
    public string? VersionFile { get; init; }

    /// <summary><c>--company</c>: the CompanyName of the Windows version resource.</summary>
    public string? Company { get; init; }

    /// <summary><c>--product-version</c>: the ProductVersion (and, unless set otherwise, FileVersion) of the Windows version resource.</summary>
    public string? ProductVersion { get; init; }

    /// <summary><c>--host-pack</c>: a folder of .NET pack .nupkg files (Microsoft.NETCore.App.Host.RID,
    /// Microsoft.NETCore.App.Runtime.RID) for a RID whose packs NuGet cannot supply here (osx-arm64).</summary>
    public string? HostPack { get; init; }

    /// <summary><c>--bootloader-kit</c>: a bootloader kit folder (<see cref="Emit.BootloaderKit"/> layout) to use instead of
    /// locating or publishing one: a NativeAOT kit made on the target OS's own runner, or a kit for a RID whose .NET packs
    /// are not reachable. Checked by <see cref="Emit.BootloaderKit.ReadGiven"/> before any work.</summary>
    public string? BootloaderKit { get; init; }

    /// <summary><c>--codesign-identity</c>: the identity osx-arm64 Mach-O files are signed with through Apple's
    /// <c>codesign</c> (macOS hosts only); null signs ad hoc (see <see cref="Assemble.MacSigning"/>).</summary>
    public string? CodesignIdentity { get; init; }

    /// <summary><c>--osx-entitlements-file</c>: an entitlements .plist for <c>codesign</c> (macOS hosts only).</summary>
    public string? Entitlements { get; init; }

    /// <summary><c>--bundle-identifier</c>: the CFBundleIdentifier of a macOS .app (default <c>org.pyfreeze.NAME</c>).</summary>
    public string? BundleIdentifier { get; init; }

    /// <summary><c>--optimize</c>: 0, 1 (-O) or 2 (-OO), for the bytecode and the interpreter.</summary>
    public int Optimize { get; init; }

    /// <summary><c>--clean</c>: remove the work folder first and rebuild everything, ignoring cached results.</summary>
    public bool Clean { get; init; }

    /// <summary><c>--paths</c>: extra import folders.</summary>
    public IReadOnlyList<string> Paths { get; init; } = [];

    /// <summary><c>--hidden-import</c>.</summary>
    public IReadOnlyList<string> HiddenImports { get; init; } = [];

    /// <summary><c>--exclude-module</c>.</summary>
    public IReadOnlyList<string> Excludes { get; init; } = [];

    /// <summary><c>--strict</c>: missing top-level imports fail the build.</summary>
    public bool Strict { get; init; }

    /// <summary><c>--windowed</c>: a GUI app (Windows: GUI subsystem; macOS: a .app bundle).</summary>
    public bool Windowed { get; init; }

    /// <summary><c>--json FILE</c>: write the build report as JSON (<c>-</c> for stdout).</summary>
    public string? JsonReport { get; init; }

    /// <summary><c>--no-whole-packages</c>: collect only the modules the imports reach (smaller; plugin discovery and
    /// imports by computed names may then fail).</summary>
    public bool NoWholePackages { get; init; }

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

    /// <summary><c>--add-data SRC:DEST</c> (DEST relative to sys._MEIPASS).</summary>
    public IReadOnlyList<string> AddData { get; init; } = [];

    /// <summary><c>--add-binary SRC:DEST</c>.</summary>
    public IReadOnlyList<string> AddBinary { get; init; } = [];

    /// <summary><c>--runtime-hook FILE</c>.</summary>
    public IReadOnlyList<string> RuntimeHooks { get; init; } = [];

    /// <summary><c>--additional-hooks-dir DIR</c>: folders of user hooks (<c>PACKAGE.json</c>).</summary>
    public IReadOnlyList<string> AdditionalHooksDirs { get; init; } = [];

    /// <summary>Folder relative paths of <see cref="AddData"/>, <see cref="AddBinary"/> and the like are taken from
    /// (the current folder for the command line, the pyproject.toml folder for its settings).</summary>
    public string BaseDirectory { get; init; } = Environment.CurrentDirectory;

    /// <summary>Where messages go.</summary>
    public Log Log { get; init; } = new();
}
