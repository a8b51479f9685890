namespace PyFreeze.Collect;

/// <summary>How a payload entry gets its bytes.</summary>
public enum PayloadEntryKind
{
    /// <summary>A Python module compiled to .pyc from <see cref="PayloadEntry.Source"/> (or generated text).</summary>
    Module,
    /// <summary>A file copied as it is (data, metadata, a .pyc shipped without source).</summary>
    File,
    /// <summary>A native binary (interpreter, shared library, extension module): copied, debug info stripped.</summary>
    Binary,
    /// <summary>Bytes made by the build (build.json).</summary>
    Generated,
    /// <summary>An empty folder that must exist (lib-dynload, a namespace package).</summary>
    Directory,
}

/// <summary>What a payload entry is, for the build report.</summary>
public enum PayloadCategory
{
    /// <summary>An app or third-party module.</summary>
    Module,
    /// <summary>A standard-library module.</summary>
    Stdlib,
    /// <summary>An extension module.</summary>
    Extension,
    /// <summary>The interpreter, libpython, and the shared libraries they and the extensions need.</summary>
    Runtime,
    /// <summary>Package data.</summary>
    Data,
    /// <summary>Distribution metadata (<c>*.dist-info</c>, <c>*.egg-info</c>).</summary>
    Metadata,
    /// <summary>PyFreeze's own files (boot module, build.json, runtime hooks).</summary>
    PyFreeze,
}

/// <summary>One file (or folder) of the payload.</summary>
public sealed class PayloadEntry
{
    /// <summary>Path inside the payload, <c>/</c>-separated (e.g. <c>app/pkg/mod.pyc</c>); a folder ends with <c>/</c>.</summary>
    public required string Dest { get; init; }

    /// <summary>How the bytes are made.</summary>
    public required PayloadEntryKind Kind { get; init; }

    /// <summary>The source file on the build machine (null for generated entries).</summary>
    public string? Source { get; init; }

    /// <summary>Source text (for generated modules) or null.</summary>
    public string? Text { get; init; }

    /// <summary>Bytes of a generated entry.</summary>
    public byte[]? Content { get; init; }

    /// <summary>For modules: the name recorded as <c>co_filename</c> (relative, e.g. <c>pkg/mod.py</c>; made the absolute
    /// path in the unpacked app when imported, see boot.py <c>_absolute_filenames</c>).</summary>
    public string? DisplayName { get; init; }

    /// <summary>For a module's source shipped with <c>--include-source</c>: the <see cref="Dest"/> of its bytecode. The source
    /// goes into the payload only when that bytecode does (a module that fails to compile ships neither, so nothing is
    /// ever compiled at run time).</summary>
    public string? SourceOf { get; init; }

    /// <summary>For modules and extension modules: the module's name (to tell reached modules from expanded ones).</summary>
    public string? Module { get; init; }

    /// <summary>True when the file gets execute permission (the interpreter).</summary>
    public bool Executable { get; init; }

    /// <summary>What it is, for the report.</summary>
    public required PayloadCategory Category { get; init; }

    /// <summary>The module or distribution it belongs to (top-level package for size reports), if any.</summary>
    public string? Owner { get; init; }

    /// <summary>Why a file that no module or library accounts for is in, for the report (the <c>reason</c> of a
    /// report.schema.json node): <c>gi-typelib</c> (Collect/TypelibCollector.cs), <c>debian-share-data</c>
    /// (Collect/DebianShareData.cs), <c>app-data</c> (Collect/AppDataCollector.cs); null for the others.</summary>
    public string? Reason { get; init; }

    /// <inheritdoc />
    public override string ToString() => $"{Dest} <- {Source ?? "(generated)"}";
}

/// <summary>A shared library bundled because something needs it.</summary>
/// <param name="Name">The name it is bundled under (the DT_NEEDED / SONAME).</param>
/// <param name="Path">The file it came from.</param>
/// <param name="NeededBy">File names of the binaries that need it.</param>
public sealed record BundledLibrary(string Name, string Path, IReadOnlyList<string> NeededBy);

