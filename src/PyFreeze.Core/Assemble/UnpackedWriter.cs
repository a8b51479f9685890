using PyFreeze.Collect;

namespace PyFreeze.Assemble;

/// <summary>
/// Writes the payload as plain files (for <c>--onedir</c>): the same tree the bootloader would unpack from a onefile
/// payload, with the same modes.
/// </summary>
public static class UnpackedWriter
{
    /// <summary>Writes the entries below <paramref name="root"/> (created; must not exist yet or is emptied).</summary>
    /// <returns>The files written with their sizes.</returns>
    public static IReadOnlyList<PayloadFile> Write(IReadOnlyList<(PayloadEntry Entry, string? File, byte[]? Bytes)> entries, string root)
    {
        if (Directory.Exists(root))
            Directory.Delete(root, true);
        Directory.CreateDirectory(root);
        var files = new List<PayloadFile>();
        foreach (var (e, file, bytes) in entries.OrderBy(x => x.Entry.Dest, StringComparer.Ordinal))
        {
            var target = Path.Combine(root, e.Dest.TrimEnd('/'));
            if (e.Kind == PayloadEntryKind.Directory)
            {
                Directory.CreateDirectory(target);
                continue;
            }
            Directory.CreateDirectory(Path.GetDirectoryName(target)!);
            if (bytes is not null)
                File.WriteAllBytes(target, bytes);
            else
                File.Copy(file!, target, overwrite: true);
            if (!OperatingSystem.IsWindows())
                File.SetUnixFileMode(target, (UnixFileMode)(e.Executable ? 0b111_101_101 : 0b110_100_100));
            var size = new FileInfo(target).Length;
            files.Add(new PayloadFile(e.Dest, size, size, e.Category, e.Owner));
        }
        return files;
    }
}
