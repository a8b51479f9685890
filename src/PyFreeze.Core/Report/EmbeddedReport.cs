using PyFreeze.Diagnostics;
using PyFreeze.Emit;
using PyFreeze.Inspect;
using System.IO.Compression;

namespace PyFreeze.Report;

/// <summary>
/// The build report a frozen executable carries, for <c>pyfreeze inspect APP --report FILE.html</c>: the report document
/// (<see cref="BuildReportModel"/>) as Brotli-compressed JSON in the bundle entry <see cref="Entry"/>, beside the payload
/// and the launch settings (not inside the payload, so it can name the payload's hash). What would differ between two
/// builds of the same app (stage times, the build folder's executable path) or is only known once the executable exists
/// (its size, the bootloader's size, the payload's offset) is left out (times, zeros, the file name) and filled in
/// from the executable at inspect time (<see cref="Read"/>), so rebuilds stay byte-identical.
/// </summary>
public static class EmbeddedReport
{
    /// <summary>The bundle entry's path.</summary>
    public const string Entry = "pyfreeze/report";

    /// <summary>The document as stored: <paramref name="draft"/> without what a rebuild could change, compressed.</summary>
    public static byte[] ToBytes(BuildReportModel draft)
    {
        var portable = draft with
        {
            App = draft.App with { Executable = Path.GetFileName(draft.App.Executable), Size = 0 },
            Bootloader = draft.Bootloader with { Size = 0, PayloadOffset = 0 },
            Timings = [],
        };
        // Brotli from the runtime (precompiled): zstd's managed code would be compiled on first use, ~0.5 s on a warm build
        // whose payload came from the cache
        using var packed = new MemoryStream();
        using (var brotli = new BrotliStream(packed, CompressionLevel.Fastest, leaveOpen: true))
            brotli.Write(portable.ToJson());
        return packed.ToArray();
    }

    /// <summary>The report of a built executable: the stored document with the executable's own path, size, bootloader
    /// size and payload offset, and the payload hashes of its launch settings.</summary>
    /// <exception cref="PyFreezeException">The executable carries no report (built by a PyFreeze before 0.1.0's report
    /// entry) or a damaged one.</exception>
    public static BuildReportModel Read(InspectResult app)
    {
        var entry = app.Bundle.Entries.FirstOrDefault(e => e.RelativePath == Entry)
            ?? throw new PyFreezeException($"{app.Path}: carries no build report (made by an older PyFreeze); build it again to get one");
        BuildReportModel stored;
        try
        {
            using var json = new MemoryStream();
            using (var brotli = new BrotliStream(new MemoryStream(BundleReader.ReadEntry(app.Path, entry)), CompressionMode.Decompress))
                brotli.CopyTo(json);
            stored = BuildReportModel.FromJson(json.ToArray());
        }
        catch (Exception e) when (e is System.Text.Json.JsonException or InvalidDataException or InvalidOperationException)
        {
            throw new PyFreezeException($"{app.Path}: its build report is damaged ({e.Message})", 1, e);
        }
        var s = app.Settings;
        return stored with
        {
            App = stored.App with { Executable = Path.GetFullPath(app.Path), Size = app.Size },
            Bootloader = stored.Bootloader with { Size = app.Size - s.PayloadLength, PayloadOffset = s.PayloadOffset },
            Payload = stored.Payload with { Sha256 = s.OneDir ? stored.Payload.Sha256 : s.PayloadSha256, Xxh64 = s.OneDir ? stored.Payload.Xxh64 : s.PayloadXxh64 },
        };
    }

    /// <summary>The build-time report from the draft made before emit: the executable's path and sizes and the stage
    /// times filled in.</summary>
    public static BuildReportModel Complete(BuildReportModel draft, EmittedApp app, IReadOnlyList<(string Stage, TimeSpan Elapsed)> timings) => draft with
    {
        App = draft.App with { Executable = app.Executable, Size = app.Emit.Size },
        Bootloader = draft.Bootloader with { Kind = app.Bootloader is { Length: > 0 } described ? described : ".NET single-file host", Size = app.Emit.BootloaderSize, PayloadOffset = app.Emit.PayloadOffset },
        Timings = timings.Select(t => new ReportTiming(t.Stage, Math.Round(t.Elapsed.TotalMilliseconds, 1))).ToList(),
    };
}
