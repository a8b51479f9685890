using System.IO.Compression;
using System.Security.Cryptography;
using ICSharpCode.SharpZipLib.Zip;
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
    /// <summary>The zip file.</summary>
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
/// Writes the payload as a zip archive that is the same bytes for the same inputs: entries sorted by
/// path, one fixed timestamp (<c>SOURCE_DATE_EPOCH</c> when set, else 1980-01-01), modes normalised to 0644/0755,
/// Unix host attributes, no extra fields. Entries are deflated in parallel (raw deflate, RFC 1951, the zip method 8
/// stream) and written as SharpZipLib passthrough entries; each compressed entry is kept in the build cache by the
/// SHA-256 of its bytes, so a rebuild compresses only what changed.
/// </summary>
/// <remarks>One zip library per side, on purpose. The build side (this writer, <see cref="Inspect.AppInspector"/>, the
/// runtime archives of <see cref="Probe.TargetRuntime"/>) uses SharpZipLib: System.IO.Compression cannot write an
/// entry already deflated (passthrough), which the per-entry compression cache and the fixed headers need. The run
/// side (the bootloader) uses System.IO.Compression: in the box, trimmable and AOT-safe, so the frozen app carries no
/// extra library; it reads the standard zip this writer makes.</remarks>
public static class PayloadWriter
{
    /// <summary>The timestamp every entry gets.</summary>
    public static DateTime Timestamp()
    {
        var sde = Environment.GetEnvironmentVariable("SOURCE_DATE_EPOCH");
        if (long.TryParse(sde, out var seconds) && seconds >= 315532800 /* 1980-01-01, the zip epoch */)
            return DateTimeOffset.FromUnixTimeSeconds(seconds).UtcDateTime;
        return new DateTime(1980, 1, 1, 0, 0, 0, DateTimeKind.Utc);
    }

    private sealed record Prepared(byte[] Data, long Size, long Crc, bool Deflated);

    /// <summary>Writes the archive.</summary>
    /// <param name="entries">Entries with their final bytes: a file path (already compiled or prepared) or in-memory bytes.</param>
    /// <param name="outputPath">The zip to write (replaced).</param>
    /// <param name="cache">Where compressed entries are kept between builds, or null for none.</param>
    /// <returns>The archive with its hashes.</returns>
    public static PayloadArchive Write(IReadOnlyList<(PayloadEntry Entry, string? File, byte[]? Bytes)> entries, string outputPath,
        BuildCache? cache = null)
    {
        var time = Timestamp();
        var dirs = new SortedSet<string>(StringComparer.Ordinal);
        foreach (var (e, _, _) in entries)
        {
            var d = e.Dest.EndsWith('/') ? e.Dest.TrimEnd('/') : System.IO.Path.GetDirectoryName(e.Dest)?.Replace('\\', '/');
            while (!string.IsNullOrEmpty(d))
            {
                if (!dirs.Add(d + "/"))
                    break;
                d = System.IO.Path.GetDirectoryName(d)?.Replace('\\', '/');
            }
        }
        var ordered = entries.Where(x => x.Entry.Kind != PayloadEntryKind.Directory)
            .OrderBy(x => x.Entry.Dest, StringComparer.Ordinal).ToList();
        foreach (var (e, _, _) in ordered)
            if (!PayloadLayout.IsSafeEntryName(e.Dest))
                throw new InvalidOperationException($"unsafe payload path {e.Dest}");

        var prepared = new Prepared[ordered.Count];
        Parallel.For(0, ordered.Count, i =>
        {
            var (_, file, bytes) = ordered[i];
            prepared[i] = Compress(bytes ?? File.ReadAllBytes(file!), cache);
        });

        var files = new List<PayloadFile>(ordered.Count);
        using (var fs = new FileStream(outputPath, FileMode.Create, FileAccess.Write, FileShare.None, 1 << 16))
        using (var zip = new ZipOutputStream(fs) { IsStreamOwner = false, UseZip64 = UseZip64.Dynamic })
        {
            foreach (var dir in dirs)
            {
                zip.PutNextEntry(new ZipEntry(dir)
                {
                    DateTime = time,
                    HostSystem = (int)HostSystemID.Unix,
                    ExternalFileAttributes = (0x4000 | 0b111_101_101) << 16,
                    CompressionMethod = CompressionMethod.Stored,
                    Size = 0,
                    CompressedSize = 0,
                    Crc = 0,
                });
                zip.CloseEntry();
            }
            for (int i = 0; i < ordered.Count; i++)
            {
                var e = ordered[i].Entry;
                var p = prepared[i];
                var ze = new ZipEntry(e.Dest)
                {
                    DateTime = time,
                    HostSystem = (int)HostSystemID.Unix,
                    ExternalFileAttributes = (0x8000 | (e.Executable ? 0b111_101_101 : 0b110_100_100)) << 16,
                    CompressionMethod = p.Deflated ? CompressionMethod.Deflated : CompressionMethod.Stored,
                    Size = p.Size,
                    CompressedSize = p.Data.LongLength,
                    Crc = p.Crc,
                };
                if (p.Deflated)
                    zip.PutNextPassthroughEntry(ze);
                else
                    zip.PutNextEntry(ze);
                zip.Write(p.Data, 0, p.Data.Length);
                zip.CloseEntry();
                files.Add(new PayloadFile(e.Dest, p.Size, p.Data.LongLength, e.Category, e.Owner));
            }
            zip.Finish();
        }

        var (sha, xxh, length) = Hash(outputPath);
        return new PayloadArchive { Path = outputPath, Length = length, Sha256 = sha, Xxh64 = xxh, Files = files };
    }

    /// <summary>Deflates one entry (or keeps it stored when that does not pay), through the cache.</summary>
    private static Prepared Compress(byte[] data, BuildCache? cache)
    {
        long crc = System.IO.Hashing.Crc32.HashToUInt32(data); // the zip CRC-32 (ISO-HDLC polynomial, as PKWARE's APPNOTE)
        if (data.Length < 64)
            return new Prepared(data, data.Length, crc, false);
        var key = cache is null ? null : BuildCache.Key("deflate-1", data);
        var hit = key is null ? null : cache!.TryGet("deflate", key);
        byte[] compressed;
        if (hit is not null)
        {
            compressed = File.ReadAllBytes(hit);
        }
        else
        {
            using var ms = new MemoryStream(data.Length / 2 + 64);
            using (var deflate = new DeflateStream(ms, CompressionLevel.Optimal, leaveOpen: true))
                deflate.Write(data);
            compressed = ms.ToArray();
            if (cache is not null)
            {
                var tmp = cache.TempFile("deflate");
                File.WriteAllBytes(tmp, compressed);
                cache.Put("deflate", key!, tmp);
            }
        }
        return compressed.Length < data.Length ? new Prepared(compressed, data.Length, crc, true) : new Prepared(data, data.Length, crc, false);
    }

    /// <summary>
    /// Writes the archive, or reuses the one at <paramref name="outputPath"/> when it was made from the same entries
    /// (same destinations, modes and content identities: cache paths are content-addressed, other files count by
    /// path, size and modification time). A sidecar <c>.json</c> holds the previous key and file list.
    /// </summary>
    public static PayloadArchive WriteOrReuse(IReadOnlyList<(PayloadEntry Entry, string? File, byte[]? Bytes)> entries, string outputPath,
        BuildCache? cache = null)
    {
        var parts = new List<object> { "payload-1", Timestamp().Ticks };
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
        var archive = Write(entries, outputPath, cache);
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
