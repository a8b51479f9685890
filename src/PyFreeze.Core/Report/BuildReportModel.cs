using System.Text.Json;
using System.Text.Json.Serialization;
using PyFreeze.Analyze;
using PyFreeze.Assemble;
using PyFreeze.Collect;
using PyFreeze.Compile;
using PyFreeze.Emit;
using PyFreeze.Probe;

namespace PyFreeze.Report;

/// <summary>
/// The build report as data: the document the HTML report draws, <c>build --json</c> carries under <c>report</c>, and
/// <c>src/PyFreeze.Core/Report/report.schema.json</c> describes (version <see cref="SchemaVersion"/>; a field's meaning
/// never changes within a version, new optional fields may appear). Sizes are bytes, times milliseconds, payload paths
/// <c>/</c>-separated and relative to the unpacked root.
/// </summary>
/// <param name="Schema">Always <c>pyfreeze-build-report</c>.</param>
/// <param name="Version">The schema version (<see cref="SchemaVersion"/>).</param>
/// <param name="Pyfreeze">The PyFreeze version that built the app.</param>
/// <param name="App">What was built.</param>
/// <param name="Python">The CPython bundled and analyzed.</param>
/// <param name="Bootloader">The executable around the payload.</param>
/// <param name="Payload">The payload's identity and sizes.</param>
/// <param name="Glibc">The oldest glibc the app runs on, or null (not a glibc target, or nothing needs a versioned symbol).</param>
/// <param name="Timings">Time per build stage, in order.</param>
/// <param name="Tree">The payload as a tree: root → top-level package (or runtime part) → folders → files.</param>
/// <param name="Modules">Every module of the graph that is in the app, with the last step of its shortest chain.</param>
/// <param name="Libraries">Shared libraries bundled, each with what needs it.</param>
/// <param name="SystemLibraries">Shared libraries left to the target system, and why.</param>
/// <param name="Missing">Modules imported but not found (real ones, other platforms', Python 2 names, …).</param>
/// <param name="LeftOut">What the analysis left out on purpose, and by which rule (<see cref="LeftOutModule"/>).</param>
/// <param name="Warnings">The build's warnings (collect stage, files that could not be read).</param>
/// <param name="CompileErrors">Modules left out because they did not compile.</param>
public sealed record BuildReportModel(
    string Schema, int Version, string Pyfreeze, ReportApp App, ReportPython Python, ReportBootloader Bootloader,
    ReportPayload Payload, ReportGlibc? Glibc, IReadOnlyList<ReportTiming> Timings, ReportNode Tree,
    IReadOnlyList<ReportModule> Modules, IReadOnlyList<ReportLibrary> Libraries, IReadOnlyList<ReportSystemLibrary> SystemLibraries,
    IReadOnlyList<ReportMissing> Missing, IReadOnlyList<LeftOutModule> LeftOut, IReadOnlyList<string> Warnings,
    IReadOnlyList<ReportCompileError> CompileErrors)
{
    /// <summary>The document's schema version; report.schema.json's <c>version.const</c>.</summary>
    public const int SchemaVersion = 1;

    /// <summary>The document's <c>schema</c> value.</summary>
    public const string SchemaName = "pyfreeze-build-report";

    /// <summary>The serializer settings of the document (source-generated, <see cref="ReportJson"/>): snake_case names,
    /// nulls left out, no indentation, the default escaping (non-ASCII and HTML-sensitive characters as \uXXXX).</summary>
    public static JsonSerializerOptions Json => Context.Options;

    private static ReportJson Context => ReportJson.Default;

    /// <summary>The document as UTF-8 JSON.</summary>
    public byte[] ToJson() => JsonSerializer.SerializeToUtf8Bytes(this, Context.BuildReportModel);

    /// <summary>Reads a document written by <see cref="ToJson"/>.</summary>
    /// <exception cref="JsonException">Not a report document.</exception>
    public static BuildReportModel FromJson(ReadOnlySpan<byte> json) =>
        JsonSerializer.Deserialize(json, Context.BuildReportModel) ?? throw new JsonException("not a build report");
}

