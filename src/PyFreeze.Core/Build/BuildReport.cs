using System.Text.Json;
using PyFreeze.Analyze;
using PyFreeze.Binaries;
using PyFreeze.Collect;

namespace PyFreeze.Build;

/// <summary>The build report: what was collected (by kind and by top-level package), the largest files, what is
/// missing and who imports it; as text for people and JSON for CI.</summary>
public static class BuildReport
{
    private static string Mb(long bytes) => $"{bytes / 1048576.0:0.0} MB";

    /// <summary>Writes the human summary.</summary>
    public static void WriteSummary(BuildResult r, TextWriter w)
    {
        var files = r.Files;
        w.WriteLine($"Built {Shown(r.Executable)} ({Mb(r.Emit.Size)}, {r.Target.Name}, {(r.Payload is null ? "onedir" : "onefile")})");
        // one line for the bootloader (the stage lines above gave the times: the summary does not repeat them)
        w.WriteLine($"  bootloader: {r.Bootloader}, {Mb(r.Emit.BootloaderSize)}; payload {Mb(r.Payload?.Length ?? files.Sum(f => f.Size))} compressed from {Mb(files.Sum(f => f.Size))}");
        foreach (var group in files.GroupBy(f => f.Category).OrderByDescending(g => g.Sum(f => f.Size)))
            w.WriteLine($"  {group.Key,-10} {group.Count(),6} files {Mb(group.Sum(f => f.Size)),10}");
        w.WriteLine("  largest packages: " + string.Join(", ", files.Where(f => f.Owner is not null)
            .GroupBy(f => f.Owner!).Select(g => (g.Key, Size: g.Sum(f => f.Size))).OrderByDescending(x => x.Size).Take(8)
            .Select(x => $"{x.Key} {Mb(x.Size)}")));
        w.WriteLine("  largest files: " + string.Join(", ", files.OrderByDescending(f => f.Size).Take(5).Select(f => $"{f.Path} {Mb(f.Size)}")));
        var (expandedCount, expandedBytes) = ExpansionCost(r);
        if (expandedCount > 0)
            w.WriteLine($"  collected whole packages: {expandedCount} modules no import reaches, {Mb(expandedBytes)} (leave packages out with --exclude-module, or build with --no-whole-packages)");
        var (stdlibCount, stdlibBytes, stdlibPacked) = StdlibWholeCost(r);
        if (stdlibCount > 0)
            w.WriteLine($"  collected the whole stdlib: {stdlibCount} modules no import reaches, {Mb(stdlibBytes)} ({Mb(stdlibPacked)} in the payload; build with --no-whole-stdlib to leave them out)");
        if (r.GlibcFloor is { } glibc)
            w.WriteLine($"  runs on glibc {glibc.Version} or newer (needed by {glibc.By}; {(r.Target.Name == Rid.HostName ? "this machine has" : "the runtime's sysroot has")} {r.Analysis.Interpreter.Glibc ?? "no glibc"})");
        if (r.Plan.Libraries.Count > 0)
            w.WriteLine($"  shared libraries bundled: {string.Join(", ", r.Plan.Libraries.Select(l => l.Name).Order(StringComparer.Ordinal))}");
        foreach (var group in r.Plan.ExcludedLibraries.DistinctBy(l => l.Name).GroupBy(l => l.Category).OrderBy(g => g.Key))
            w.WriteLine($"  left to the system ({CategoryReason(group.Key)}): {string.Join(", ", group.Select(l => l.Name).Order(StringComparer.Ordinal))}");
        foreach (var lib in r.Plan.ScriptLibraries)
            w.WriteLine($"  script library {lib.Name}: {lib.Files} files from {lib.Source} (read by the bundled library at run time)");
        foreach (var (name, by) in r.Plan.MissingLibraries)
            w.WriteLine($"  warning: shared library {name} (needed by {by}) was not found");
        var missing = MissingModules.Of(r.Analysis.Graph, r.Analysis.Interpreter.Platform, r.Analysis.Interpreter.MinorVersion)
            .Where(m => m.Group == MissingGroup.Real && m.Severity <= MissingSeverity.Deferred).ToList();
        if (missing.Count > 0)
            w.WriteLine($"  missing modules: {string.Join(", ", missing.Select(m => $"{m.Name} (imported by {m.Importers[0].From}{(m.Removed is null ? "" : "; " + m.Removed)})"))} — see `pyfreeze analyze`");
        w.WriteLine($"  bytecode: {r.ModulesTotal} modules, {r.ModulesCompiled} compiled by this build, the rest from the build cache");
        if (SourcesShipped(r) is > 0 and var sources)
            w.WriteLine($"  source: {sources} .py files of the app and third-party modules shipped (--include-source); the standard library is bytecode only");
    }

    /// <summary>How many modules' .py files the payload holds (<c>--include-source</c>; 0 without it).</summary>
    public static int SourcesShipped(BuildResult r)
    {
        var files = r.Files.Select(f => f.Path).ToHashSet(StringComparer.Ordinal);
        return r.Plan.Entries.Count(e => e.SourceOf is not null && files.Contains(e.Dest));
    }

    /// <summary>Why a kind of library is left to the target system, for the summary (each library's own reason is in the
    /// JSON report).</summary>
    public static string CategoryReason(SystemLibraryCategory category) => category switch
    {
        SystemLibraryCategory.Glibc => "glibc, must match the target's ld.so",
        SystemLibraryCategory.KernelVdso => "the kernel's vDSO, no file",
        SystemLibraryCategory.DisplayAndGpu => "display, fonts and GPU, must match the target's X server, fonts and drivers",
        SystemLibraryCategory.WindowsApiSet => "Windows API sets",
        SystemLibraryCategory.WindowsSystem => "part of Windows",
        SystemLibraryCategory.MacOSSystem => "part of macOS",
        _ => category.ToString(),
    };

    /// <summary>Modules collected only because their package was collected whole (no import chain reaches them), and
    /// their bytes: what correctness by default costs.</summary>
    public static (int Modules, long Bytes) ExpansionCost(BuildResult r)
    {
        var byDest = r.Plan.Entries.Where(e => e.Module is not null).ToDictionary(e => e.Dest, e => e.Module!, StringComparer.Ordinal);
        int count = 0;
        long bytes = 0;
        foreach (var f in r.Files)
        {
            if (!byDest.TryGetValue(f.Path, out var module) || r.Analysis.Graph.Find(module) is not { Reached: false })
                continue;
            count++;
            bytes += f.Size;
        }
        return (count, bytes);
    }

    /// <summary>Files of modules only the whole stdlib brought in (<see cref="AnalysisResult.StdlibWhole"/>): how many,
    /// their bytes, and their share of the compressed payload in bytes (each file's frame ratio times its size).</summary>
    public static (int Modules, long Bytes, long Compressed) StdlibWholeCost(BuildResult r)
    {
        if (r.Analysis.StdlibWhole.Count == 0)
            return (0, 0, 0);
        var byDest = r.Plan.Entries.Where(e => e.Module is not null).ToDictionary(e => e.Dest, e => e.Module!, StringComparer.Ordinal);
        int count = 0;
        long bytes = 0, packed = 0;
        foreach (var f in r.Files)
        {
            if (!byDest.TryGetValue(f.Path, out var module) || !r.Analysis.StdlibWhole.Contains(module))
                continue;
            count++;
            bytes += f.Size;
            packed += f.CompressedSize;
        }
        return (count, bytes, packed);
    }

    /// <summary>A path as the summary shows it: relative to the current folder when below it, else as it is.</summary>
    public static string Shown(string path)
    {
        var rel = Path.GetRelativePath(Environment.CurrentDirectory, path);
        return rel.StartsWith("..", StringComparison.Ordinal) ? path : rel;
    }

    /// <summary>Writes the JSON report: the output, the payload hash, sizes, files, libraries, timings and the analysis.</summary>
    /// <param name="r">The build.</param>
    /// <param name="output">Where the JSON goes.</param>
    /// <param name="report">The build report document as JSON (<see cref="Report.BuildReportModel.ToJson"/>), written
    /// under <c>report</c> (its schema: src/PyFreeze.Core/Report/report.schema.json), or null to leave it out.</param>
    public static void WriteJson(BuildResult r, Stream output, byte[]? report = null)
    {
        using var j = new Utf8JsonWriter(output, new JsonWriterOptions { Indented = true });
        j.WriteStartObject();
        j.WriteString("pyfreeze", BuildPipeline.Version);
        j.WriteString("output", r.Output);
        j.WriteString("executable", r.Executable);
        j.WriteString("rid", r.Target.Name);
        j.WriteString("mode", r.Payload is null ? "onedir" : "onefile");
        j.WriteNumber("size", r.Emit.Size);
        j.WriteString("bootloader", r.Emit.Bootloader); // "aot" or "singlefile"
        j.WriteString("bootloaderDescription", r.Bootloader);
        if (r.Payload is not null)
        {
            j.WriteStartObject("payload");
            j.WriteString("sha256", r.Payload.Sha256);
            j.WriteNumber("length", r.Payload.Length);
            j.WriteNumber("offset", r.Emit.PayloadOffset);
            j.WriteEndObject();
        }
        j.WriteStartObject("bytecode");
        j.WriteNumber("modules", r.ModulesTotal);
        j.WriteNumber("compiled", r.ModulesCompiled);
        j.WriteNumber("sources", SourcesShipped(r));
        j.WriteEndObject();
        j.WriteStartObject("timings_s");
        foreach (var (stage, t) in r.Timings)
            j.WriteNumber(stage, Math.Round(t.TotalSeconds, 3));
        j.WriteEndObject();
        var (expandedCount, expandedBytes) = ExpansionCost(r);
        j.WriteStartObject("whole_packages");
        j.WriteNumber("modules_not_reached_by_imports", expandedCount);
        j.WriteNumber("bytes", expandedBytes);
        j.WriteEndObject();
        var (stdlibCount, stdlibBytes, stdlibPacked) = StdlibWholeCost(r);
        j.WriteStartObject("whole_stdlib");
        j.WriteNumber("modules_not_reached_by_imports", stdlibCount);
        j.WriteNumber("bytes", stdlibBytes);
        j.WriteNumber("compressed", stdlibPacked);
        j.WriteEndObject();
        if (r.GlibcFloor is { } glibc)
        {
            j.WriteStartObject("glibc");
            j.WriteString("minimum", glibc.Version.ToString());
            j.WriteString("needed_by", glibc.By);
            j.WriteEndObject();
        }
        var reasons = r.Plan.Entries.Where(e => e.Reason is not null).GroupBy(e => e.Dest, StringComparer.Ordinal)
            .ToDictionary(g => g.Key, g => g.First().Reason!, StringComparer.Ordinal);
        j.WriteStartArray("files");
        foreach (var f in r.Files.OrderBy(f => f.Path, StringComparer.Ordinal))
        {
            j.WriteStartObject();
            j.WriteString("path", f.Path);
            j.WriteNumber("size", f.Size);
            j.WriteNumber("compressed", f.CompressedSize);
            j.WriteString("category", f.Category.ToString().ToLowerInvariant());
            if (f.Owner is not null) j.WriteString("owner", f.Owner);
            if (reasons.TryGetValue(f.Path, out var reason)) j.WriteString("reason", reason); // PayloadEntry.Reason
            j.WriteEndObject();
        }
        j.WriteEndArray();
        j.WriteStartArray("libraries");
        foreach (var l in r.Plan.Libraries.OrderBy(l => l.Name, StringComparer.Ordinal))
        {
            j.WriteStartObject();
            j.WriteString("name", l.Name);
            j.WriteString("path", l.Path);
            j.WriteStartArray("needed_by");
            foreach (var n in l.NeededBy) j.WriteStringValue(n);
            j.WriteEndArray();
            j.WriteEndObject();
        }
        j.WriteEndArray();
        j.WriteStartArray("excluded_libraries");
        foreach (var l in r.Plan.ExcludedLibraries.DistinctBy(l => l.Name).OrderBy(l => l.Name, StringComparer.Ordinal))
        {
            j.WriteStartObject();
            j.WriteString("name", l.Name);
            j.WriteString("reason", l.Reason);
            j.WriteString("category", l.Category.ToString());
            j.WriteEndObject();
        }
        j.WriteEndArray();
        j.WriteStartArray("script_libraries");
        foreach (var l in r.Plan.ScriptLibraries)
        {
            j.WriteStartObject();
            j.WriteString("name", l.Name);
            j.WriteString("source", l.Source);
            j.WriteString("dest", l.Dest);
            j.WriteNumber("files", l.Files);
            j.WriteEndObject();
        }
        j.WriteEndArray();
        j.WriteStartArray("compile_errors");
        foreach (var (m, e) in r.CompileErrors)
        {
            j.WriteStartObject();
            j.WriteString("module", m);
            j.WriteString("error", e);
            j.WriteEndObject();
        }
        j.WriteEndArray();
        j.WriteStartArray("warnings");
        foreach (var wmsg in r.Plan.Warnings) j.WriteStringValue(wmsg);
        j.WriteEndArray();
        j.WriteStartObject("analysis");
        AnalysisReport.WriteJsonBody(r.Analysis, j);
        j.WriteEndObject();
        if (report is not null)
        {
            j.WritePropertyName("report");
            j.WriteRawValue(report, skipInputValidation: true);
        }
        j.WriteEndObject();
    }
}
