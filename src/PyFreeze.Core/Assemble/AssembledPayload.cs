using System.Diagnostics;
using PyFreeze.Cache;
using PyFreeze.Collect;
using PyFreeze.Compile;
using PyFreeze.Diagnostics;
using PyFreeze.Payload;

namespace PyFreeze.Assemble;

/// <summary>
/// The assemble stage's hand-off: the payload as written, either one archive (onefile, bundled into the executable by
/// emit) or an unpacked folder (onedir, staged in the dist folder and renamed into place by emit). Named so rather than
/// <c>Payload</c>, which is the namespace of the build/bootloader contract (src/PyFreeze.Payload).
/// </summary>
public sealed class AssembledPayload
{
    /// <summary>The files of the payload with their sizes.</summary>
    public required IReadOnlyList<PayloadFile> Files { get; init; }

    /// <summary>The archive (onefile), or null.</summary>
    public PayloadArchive? Archive { get; init; }

    /// <summary>The staging folder holding the unpacked payload (onedir), or null.</summary>
    public string? Staging { get; init; }

    /// <summary>SHA-256 the launch settings carry: the archive's, or 64 zeros for onedir (nothing is unpacked or
    /// checked there).</summary>
    public string Sha256 => Archive?.Sha256 ?? new string('0', 64);

    /// <summary>XXH64 the launch settings carry: the archive's, or 16 zeros for onedir.</summary>
    public string Xxh64 => Archive?.Xxh64 ?? new string('0', 16);

    /// <summary>Prepares the binaries (debug info stripped, RUNPATHs fixed, Mach-O signed) and writes the payload.</summary>
    /// <param name="plan">The plan.</param>
    /// <param name="compiled">The modules' bytecode.</param>
    /// <param name="buildInfo">The bytes of <see cref="PayloadLayout.BuildInfo"/>.</param>
    /// <param name="archive">Where the onefile archive goes, or null for onedir.</param>
    /// <param name="staging">The onedir staging folder, or null for onefile.</param>
    /// <param name="cache">The build cache (prepared binaries, compressed entries).</param>
    /// <param name="signing">How osx-arm64 Mach-O files are signed, or null for other RIDs.</param>
    /// <param name="log">Messages.</param>
    public static AssembledPayload Write(CollectPlan plan, CompiledModules compiled, byte[] buildInfo, string? archive, string? staging,
        BuildCache cache, MacSigning? signing, Log log)
    {
        var files = new List<(PayloadEntry, string?, byte[]?)>();
        files.AddRange(compiled.Files.Select(f => (f.Entry, (string?)f.Pyc, (byte[]?)null)));
        var preparer = new BinaryPreparer(cache, log, signing);
        var binaries = plan.Entries.Where(e => e.Kind == PayloadEntryKind.Binary).ToList();
        var prepared = new string[binaries.Count];
        var clock = Stopwatch.StartNew();
        Parallel.For(0, binaries.Count, i =>
        {
            var one = Stopwatch.StartNew();
            prepared[i] = preparer.Prepare(binaries[i].Source!, binaries[i].Dest == plan.Interpreter);
            if (one.ElapsedMilliseconds > 200)
                log.Debug($"preparing {binaries[i].Source} took {one.ElapsedMilliseconds} ms");
        });
        log.Debug($"prepared {binaries.Count} binaries in {clock.Elapsed.TotalSeconds:0.00} s");
        for (int i = 0; i < binaries.Count; i++)
            files.Add((binaries[i], prepared[i], null));
        var compiledDests = compiled.Files.Select(f => f.Entry.Dest).ToHashSet(StringComparer.Ordinal);
        foreach (var e in plan.Entries)
        {
            if (e.SourceOf is not null && !compiledDests.Contains(e.SourceOf))
                continue; // the source of a module that did not compile: shipping it would make CPython compile it at run time
            if (e.Kind == PayloadEntryKind.File)
                files.Add((e, e.Source, null));
            else if (e.Kind is PayloadEntryKind.Generated)
                files.Add((e, null, e.Content));
            else if (e.Kind == PayloadEntryKind.Directory)
                files.Add((e, null, null));
        }
        files.Add((new PayloadEntry { Dest = PayloadLayout.BuildInfo, Kind = PayloadEntryKind.Generated, Category = PayloadCategory.PyFreeze },
            null, buildInfo));
        if (staging is not null)
            return new AssembledPayload { Files = UnpackedWriter.Write(files, staging), Staging = staging };
        clock.Restart();
        var written = PayloadWriter.WriteOrReuse(files, archive ?? throw new ArgumentNullException(nameof(archive)), cache,
            (done, total) => log.Progress.Advanced("assemble", done, total, ProgressUnit.Bytes));
        log.Debug($"payload written in {clock.Elapsed.TotalSeconds:0.00} s");
        return new AssembledPayload { Files = written.Files, Archive = written };
    }
}