/// <summary>The report document's serializer, made at compile time (no reflection at run time: the report must cost
/// a build little, bench/report_cost.py).</summary>
[JsonSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.SnakeCaseLower, DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull)]
[JsonSerializable(typeof(BuildReportModel))]
public sealed partial class ReportJson : JsonSerializerContext;

/// <summary>What was built.</summary>
/// <param name="Name">The app's name.</param>
/// <param name="Entry">The entry script's file name.</param>
/// <param name="EntryModule">The entry's module name in the payload.</param>
/// <param name="Executable">The executable's path on the build machine.</param>
/// <param name="Rid">The RID.</param>
/// <param name="Mode"><c>onefile</c> or <c>onedir</c>.</param>
/// <param name="Size">The executable's size.</param>
public sealed record ReportApp(string Name, string Entry, string EntryModule, string Executable, string Rid, string Mode, long Size);

/// <summary>The CPython bundled and analyzed.</summary>
/// <param name="Version">Its version (3.11.2).</param>
/// <param name="Platform"><c>sys.platform</c>.</param>
/// <param name="Interpreter">The interpreter's path in the payload.</param>
/// <param name="Source">Where it came from: the build machine's interpreter, or the <c>--runtime</c> archive.</param>
/// <param name="Compiler">The CPython that compiled the bytecode.</param>
public sealed record ReportPython(string Version, string Platform, string Interpreter, string Source, string Compiler);

/// <summary>The executable around the payload.</summary>
/// <param name="Kind">What it is: <c>.NET single-file host</c>.</param>
/// <param name="Size">Its bytes without the payload.</param>
/// <param name="PayloadOffset">Where the payload starts in the executable (0 for onedir).</param>
public sealed record ReportBootloader(string Kind, long Size, long PayloadOffset);

/// <summary>The payload's identity and sizes.</summary>
/// <param name="Sha256">SHA-256 of the archive (64 zeros for onedir).</param>
/// <param name="Xxh64">XXH64 of the archive, checked by the bootloader (16 zeros for onedir).</param>
/// <param name="Compressed">The archive's length (the unpacked size for onedir).</param>
/// <param name="Unpacked">The files' total size.</param>
/// <param name="Files">How many files.</param>
public sealed record ReportPayload(string Sha256, string Xxh64, long Compressed, long Unpacked, int Files);

/// <summary>The oldest glibc the app runs on.</summary>
/// <param name="Minimum">The version (2.36).</param>
/// <param name="NeededBy">The bundled binary whose symbols need it.</param>
public sealed record ReportGlibc(string Minimum, string NeededBy);

/// <summary>One stage's time.</summary>
/// <param name="Stage">probe, analyze, collect, compile, assemble, emit.</param>
/// <param name="Ms">Milliseconds.</param>
public sealed record ReportTiming(string Stage, double Ms);

/// <summary>A node of the payload tree: a leaf is one file, a node a package or folder (its sizes are its leaves' sums).</summary>
/// <param name="Name">The package, folder or file name.</param>
/// <param name="Kind">A leaf's kind: <c>app</c>, <c>third-party</c>, <c>stdlib</c>, <c>extension</c>,
/// <c>shared-library</c>, <c>data</c>, <c>metadata</c>, <c>runtime</c>; a node's: the kind of most of its bytes.</param>
/// <param name="Size">Unpacked bytes.</param>
/// <param name="Compressed">Bytes in the archive.</param>
/// <param name="Files">How many files.</param>
/// <param name="Path">A leaf's payload path.</param>
/// <param name="Module">The module a leaf holds (its entry in <see cref="BuildReportModel.Modules"/>), if any.</param>
/// <param name="Library">The shared library a leaf is (its entry in <see cref="BuildReportModel.Libraries"/>), if any.</param>
/// <param name="Children">A node's children, largest first; null for a leaf.</param>
/// <param name="Reason">Why a leaf that no module or import chain accounts for is in (<see cref="PyFreeze.Collect.PayloadEntry.Reason"/>:
/// <c>gi-typelib</c>, <c>debian-share-data</c>, <c>app-data</c>), if any.</param>
public sealed record ReportNode(string Name, string Kind, long Size, long Compressed, int Files, string? Path = null,
    string? Module = null, string? Library = null, IReadOnlyList<ReportNode>? Children = null, string? Reason = null);

