using System.Text;

namespace PyFreeze.Bootloader;

/// <summary>
/// The list of what an unpack wrote, kept as <c>.pyfreeze-manifest</c> in the unpacked copy (written before the
/// completion marker), so a warm start can check in one <c>fstatat</c> per entry that every file is still a regular
/// file of its size and every empty folder a folder (a folder that holds a listed entry is checked through it): damage from a cleaner, a full disk or an interrupted copy is found and
/// repaired instead of ending in SIGBUS or a bare ImportError. Content damage of the same size is left to the deep
/// check (<c>PYFREEZE_VERIFY=1</c>), which compares every byte with the payload.
/// </summary>
/// <remarks>
/// UTF-8 text, one entry a line, names relative to the unpacked root with <c>/</c>:
/// <code>
/// pyfreeze-manifest 1
/// origin /usr/local/bin/hello      the executable that unpacked it (which later versions of it may remove)
/// d python/lib/python3.11/lib-dynload   a folder that holds no listed entry
/// f 3432 python/boot.pyc           a regular file and its size in bytes
/// end 2                            the number of d/f lines: a truncated manifest is damage too
/// </code>
/// Payload entry names hold no control characters (<see cref="PyFreeze.Payload.PayloadLayout.IsSafeEntryName"/>), so
/// a line break always ends a name.
/// </remarks>
internal static class Manifest
{
    /// <summary>Its file name in the unpacked root.</summary>
    public const string FileName = ".pyfreeze-manifest";

    private const string Header = "pyfreeze-manifest 1\n";

    /// <summary>Writes the manifest of <paramref name="dirs"/> and <paramref name="files"/> (name, size).</summary>
    public static byte[] Build(string origin, List<string> dirs, List<(string Name, long Size)> files)
    {
        var sb = new StringBuilder(Header);
        if (origin.IndexOfAny(['\n', '\r']) < 0)
            sb.Append("origin ").Append(origin).Append('\n');
        int count = 0;
        foreach (var d in dirs)
        {
            sb.Append("d ").Append(d).Append('\n');
            count++;
        }
        foreach (var (name, size) in files)
        {
            sb.Append("f ").Append(size).Append(' ').Append(name).Append('\n');
            count++;
        }
        sb.Append("end ").Append(count).Append('\n');
        return Encoding.UTF8.GetBytes(sb.ToString());
    }

    /// <summary>Bytes that always hold the header and the origin line (a path of at most PATH_MAX, 4096 bytes, in
    /// UTF-8): what <see cref="Origin"/> needs read of a manifest.</summary>
    public const int HeadBytes = 8192;

    /// <summary>The executable recorded as the one that unpacked the copy, or null.</summary>
    public static string? Origin(byte[] manifest)
    {
        var text = manifest.AsSpan();
        if (!text.StartsWith(Encoding.ASCII.GetBytes(Header)))
            return null;
        text = text[Header.Length..];
        if (!text.StartsWith("origin "u8))
            return null;
        int end = text.IndexOf((byte)'\n');
        return end < 0 ? null : Encoding.UTF8.GetString(text[7..end]);
    }

    /// <summary>The entries a manifest lists, in order: each file with its size in bytes, each folder entry with size -1.</summary>
    /// <param name="manifest">A manifest (<see cref="Build"/>), also one <see cref="Check"/> has read (which ends its
    /// lines with NUL in place); lines of other kinds are skipped.</param>
    public static List<(string Name, long Size)> Entries(byte[] manifest)
    {
        var entries = new List<(string, long)>();
        int pos = 0;
        while (pos < manifest.Length)
        {
            int nl = manifest.AsSpan(pos).IndexOfAny((byte)'\n', (byte)0);
            int end = nl < 0 ? manifest.Length : pos + nl;
            var line = manifest.AsSpan(pos, end - pos);
            if (line.Length > 2 && line[1] == (byte)' ' && line[0] == (byte)'d')
                entries.Add((Encoding.UTF8.GetString(line[2..]), -1));
            else if (line.Length > 2 && line[1] == (byte)' ' && line[0] == (byte)'f' && line[2..].IndexOf((byte)' ') is > 0 and var sp
                     && long.TryParse(line.Slice(2, sp), System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var size))
                entries.Add((Encoding.UTF8.GetString(line[(2 + sp + 1)..]), size));
            pos = end + 1;
        }
        return entries;
    }

