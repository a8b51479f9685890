using System.Formats.Tar;
using System.Security.Cryptography;
using ZstdSharp;
using PyFreeze.Cache;
using PyFreeze.Collect;
using PyFreeze.Payload;

namespace PyFreeze.Assemble;

/// <summary>A file of the finished payload, for reports and <c>pyfreeze inspect</c>.</summary>
/// <param name="Path">Path inside the payload.</param>
/// <param name="Size">Uncompressed size in bytes.</param>
/// <param name="CompressedSize">Size in the archive in bytes.</param>
/// <param name="Category">What it is.</param>
/// <param name="Owner">Module or distribution it belongs to.</param>
public sealed record PayloadFile(string Path, long Size, long CompressedSize, PayloadCategory Category, string? Owner);

/// <summary>The written payload archive.</summary>
public sealed class PayloadArchive
{
    /// <summary>The payload file (<see cref="PayloadFormat"/>).</summary>
    public required string Path { get; init; }

    /// <summary>Length in bytes.</summary>
    public long Length { get; init; }

    /// <summary>SHA-256 of the archive, lower-case hex: the payload's identity (cache folder, marker, reports).</summary>
    public required string Sha256 { get; init; }

    /// <summary>XXH64 of the archive, 16 hex digits: checked by the bootloader before unpacking.</summary>
    public required string Xxh64 { get; init; }

    /// <summary>Files in the archive.</summary>
    public required IReadOnlyList<PayloadFile> Files { get; init; }
}

/// <summary>
/// Writes the payload (<see cref="PayloadFormat"/>: zstd frames of one tar archive, led by a frame index) so that it is
/// the same bytes for the same inputs: entries sorted (folders first, then files by kind of file and path, so that
/// alike files share a frame's window), one fixed timestamp (<c>SOURCE_DATE_EPOCH</c> when set, else 1980-01-01),
/// modes normalised to 0644/0755, owner 0, no user or group names. The files are cut into frames of about
/// <see cref="FrameTarget"/> bytes (a file bigger than that is a frame of its own), which the bootloader decodes in
/// parallel; frames are compressed in parallel at zstd level <see cref="Level"/> (ZstdSharp) and each kept in the build
/// cache by the SHA-256 of its tar bytes, so a rebuild compresses only the frames whose files changed.
/// </summary>
/// <remarks>
/// Measured on a hello app's 18.9 MB payload: deflate per file (the zip of format 1) 7.74 MB; zstd 19 per file 6.60 MB;
/// zstd 19 in 8 frames 6.09 MB; zstd 19 solid 5.92 MB; xz -9e solid 5.41 MB, but decoding it takes 4× zstd's time.
/// </remarks>
public static class PayloadWriter
{
    /// <summary>The zstd level of every frame (19: the strongest before the "ultra" levels, which need a window bigger
    /// than a frame).</summary>
    public const int Level = 19;

    /// <summary>The zstd window of every frame, as a power of two (20: 1 MiB). Level 19 would take 8 MiB, and a decoder
    /// holds a window's worth of memory per frame it decodes (zstd's ZSTD_decodingBufferSize_min: the smaller of the window
    /// and the frame's content size), so a big file's frame made the bootloader's first run peak at 17 MB resident; at
    /// 1 MiB each decoding thread holds about 1.3 MB. Measured on the hello app's tar (`zstd -19 --zstd=wlog=N`): 5.77 MB
    /// at 23, 5.83 MB at 21, 5.89 MB at 20.</summary>
    public const int WindowLog = 20;

    /// <summary>The tar bytes a frame aims at: at least this, or an eighth of the payload when that is more, so that up to
    /// eight frames decode side by side.</summary>
    public const long FrameTarget = 2 << 20;

    /// <summary>The timestamp every entry gets.</summary>
    public static DateTime Timestamp()
    {
        var sde = Environment.GetEnvironmentVariable("SOURCE_DATE_EPOCH");
        if (long.TryParse(sde, out var seconds) && seconds >= 315532800 /* 1980-01-01, the zip epoch */)
            return DateTimeOffset.FromUnixTimeSeconds(seconds).UtcDateTime;
        return new DateTime(1980, 1, 1, 0, 0, 0, DateTimeKind.Utc);
    }

