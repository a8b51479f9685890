using System.Globalization;
using System.Text;

namespace PyFreeze.Bootloader;

/// <summary>
/// The quick form of a warm start's damage check: the inode number and modification time of every folder of an
/// unpacked copy, and the size of every file the dynamic loader maps (the interpreter, shared libraries, extension
/// modules), recorded once the copy was found (or made) sound and compared on later starts instead of stat'ing every
/// file the manifest lists (hundreds with the whole standard library: ~1.5-2 ms of every warm start, measured).
/// </summary>
/// <remarks>
/// A folder's modification time changes whenever an entry in it is added, removed or renamed (POSIX: link, unlink,
/// rename, mkdir and rmdir update the directory's st_mtime), and a folder removed and made again has a new inode, so what
/// cleaners of old files and hands do to a copy (delete a file or a folder, move one in or away) shows in its folders.
/// A mapped file cut short would end the app with SIGBUS instead of a message, so those sizes are checked too. A
/// module or data file rewritten in place is not found here (Python reports it when it reads it); the full check
/// (<see cref="Manifest.Check"/>) runs when the stamp is missing, damaged or out of date, and <c>PYFREEZE_VERIFY=1</c>
/// compares every byte as before. When the full check finds the copy sound (an app that writes files beside its own
/// modules changes a folder), the stamp is written again, so a change costs one full check, not one per start. Not a
/// trust boundary: the copy is a folder only its owner can write (<see cref="CacheDir"/>).
/// <para>Format (UTF-8 lines): <c>pyfreeze-folders 1</c>; per folder <c>d INODE MTIME_NS NAME</c> (<c>.</c> for the copy
/// itself, else the folder's path in the copy); per mapped file <c>f SIZE NAME</c>; then <c>end COUNT</c>.</para>
/// </remarks>
internal static class FolderStamp
{
    /// <summary>The stamp's name in the copy.</summary>
    public const string FileName = ".pyfreeze-folders";

    private const string Header = "pyfreeze-folders 1\n";

    /// <summary>The most bytes a stamp may have (a copy with tens of thousands of folders).</summary>
    private const int MaxBytes = 8 << 20;

    /// <summary>True when the copy has a stamp and every folder it names is still the same folder, unchanged, and every
    /// mapped file it names has its size. False on Windows (no stamp is written there), or when the stamp is missing,
    /// damaged or out of date.</summary>
    /// <param name="copy">The open copy.</param>
    public static unsafe bool Matches(CacheDir copy)
    {
        if (OperatingSystem.IsWindows())
            return false;
        var stamp = copy.ReadFile(FileName, MaxBytes);
        var header = Encoding.ASCII.GetBytes(Header);
        if (stamp is null || !stamp.AsSpan().StartsWith(header))
            return false;
        int pos = header.Length, count = 0;
        fixed (byte* b = stamp)
        {
            while (pos < stamp.Length)
            {
                int nl = stamp.AsSpan(pos).IndexOf((byte)'\n');
                if (nl < 0)
                    return false;
                int end = pos + nl;
                var line = stamp.AsSpan(pos, end - pos);
                if (line.StartsWith("end "u8))
                    return end + 1 == stamp.Length && count > 0 && ulong.TryParse(line[4..], NumberStyles.None, CultureInfo.InvariantCulture, out var n) && n == (ulong)count;
                if (line.Length < 4 || line[1] != (byte)' ' || line[0] is not ((byte)'d' or (byte)'f'))
                    return false;
                bool folder = line[0] == (byte)'d';
                ReadOnlySpan<byte> rest = line[2..];
                int at = 2;
                if (!Number(ref rest, ref at, out var first))
                    return false;
                long second = 0;
                if (folder && !Number(ref rest, ref at, out second))
                    return false;
                if (rest.IsEmpty)
                    return false;
                stamp[end] = 0; // the name, NUL-terminated in place
                if (Posix.LStatAt(copy.Fd, b + pos + at, out var st) != 0)
                    return false;
                if (folder ? !st.IsDirectory || st.Inode != (ulong)first || st.ModifiedNs != second : !st.IsRegular || st.Size != first)
                    return false;
                count++;
                pos = end + 1;
            }
        }
        return false;
    }

    /// <summary>Reads a decimal number (a leading '-' allowed) and the space after it from the front of <paramref name="rest"/>.</summary>
    private static bool Number(ref ReadOnlySpan<byte> rest, ref int at, out long value)
    {
        value = 0;
        int sp = rest.IndexOf((byte)' ');
        if (sp <= 0 || !long.TryParse(rest[..sp], NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out value))
            return false;
        rest = rest[(sp + 1)..];
        at += sp + 1;
        return true;
    }

    /// <summary>Records the copy as it is now (best effort: a copy that cannot be written, e.g. on a read-only file
    /// system, keeps being checked in full). The stamp file is opened (made) before anything is stat'ed, so its own
    /// creation is part of what it records.</summary>
    /// <param name="copy">The open copy, found or made sound.</param>
    /// <param name="manifest">Its manifest (<see cref="Manifest.Build"/>).</param>
    public static void Write(CacheDir copy, byte[] manifest)
    {
        if (OperatingSystem.IsWindows())
            return;
        if (!copy.RewriteFile(FileName, [])) // made first, so that its own creation is part of what it records
            return;
        var entries = Manifest.Entries(manifest);
        var folders = new List<string> { "." };
        var seen = new HashSet<string>(StringComparer.Ordinal) { "." };
        foreach (var (name, size) in entries)
        {
            for (int slash = name.IndexOf('/'); slash > 0; slash = name.IndexOf('/', slash + 1))
                if (seen.Add(name[..slash]))
                    folders.Add(name[..slash]); // the folders above an entry (an unpack lists files only)
            if (size < 0 && seen.Add(name))
                folders.Add(name);
        }
        var text = new StringBuilder(Header);
        int count = 0;
        foreach (var folder in folders)
        {
            if (Posix.LStatAt(copy.Fd, Native.Utf8Z(folder), out var st) != 0 || !st.IsDirectory)
                return; // not sound after all: an empty stamp, the full check runs next time
            text.Append("d ").Append(st.Inode.ToString(CultureInfo.InvariantCulture)).Append(' ')
                .Append(st.ModifiedNs.ToString(CultureInfo.InvariantCulture)).Append(' ').Append(folder).Append('\n');
            count++;
        }
        foreach (var (name, size) in entries)
        {
            if (size >= 0 && IsMapped(name))
            {
                text.Append("f ").Append(size.ToString(CultureInfo.InvariantCulture)).Append(' ').Append(name).Append('\n');
                count++;
            }
        }
        text.Append("end ").Append(count.ToString(CultureInfo.InvariantCulture)).Append('\n');
        copy.RewriteFile(FileName, Encoding.UTF8.GetBytes(text.ToString()));
    }

    /// <summary>True for a file the dynamic loader maps rather than reads: the interpreter (<c>python/bin/</c>), shared
    /// libraries and extension modules (<c>NAME.so</c>, <c>NAME.so.VERSION</c>, <c>NAME.dylib</c>).</summary>
    /// <param name="name">The file's path in the copy.</param>
    internal static bool IsMapped(string name) =>
        name.StartsWith("python/bin/", StringComparison.Ordinal) || name.EndsWith(".so", StringComparison.Ordinal)
        || name.Contains(".so.", StringComparison.Ordinal) || name.EndsWith(".dylib", StringComparison.Ordinal);
}
