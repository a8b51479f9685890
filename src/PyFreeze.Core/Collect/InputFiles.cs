using System.Runtime.InteropServices;
using PyFreeze.Diagnostics;

namespace PyFreeze.Collect;

/// <summary>What kind of file system entry a build input is (<c>lstat</c>: a symlink is reported as such).</summary>
public enum InputKind
{
    /// <summary>Nothing there.</summary>
    Missing,
    /// <summary>A regular file.</summary>
    File,
    /// <summary>A folder.</summary>
    Folder,
    /// <summary>A symbolic link.</summary>
    Symlink,
    /// <summary>A FIFO, a socket or a device: opening one can block forever or read without end.</summary>
    Special,
}

/// <summary>
/// The checks every file that goes into an app passes: FIFOs, sockets and devices are skipped with a warning (never
/// opened); inside a folder given with <c>--add-data</c>/<c>--add-binary</c> a symlink is stored as the file it
/// points to only when that file is inside the folder too (anything else, a loop or a dangling link, is one error
/// line); names with a backslash or a control character are refused (they cannot be a payload entry, see
/// <see cref="PyFreeze.Payload.PayloadLayout.IsSafeEntryName"/>); and the output may not be one of the inputs.
/// </summary>
public static partial class InputFiles
{
    /// <summary>The kind of <paramref name="path"/>, without following a symlink at its end.</summary>
    public static InputKind KindOf(string path)
    {
        if (OperatingSystem.IsWindows())
        {
            var info = new FileInfo(path);
            if (info.LinkTarget is not null)
                return InputKind.Symlink;
            return info.Exists ? InputKind.File : Directory.Exists(path) ? InputKind.Folder : InputKind.Missing;
        }
        var mode = LstatMode(path);
        return mode switch
        {
            < 0 => InputKind.Missing,
            _ => (mode & 0xF000) switch
            {
                0x8000 => InputKind.File,
                0x4000 => InputKind.Folder,
                0xA000 => InputKind.Symlink,
                _ => InputKind.Special,
            },
        };
    }

    /// <summary>True for a name that may go into the payload: no backslash, no control character (NUL, line breaks).</summary>
    public static bool IsStorableName(string name) => name.IndexOf('\\') < 0 && !name.Any(char.IsControl);

    /// <summary>The files of a folder given with <paramref name="option"/>, as (source to read, path relative to the
    /// folder), sorted; special files are skipped with a warning in <paramref name="warnings"/>.</summary>
    /// <exception cref="PyFreezeException">A symlink points outside the folder, loops or dangles; or a name cannot be stored.</exception>
    public static List<(string Source, string Relative)> FolderFiles(string folder, string option, List<string> warnings)
    {
        var root = Path.TrimEndingDirectorySeparator(Path.GetFullPath(folder));
        var realRoot = Path.TrimEndingDirectorySeparator(new DirectoryInfo(root).ResolveLinkTarget(true)?.FullName ?? root);
        var files = new List<(string, string)>();
        Walk(root, "", realRoot, option, files, warnings, [realRoot]);
        return files;
    }

    private static void Walk(string dir, string relDir, string realRoot, string option, List<(string, string)> files, List<string> warnings,
        List<string> realAncestors)
    {
        foreach (var path in Directory.EnumerateFileSystemEntries(dir).Order(StringComparer.Ordinal))
        {
            var name = Path.GetFileName(path);
            var rel = relDir.Length == 0 ? name : relDir + "/" + name;
            if (!IsStorableName(name))
                throw new PyFreezeException($"{option} {path}: a name with a backslash or a control character cannot go into the app; rename it", 2);
            var kind = KindOf(path);
            string target = path;
            if (kind == InputKind.Symlink)
            {
                string? resolved;
                try
                {
                    resolved = File.ResolveLinkTarget(path, returnFinalTarget: true)?.FullName;
                }
                catch (IOException)
                {
                    throw new PyFreezeException($"{option} {path}: a symlink loop; remove it or put the file there", 2);
                }
                if (resolved is null || KindOf(resolved) is InputKind.Missing)
                    throw new PyFreezeException($"{option} {path}: a symlink to {resolved ?? "nothing"}, which does not exist; remove it or put the file there", 2);
                var real = RealPath(resolved);
                if (Directory.Exists(real) && realAncestors.Any(a => a == real || IsInside(a, real)))
                    throw new PyFreezeException($"{option} {path}: a symlink loop (it points to {real}, a folder that holds it); remove it", 2);
                if (!IsInside(real, realRoot))
                    throw new PyFreezeException($"{option} {path}: a symlink to {real}, outside {realRoot}; copy the file into the folder or add it with its own {option}", 2);
                target = real;
                kind = KindOf(real);
            }
            switch (kind)
            {
                case InputKind.Folder:
                    Walk(target, rel, realRoot, option, files, warnings, [.. realAncestors, RealPath(target)]);
                    break;
                case InputKind.File:
                    files.Add((target, rel));
                    break;
                case InputKind.Special:
                    warnings.Add($"{path}: not a regular file (a FIFO, socket or device); skipped");
                    break;
            }
        }
    }

