using System.IO.Compression;

namespace PyFreeze.Release;

/// <summary>One file of an archive: its path inside (<c>/</c>-separated), its bytes and whether it is executable.</summary>
/// <param name="Path">The entry name.</param>
/// <param name="Content">The bytes.</param>
/// <param name="Executable">Mode 0755 when true, else 0644.</param>
public sealed record ZipItem(string Path, byte[] Content, bool Executable = false)
{
    /// <summary>An item read from a file; executable when the file has any execute bit (never on Windows).</summary>
    public static ZipItem FromFile(string entryPath, string file) =>
        new(entryPath, File.ReadAllBytes(file), !OperatingSystem.IsWindows() && (File.GetUnixFileMode(file) & (UnixFileMode.UserExecute | UnixFileMode.GroupExecute | UnixFileMode.OtherExecute)) != 0);
}

/// <summary>
/// Writes zip archives (wheels, .nupkg) whose bytes depend only on their entries and one timestamp: entries in the
/// order given (callers sort them), one fixed modification time (SOURCE_DATE_EPOCH, clamped to 1980, the first time a
/// zip's MS-DOS date can hold), Unix modes 0644 or 0755 in the external attributes (which pip reads to set the
/// execute bit: pip's <c>zip_item_is_executable</c>), no directory entries and no extra fields.
/// </summary>
public static class ReproducibleZip
{
    /// <summary>The first instant a zip's MS-DOS timestamp can hold.</summary>
    public static readonly DateTimeOffset DosEpoch = new(1980, 1, 1, 0, 0, 0, TimeSpan.Zero);

    /// <summary>The entries' timestamp for a SOURCE_DATE_EPOCH in seconds (UTC, even seconds, not before 1980).</summary>
    public static DateTimeOffset Timestamp(long sourceDateEpoch)
    {
        var t = DateTimeOffset.FromUnixTimeSeconds(sourceDateEpoch - sourceDateEpoch % 2);
        return t < DosEpoch ? DosEpoch : t;
    }

    /// <summary>Writes <paramref name="items"/> to <paramref name="path"/> (through a temporary file renamed into place).</summary>
    /// <exception cref="ArgumentException">Two items share a path.</exception>
    public static void Write(string path, IReadOnlyList<ZipItem> items, DateTimeOffset time)
    {
        var dup = items.GroupBy(i => i.Path, StringComparer.Ordinal).FirstOrDefault(g => g.Count() > 1);
        if (dup is not null)
            throw new ArgumentException($"{path}: two entries named {dup.Key}");
        var tmp = path + ".tmp";
        using (var stream = File.Create(tmp))
        using (var zip = new ZipArchive(stream, ZipArchiveMode.Create))
        {
            foreach (var item in items)
            {
                var entry = zip.CreateEntry(item.Path, CompressionLevel.SmallestSize);
                entry.LastWriteTime = time;
                // S_IFREG | rwxr-xr-x or rw-r--r--, in the high 16 bits as Info-ZIP and CPython's zipfile write them
                entry.ExternalAttributes = (int)((0x8000u | (item.Executable ? 0b111_101_101u : 0b110_100_100u)) << 16);
                using var s = entry.Open();
                s.Write(item.Content);
            }
        }
        File.Move(tmp, path, overwrite: true);
    }
}