    /// <summary>Writes the payload.</summary>
    /// <param name="entries">Entries with their final bytes: a file path (already compiled or prepared) or in-memory bytes.</param>
    /// <param name="outputPath">The payload file to write (replaced).</param>
    /// <param name="cache">Where compressed frames are kept between builds, or null for none.</param>
    /// <param name="packed">Told, as frames are compressed (from several threads), how many of the entries' bytes are
    /// packed so far and how many there are; null for nobody.</param>
    /// <returns>The payload with its hashes.</returns>
    /// <exception cref="InvalidOperationException">An entry name that is not a safe relative path.</exception>
    public static PayloadArchive Write(IReadOnlyList<(PayloadEntry Entry, string? File, byte[]? Bytes)> entries, string outputPath,
        BuildCache? cache = null, Action<long, long>? packed = null)
    {
        var time = new DateTimeOffset(Timestamp());
        var dirs = new SortedSet<string>(StringComparer.Ordinal);
        foreach (var (e, _, _) in entries)
        {
            var d = e.Dest.EndsWith('/') ? e.Dest.TrimEnd('/') : System.IO.Path.GetDirectoryName(e.Dest)?.Replace('\\', '/');
            while (!string.IsNullOrEmpty(d))
            {
                if (!dirs.Add(d))
                    break;
                d = System.IO.Path.GetDirectoryName(d)?.Replace('\\', '/');
            }
        }
        var ordered = entries.Where(x => x.Entry.Kind != PayloadEntryKind.Directory)
            .OrderBy(x => System.IO.Path.GetExtension(x.Entry.Dest), StringComparer.Ordinal)
            .ThenBy(x => x.Entry.Dest, StringComparer.Ordinal).ToList();
        foreach (var (e, _, _) in ordered)
            if (!PayloadLayout.IsSafeEntryName(e.Dest))
                throw new InvalidOperationException($"unsafe payload path {e.Dest}");
        var data = new byte[ordered.Count][];
        Parallel.For(0, ordered.Count, i => data[i] = ordered[i].Bytes ?? File.ReadAllBytes(ordered[i].File!));

        // Frame 0: the folders; then files, cut at about the target size.
        var groups = new List<List<int>> { new() };
        long total = data.Sum(d => (long)d.Length), target = Math.Max(FrameTarget, total / 8), size = 0;
        for (int i = 0; i < ordered.Count; i++)
        {
            if (groups.Count == 1 || (size > 0 && size + data[i].Length > target))
            {
                groups.Add([]);
                size = 0;
            }
            groups[^1].Add(i);
            size += data[i].Length;
        }
        var raw = new byte[groups.Count][];
        for (int g = 0; g < groups.Count; g++)
        {
            using var ms = new MemoryStream();
            var tar = new TarWriter(ms, TarEntryFormat.Gnu, leaveOpen: true);
            if (g == 0)
                foreach (var dir in dirs)
                    tar.WriteEntry(Entry(TarEntryType.Directory, dir + "/", 0b111_101_101, time, null));
            else
                foreach (var i in groups[g])
                    tar.WriteEntry(Entry(TarEntryType.RegularFile, ordered[i].Entry.Dest, ordered[i].Entry.Executable ? 0b111_101_101 : 0b110_100_100, time, data[i]));
            if (g == groups.Count - 1)
                tar.Dispose(); // the end-of-archive blocks close the last frame only
            raw[g] = ms.ToArray();
        }
        var frames = new byte[groups.Count][];
        long rawTotal = raw.Sum(r => (long)r.Length), rawDone = 0;
        packed?.Invoke(0, rawTotal);
        Parallel.For(0, groups.Count, g =>
        {
            frames[g] = Compress(raw[g], cache);
            packed?.Invoke(Interlocked.Add(ref rawDone, raw[g].Length), rawTotal);
        });

        var index = new List<PayloadFrame>(groups.Count);
        long offset = PayloadFormat.IndexLength(groups.Count);
        for (int g = 0; g < groups.Count; g++)
        {
            index.Add(new PayloadFrame(offset, frames[g].Length, raw[g].Length));
            offset += frames[g].Length;
        }
        var files = new List<PayloadFile>(ordered.Count);
        using (var fs = new FileStream(outputPath, FileMode.Create, FileAccess.Write, FileShare.None, 1 << 16))
        {
            fs.Write(PayloadFormat.WriteIndex(index));
            foreach (var p in frames)
                fs.Write(p);
        }
        for (int g = 1; g < groups.Count; g++)
        {
            double ratio = raw[g].Length == 0 ? 1 : (double)frames[g].Length / raw[g].Length;
            foreach (var i in groups[g])
                files.Add(new PayloadFile(ordered[i].Entry.Dest, data[i].Length, (long)Math.Round(data[i].Length * ratio), ordered[i].Entry.Category, ordered[i].Entry.Owner));
        }
        files.Sort((a, b) => string.CompareOrdinal(a.Path, b.Path));

        var (sha, xxh, length) = Hash(outputPath);
        return new PayloadArchive { Path = outputPath, Length = length, Sha256 = sha, Xxh64 = xxh, Files = files };
    }