    /// <summary>Refuses an output that would replace one of the build's inputs: the entry script (or package folder),
    /// or any file going into the app; for a <c>--onedir</c> folder also a folder holding one.</summary>
    /// <exception cref="PyFreezeException">It would.</exception>
    public static void CheckOutput(string output, bool folder, IEnumerable<string> inputs)
    {
        var outReal = RealPath(output);
        foreach (var input in inputs)
        {
            var inReal = RealPath(input);
            if (inReal == outReal || (folder || Directory.Exists(outReal)) && IsInside(inReal, outReal))
                throw new PyFreezeException($"{output}: the output would replace {input}, an input of this build; choose another --name or --distpath", 2);
        }
    }

    /// <summary>Checks the names of everything collected: a payload entry name must be storable.</summary>
    /// <exception cref="PyFreezeException">One is not, naming its source.</exception>
    public static void CheckNames(CollectPlanBuilder plan)
    {
        foreach (var e in plan.Entries)
            if (!IsStorableName(e.Dest))
                throw new PyFreezeException($"{e.Source ?? e.Dest}: a name with a backslash or a control character cannot go into the app; rename it or leave it out", 2);
    }

    /// <summary>Drops entries whose source is a FIFO, socket or device, with a warning each.</summary>
    public static void DropSpecialFiles(CollectPlanBuilder plan)
    {
        plan.RemoveAll(e =>
        {
            if (e.Source is null || KindOf(e.Source) is not InputKind.Special)
                return false;
            plan.Warnings.Add($"{e.Source}: not a regular file (a FIFO, socket or device); skipped");
            return true;
        });
    }

    private static bool IsInside(string path, string folder) => path.StartsWith(folder + "/", StringComparison.Ordinal);

    /// <summary>The path with every symlink resolved (of the part that exists).</summary>
    private static string RealPath(string path)
    {
        var full = Path.TrimEndingDirectorySeparator(Path.GetFullPath(path));
        var parent = Path.GetDirectoryName(full);
        var info = new FileInfo(full);
        string? resolved;
        try
        {
            resolved = info.LinkTarget is null ? null : info.ResolveLinkTarget(true)?.FullName;
        }
        catch (IOException)
        {
            return full;
        }
        if (resolved is not null)
            return RealPath(resolved);
        return parent is null ? full : Path.Combine(RealPath(parent), Path.GetFileName(full));
    }

    private static unsafe int LstatMode(string path)
    {
        var bytes = System.Text.Encoding.UTF8.GetBytes(path + "\0");
        byte* buf = stackalloc byte[256];
        fixed (byte* p = bytes)
        {
            if (OperatingSystem.IsMacOS())
                return MacLstat(p, buf) == 0 ? *(ushort*)(buf + 4) : -1; // struct stat (64-bit inodes): st_mode @4
            // Linux: statx(AT_FDCWD, path, AT_SYMLINK_NOFOLLOW, STATX_TYPE) through syscall(2), on any glibc; stx_mode @28
            long nr = RuntimeInformation.ProcessArchitecture == Architecture.Arm64 ? 291 : 332;
            return Syscall(nr, -100, p, 0x100, 1, buf) == 0 ? *(ushort*)(buf + 28) : -1;
        }
    }

    [LibraryImport("libc", EntryPoint = "syscall", SetLastError = true)]
    private static unsafe partial long Syscall(long number, long dirfd, byte* path, long flags, long mask, byte* buffer);

    [LibraryImport("libc", EntryPoint = "lstat", SetLastError = true)]
    private static unsafe partial int MacLstat(byte* path, byte* buffer);
}