/// <summary>A module in the app and the last step of the shortest chain that brings it in.</summary>
/// <param name="Name">The dotted name.</param>
/// <param name="Kind">The graph's kind: source, package, namespace, extension, builtin, frozen, alias.</param>
/// <param name="Origin">app, stdlib, libdynload, sitepackages, none.</param>
/// <param name="Reached">True when the app's import chain reaches it; false when only whole-package collection or an
/// entry point brought it in.</param>
/// <param name="Via">The importer on the shortest chain from <c>__main__</c> (follow <c>via</c> to <c>__main__</c> for
/// the whole chain); null for <c>__main__</c> and for modules no chain reaches.</param>
/// <param name="Edge">How <see cref="Via"/> brings it in (<see cref="EdgeKinds"/>).</param>
/// <param name="Line">The import's line in <see cref="Via"/>, 0 when not from source.</param>
public sealed record ReportModule(string Name, string Kind, string Origin, bool Reached, string? Via, string? Edge, int Line);

/// <summary>A bundled shared library.</summary>
/// <param name="Name">Its SONAME / DT_NEEDED name.</param>
/// <param name="Path">Its payload path.</param>
/// <param name="Source">The file it was copied from.</param>
/// <param name="NeededBy">File names of the binaries that need it.</param>
/// <param name="Via">The module (an extension) or library whose need brings it in on the shortest chain, or
/// <c>python</c> for the interpreter.</param>
public sealed record ReportLibrary(string Name, string? Path, string Source, IReadOnlyList<string> NeededBy, string? Via);

/// <summary>A shared library left to the target system.</summary>
/// <param name="Name">Its name.</param>
/// <param name="Reason">Why.</param>
/// <param name="Category">The rule's kind (Glibc, DisplayAndGpu, …).</param>
public sealed record ReportSystemLibrary(string Name, string Reason, string Category);

/// <summary>A module imported and not found.</summary>
/// <param name="Name">The dotted name.</param>
/// <param name="Severity">The strongest import's kind: top-level, deferred, conditional, optional.</param>
/// <param name="Group">real, other-platform, python2, collected-only.</param>
/// <param name="Removed">When the target's CPython no longer has this standard-library module, which release removed it.</param>
/// <param name="Importers">Who imports it, strongest first.</param>
public sealed record ReportMissing(string Name, string Severity, string Group, string? Removed, IReadOnlyList<ReportImporter> Importers);

/// <summary>An import of a missing module.</summary>
/// <param name="Module">The importer.</param>
/// <param name="Line">The line, 0 when not from source.</param>
/// <param name="Kind">How (<see cref="EdgeKinds"/>).</param>
public sealed record ReportImporter(string Module, int Line, string Kind);

/// <summary>A module that did not compile.</summary>
/// <param name="Module">Its file's display name.</param>
/// <param name="Error">CPython's error.</param>
public sealed record ReportCompileError(string Module, string Error);

/// <summary>The build's typed stage values a report is made from.</summary>
/// <param name="Target">The probe stage's hand-off.</param>
/// <param name="Analysis">The analyze stage's.</param>
/// <param name="Plan">The collect stage's.</param>
/// <param name="Compiled">The compile stage's.</param>
/// <param name="Payload">The assemble stage's.</param>
/// <param name="App">The emit stage's.</param>
/// <param name="Timings">Time per stage.</param>
/// <param name="Name">The app's name.</param>
/// <param name="Chains">What edge kinds depend on (<see cref="ChainContext"/>).</param>
/// <param name="Excludes"><c>--exclude-module</c> names (what of <see cref="AnalysisResult.Excluded"/> they left out is
/// reported as <see cref="LeftOutModule"/>s of rule <c>exclude-module</c>).</param>
public sealed record BuildStages(ProbedTarget Target, AnalysisResult Analysis, CollectPlan Plan, CompiledModules Compiled,
    AssembledPayload Payload, EmittedApp App, IReadOnlyList<(string Stage, TimeSpan Elapsed)> Timings, string Name, ChainContext Chains,
    IReadOnlyList<string> Excludes);