    private static GnuTarEntry Entry(TarEntryType type, string name, int mode, DateTimeOffset time, byte[]? data)
    {
        var entry = new GnuTarEntry(type, name)
        {
            Mode = (UnixFileMode)mode,
            ModificationTime = time,
            AccessTime = time,
            ChangeTime = time,
            Uid = 0,
            Gid = 0,
            UserName = "",
            GroupName = "",
        };
        if (data is not null)
            entry.DataStream = new MemoryStream(data, writable: false);
        return entry;
    }

    /// <summary>Compresses one frame's tar bytes at <see cref="Level"/>, through the cache.</summary>
    private static byte[] Compress(byte[] raw, BuildCache? cache)
    {
        var key = cache is null ? null : BuildCache.Key("zstd-frame-2", Level, WindowLog, raw);
        if (key is not null && cache!.TryGet("zstd", key) is { } hit)
            return File.ReadAllBytes(hit);
        using var compressor = new Compressor(Level);
        compressor.SetParameter(ZstdSharp.Unsafe.ZSTD_cParameter.ZSTD_c_checksumFlag, 1);
        compressor.SetParameter(ZstdSharp.Unsafe.ZSTD_cParameter.ZSTD_c_windowLog, WindowLog);
        var packed = compressor.Wrap(raw).ToArray();
        if (cache is not null)
        {
            var tmp = cache.TempFile("zstd");
            File.WriteAllBytes(tmp, packed);
            cache.Put("zstd", key!, tmp);
        }
        return packed;
    }

    /// <summary>
    /// Writes the archive, or reuses the one at <paramref name="outputPath"/> when it was made from the same entries
    /// (same destinations, modes and content identities: cache paths are content-addressed, other files count by
    /// path, size and modification time). A sidecar <c>.json</c> holds the previous key and file list.
    /// </summary>
    public static PayloadArchive WriteOrReuse(IReadOnlyList<(PayloadEntry Entry, string? File, byte[]? Bytes)> entries, string outputPath,
        BuildCache? cache = null, Action<long, long>? packed = null)
    {
        var parts = new List<object> { "payload-2", Level, WindowLog, Timestamp().Ticks };
        foreach (var (e, file, bytes) in entries.OrderBy(x => x.Entry.Dest, StringComparer.Ordinal))
        {
            parts.Add(e.Dest);
            parts.Add(e.Executable);
            parts.Add(e.Category.ToString());
            parts.Add(e.Owner ?? "");
            if (bytes is not null)
                parts.Add(bytes);
            else if (file is not null)
            {
                var info = new FileInfo(file);
                parts.Add($"{info.FullName}|{info.Length}|{info.LastWriteTimeUtc.Ticks}");
            }
        }
        var key = BuildCache.Key([.. parts]);
        var sidecar = outputPath + ".json";
        if (File.Exists(outputPath) && File.Exists(sidecar))
        {
            try
            {
                var saved = System.Text.Json.JsonSerializer.Deserialize<SavedArchive>(File.ReadAllText(sidecar));
                if (saved is not null && saved.Key == key && new FileInfo(outputPath).Length == saved.Length)
                    return new PayloadArchive { Path = outputPath, Length = saved.Length, Sha256 = saved.Sha256, Xxh64 = saved.Xxh64, Files = saved.Files };
            }
            catch (System.Text.Json.JsonException)
            {
                // rewrite below
            }
        }
        File.Delete(sidecar);
        var archive = Write(entries, outputPath, cache, packed);
        File.WriteAllText(sidecar, System.Text.Json.JsonSerializer.Serialize(new SavedArchive(key, archive.Length, archive.Sha256, archive.Xxh64, archive.Files.ToList())));
        return archive;
    }

    private sealed record SavedArchive(string Key, long Length, string Sha256, string Xxh64, List<PayloadFile> Files);

    /// <summary>SHA-256 and XXH64 of a file in one read.</summary>
    public static (string Sha256, string Xxh64, long Length) Hash(string path)
    {
        using var f = File.OpenRead(path);
        using var sha = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        var xxh = new System.IO.Hashing.XxHash64();
        var buf = new byte[1 << 20];
        int n;
        long total = 0;
        while ((n = f.Read(buf, 0, buf.Length)) > 0)
        {
            sha.AppendData(buf, 0, n);
            xxh.Append(buf.AsSpan(0, n));
            total += n;
        }
        return (Convert.ToHexStringLower(sha.GetHashAndReset()), xxh.GetCurrentHashAsUInt64().ToString("x16"), total);
    }
}