    /// <summary>Checks the unpacked copy open as <paramref name="root"/> against its manifest (which is changed: line
    /// ends become NULs, so each name is passed to the kernel where it lies).</summary>
    /// <returns>Null when every entry is as recorded; else what is wrong with the first entry that is not.</returns>
    public static unsafe string? Check(CacheDir root, byte[] manifest)
    {
        var header = Encoding.ASCII.GetBytes(Header);
        if (!manifest.AsSpan().StartsWith(header))
            return $"{FileName} is damaged";
        int count = 0;
        int pos = header.Length;
        fixed (byte* b = manifest)
        {
            while (pos < manifest.Length)
            {
                int nl = manifest.AsSpan(pos).IndexOf((byte)'\n');
                if (nl < 0)
                    return $"{FileName} is damaged";
                int end = pos + nl;
                manifest[end] = 0;
                byte kind = manifest[pos];
                if (kind == (byte)'o' && manifest.AsSpan(pos).StartsWith("origin "u8))
                {
                    pos = end + 1;
                    continue;
                }
                if (kind == (byte)'e')
                    return end + 1 == manifest.Length && manifest.AsSpan(pos, end - pos).SequenceEqual(Encoding.ASCII.GetBytes($"end {count}"))
                        ? null : $"{FileName} is damaged";
                if (end - pos < 2 || manifest[pos + 1] != (byte)' ')
                    return $"{FileName} is damaged";
                int nameAt = pos + 2;
                long size = -1;
                if (kind == (byte)'f')
                {
                    size = 0;
                    while (nameAt < end && manifest[nameAt] is >= (byte)'0' and <= (byte)'9')
                        size = size * 10 + (manifest[nameAt++] - '0');
                    if (nameAt >= end || manifest[nameAt] != (byte)' ')
                        return $"{FileName} is damaged";
                    nameAt++;
                }
                else if (kind != (byte)'d')
                {
                    return $"{FileName} is damaged";
                }
                count++;
                var problem = CheckEntry(root, b + nameAt, manifest.AsSpan(nameAt, end - nameAt), size);
                if (problem is not null)
                    return problem;
                pos = end + 1;
            }
        }
        return $"{FileName} is damaged";
    }

    private static unsafe string? CheckEntry(CacheDir root, byte* nameZ, ReadOnlySpan<byte> name, long size)
    {
        FileStat st;
        if (OperatingSystem.IsWindows())
        {
            var path = Path.Combine(root.Path, Encoding.UTF8.GetString(name));
            FileSystemInfo info = size < 0 ? new DirectoryInfo(path) : new FileInfo(path);
            if (!info.Exists)
                return $"{Encoding.UTF8.GetString(name)} is missing";
            st = new FileStat(size < 0 ? FileStat.Directory : FileStat.Regular, 0, size < 0 ? 0 : ((FileInfo)info).Length, 0, 0);
        }
        else
        {
            int e = Posix.LStatAt(root.Fd, nameZ, out st);
            if (e != 0)
                return $"{Encoding.UTF8.GetString(name)}: {Posix.Describe(e)}";
        }
        if (size < 0)
            return st.IsDirectory ? null : $"{Encoding.UTF8.GetString(name)} is a {st.TypeName}, not a folder";
        if (!st.IsRegular)
            return $"{Encoding.UTF8.GetString(name)} is a {st.TypeName}, not a file";
        return st.Size == size ? null : $"{Encoding.UTF8.GetString(name)} has {st.Size} bytes, not {size}";
    }
}