/// <summary>A library left to the target system, and why.</summary>
/// <param name="Name">Library name.</param>
/// <param name="Reason">Why it is not bundled (glibc family, display stack, …).</param>
/// <param name="Category">The kind of rule that left it out (for grouping in the report).</param>
public sealed record ExcludedLibrary(string Name, string Reason,
    PyFreeze.Binaries.SystemLibraryCategory Category = PyFreeze.Binaries.SystemLibraryCategory.Glibc);

/// <summary>A script library a bundled native library reads at run time (Tcl's <c>init.tcl</c> tree, Tk's
/// <c>tk.tcl</c> tree), copied whole into the payload.</summary>
/// <param name="Name">Its name (<c>tcl8.6</c>, <c>tk8.6</c>).</param>
/// <param name="Source">The folder on the build machine.</param>
/// <param name="Dest">The payload folder, relative to the unpacked root, without trailing slash.</param>
/// <param name="Files">How many files were collected.</param>
public sealed record ScriptLibrary(string Name, string Source, string Dest, int Files);

/// <summary>Everything the collect stage decided should go into the payload: the collect stage's hand-off to compile
/// and assemble, made once by <see cref="CollectPlanBuilder.Build"/> and never changed after.</summary>
public sealed class CollectPlan
{
    /// <summary>Entries, unique by <see cref="PayloadEntry.Dest"/>, in the order they were collected.</summary>
    public required IReadOnlyList<PayloadEntry> Entries { get; init; }

    /// <summary>Shared libraries bundled for binaries.</summary>
    public IReadOnlyList<BundledLibrary> Libraries { get; init; } = [];

    /// <summary>Libraries left to the target system.</summary>
    public IReadOnlyList<ExcludedLibrary> ExcludedLibraries { get; init; } = [];

    /// <summary>Needed libraries that could not be found, with who needs them.</summary>
    public IReadOnlyList<(string Name, string NeededBy)> MissingLibraries { get; init; } = [];

    /// <summary>The newest glibc symbol version a bundled binary needs, and which binary: the oldest target glibc.</summary>
    public (Version Version, string By)? RequiredGlibc { get; init; }

    /// <summary>Warnings to show (a hook naming an unknown module, a file that could not be read …).</summary>
    public IReadOnlyList<string> Warnings { get; init; } = [];

    /// <summary>Entries a later collector also wanted at a destination already taken (the first one is kept).</summary>
    public IReadOnlyList<PayloadEntry> Conflicts { get; init; } = [];

    /// <summary>The entry module's name inside the payload (run as <c>__main__</c>).</summary>
    public required string EntryModule { get; init; }

    /// <summary>Relative path of the interpreter inside the payload (the python DLL on Windows).</summary>
    public required string Interpreter { get; init; }

    /// <summary>Relative folders of bundled shared libraries.</summary>
    public IReadOnlyList<string> LibraryDirs { get; init; } = [];

    /// <summary>Environment settings for the frozen app (from hooks), values may use <c>{MEIPASS}</c>.</summary>
    public IReadOnlyDictionary<string, string> Environment { get; init; } = new SortedDictionary<string, string>(StringComparer.Ordinal);

    /// <summary>Runtime hooks (payload-relative .pyc paths), run in order before the entry.</summary>
    public IReadOnlyList<string> RuntimeHooks { get; init; } = [];

    /// <summary>Facts of the build for runtime hooks (<c>__pyfreeze__[key]</c>), e.g. payload-relative folders.</summary>
    public IReadOnlyDictionary<string, string> Facts { get; init; } = new SortedDictionary<string, string>(StringComparer.Ordinal);

    /// <summary>Script libraries of bundled native libraries (Tcl/Tk).</summary>
    public IReadOnlyList<ScriptLibrary> ScriptLibraries { get; init; } = [];

    /// <summary>True when an entry has this destination.</summary>
    public bool Has(string dest) => Entries.Any(e => e.Dest == dest);
}
