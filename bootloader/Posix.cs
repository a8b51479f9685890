using System.Runtime.InteropServices;

namespace PyFreeze.Bootloader;

/// <summary>What <c>lstat</c>/<c>fstat</c> tell about one file: the parts the cache checks use.</summary>
/// <param name="Mode">st_mode: the file type bits (S_IFMT) and the permission bits.</param>
/// <param name="Uid">The owner's user id.</param>
/// <param name="Size">The size in bytes.</param>
/// <param name="Device">The device the file is on (st_dev).</param>
/// <param name="Inode">The inode number.</param>
/// <param name="ModifiedNs">The last modification time (st_mtime), in nanoseconds since the epoch: for a folder, when an
/// entry was last added, removed or renamed in it.</param>
internal readonly record struct FileStat(uint Mode, uint Uid, long Size, ulong Device, ulong Inode, long ModifiedNs = 0)
{
    public const uint TypeMask = 0xF000, Directory = 0x4000, Regular = 0x8000, Symlink = 0xA000;

    public uint Type => Mode & TypeMask;
    public bool IsDirectory => Type == Directory;
    public bool IsRegular => Type == Regular;
    public bool IsSymlink => Type == Symlink;

    /// <summary>True when the group or others may write (S_IWGRP | S_IWOTH).</summary>
    public bool WritableByOthers => (Mode & 0b000_010_010) != 0;

    /// <summary>The sticky bit (S_ISVTX): in a folder, only an entry's owner may rename or remove it.</summary>
    public bool Sticky => (Mode & 0x200) != 0;

    /// <summary>A short name of the file type, for messages.</summary>
    public string TypeName => Type switch
    {
        Directory => "folder",
        Regular => "file",
        Symlink => "symlink",
        0x1000 => "fifo",
        0xC000 => "socket",
        _ => "device",
    };
}

/// <summary>
/// The file-descriptor calls the cache's trust checks are made of (POSIX <c>openat</c>, <c>fstatat</c>, <c>mkdirat</c>,
/// <c>renameat</c>, <c>unlinkat</c>, <c>flock</c>, <c>mkdtemp</c>, <c>realpath</c>), so that a folder is checked and
/// then used through the same open handle, never by a path that someone could swap in between. The flag and errno
/// values differ between Linux x64, Linux arm64 and macOS (their <c>fcntl.h</c>/<c>errno.h</c>); <c>stat</c> comes
/// from Linux's <c>statx</c> system call (one layout on every architecture, linux/stat.h), or <c>newfstatat</c> where
/// a sandbox refuses statx, and from macOS's 64-bit-inode <c>fstatat</c> (sys/stat.h).
/// </summary>
internal static unsafe partial class Posix
{
    private const string LibC = "pyfreeze-libc";

    static Posix() => Native.EnsureLoaded(); // its resolver binds LibC

    private static readonly bool Mac = OperatingSystem.IsMacOS();
    private static readonly bool Arm64 = RuntimeInformation.ProcessArchitecture == Architecture.Arm64;

    public static readonly int O_DIRECTORY = Mac ? 0x100000 : Arm64 ? 0x4000 : 0x10000;
    public static readonly int O_NOFOLLOW = Mac ? 0x100 : Arm64 ? 0x8000 : 0x20000;
    public static readonly int O_CLOEXEC = Mac ? 0x1000000 : 0x80000;
    public static readonly int O_CREAT = Mac ? 0x200 : 0x40;
    public static readonly int O_EXCL = Mac ? 0x800 : 0x80;
    public const int O_RDONLY = 0, O_WRONLY = 1;
    public static readonly int AT_FDCWD = Mac ? -2 : -100;
    private static readonly int AT_SYMLINK_NOFOLLOW = Mac ? 0x20 : 0x100;
    private static readonly int AT_REMOVEDIR = Mac ? 0x80 : 0x200;
    private const int AT_EMPTY_PATH = 0x1000; // Linux only

    public const int ENOENT = 2, EACCES = 13, EEXIST = 17, ENOTDIR = 20;
    public static readonly int ELOOP = Mac ? 62 : 40;
    public static readonly int EWOULDBLOCK = Mac ? 35 : 11;
    public static readonly int ENOTEMPTY = Mac ? 66 : 39;
    private static readonly int ENOSYS = Mac ? 78 : 38;
    public const int LOCK_SH = 1, LOCK_EX = 2, LOCK_NB = 4;

    [LibraryImport(LibC, EntryPoint = "openat", SetLastError = true)]
    private static partial int OpenAtRaw(int dirfd, byte* path, int flags, uint mode);

    [LibraryImport(LibC, EntryPoint = "mkdirat", SetLastError = true)]
    private static partial int MkdirAtRaw(int dirfd, byte* path, uint mode);

    [LibraryImport(LibC, EntryPoint = "renameat", SetLastError = true)]
    private static partial int RenameAtRaw(int olddirfd, byte* oldpath, int newdirfd, byte* newpath);

    [LibraryImport(LibC, EntryPoint = "unlinkat", SetLastError = true)]
    private static partial int UnlinkAtRaw(int dirfd, byte* path, int flags);

    [LibraryImport(LibC, EntryPoint = "flock", SetLastError = true)]
    private static partial int FlockRaw(int fd, int operation);

    [LibraryImport(LibC, EntryPoint = "close")]
    private static partial int CloseRaw(int fd);

    [LibraryImport(LibC, EntryPoint = "mkdtemp", SetLastError = true)]
    private static partial byte* MkdtempRaw(byte* template);

    [LibraryImport(LibC, EntryPoint = "realpath", SetLastError = true)]
    private static partial byte* RealpathRaw(byte* path, byte* resolved);

    [LibraryImport(LibC, EntryPoint = "free")]
    private static partial void Free(void* p);

    [LibraryImport(LibC, EntryPoint = "geteuid")]
    public static partial uint Geteuid();

    [LibraryImport(LibC, EntryPoint = "kill", SetLastError = true)]
    private static partial int KillRaw(int pid, int sig);

    /// <summary>Linux: the raw system call entry (variadic in C; integer and pointer arguments pass the same way on
    /// x86-64 and arm64 Linux).</summary>
    [LibraryImport(LibC, EntryPoint = "syscall", SetLastError = true)]
    private static partial long Syscall5(long number, long a, byte* b, long c, long d, byte* e);

    [LibraryImport(LibC, EntryPoint = "syscall", SetLastError = true)]
    private static partial long Syscall4(long number, long a, byte* b, byte* c, long d);

    [LibraryImport(LibC, EntryPoint = "fstatat", SetLastError = true)]
    private static partial int MacFstatAt(int dirfd, byte* path, byte* buf, int flags);

    public static int Errno => Marshal.GetLastPInvokeError();

    /// <summary>The C library's text for an errno, lower-cased for a message.</summary>
    public static string Describe(int errno) => Marshal.GetPInvokeErrorMessage(errno).ToLowerInvariant();

    /// <summary><c>openat(dirfd, name, flags, mode)</c>; -1 with <see cref="Errno"/> set on failure.</summary>
    public static int OpenAt(int dirfd, ReadOnlySpan<byte> nameZ, int flags, uint mode = 0)
    {
        fixed (byte* p = nameZ)
            return OpenAtRaw(dirfd, p, flags, mode);
    }

    /// <summary>Opens a folder relative to <paramref name="dirfd"/> without following a symlink at its last component.</summary>
    public static int OpenDirAt(int dirfd, string name, bool closeOnExec = true) =>
        OpenAt(dirfd, Native.Utf8Z(name), O_RDONLY | O_DIRECTORY | O_NOFOLLOW | (closeOnExec ? O_CLOEXEC : 0));

    public static int MkdirAt(int dirfd, string name, uint mode)
    {
        fixed (byte* p = Native.Utf8Z(name))
            return MkdirAtRaw(dirfd, p, mode);
    }

    public static int RenameAt(int olddirfd, string oldName, int newdirfd, string newName)
    {
        fixed (byte* o = Native.Utf8Z(oldName))
        fixed (byte* n = Native.Utf8Z(newName))
            return RenameAtRaw(olddirfd, o, newdirfd, n);
    }

    public static int UnlinkAt(int dirfd, string name, bool directory)
    {
        fixed (byte* p = Native.Utf8Z(name))
            return UnlinkAtRaw(dirfd, p, directory ? AT_REMOVEDIR : 0);
    }

    public static int Flock(int fd, int operation) => FlockRaw(fd, operation);

    public static void Close(int fd)
    {
        if (fd >= 0)
            CloseRaw(fd);
    }

    /// <summary>True when a process with this id exists: kill(pid, 0) on POSIX (EPERM means it exists but is not ours);
    /// on Windows, where there is no libc to call, whether the process table has the id.</summary>
    public static bool ProcessExists(int pid)
    {
        if (pid <= 0)
            return false;
        if (OperatingSystem.IsWindows())
        {
            try
            {
                using var _ = System.Diagnostics.Process.GetProcessById(pid);
                return true;
            }
            catch (ArgumentException)
            {
                return false; // no such process
            }
        }
        return KillRaw(pid, 0) == 0 || Errno != 3 /* ESRCH */;
    }

    /// <summary>Makes a fresh folder from <paramref name="template"/> (ending in XXXXXX), mode 0700; null on failure.</summary>
    public static string? Mkdtemp(string template)
    {
        var z = Native.Utf8Z(template);
        fixed (byte* p = z)
            return MkdtempRaw(p) == null ? null : System.Text.Encoding.UTF8.GetString(z, 0, z.Length - 1);
    }

    /// <summary>The canonical absolute path (every symlink resolved), or null when it does not exist.</summary>
    public static string? Realpath(string path)
    {
        fixed (byte* p = Native.Utf8Z(path))
        {
            var r = RealpathRaw(p, null);
            if (r == null)
                return null;
            try
            {
                return Marshal.PtrToStringUTF8((IntPtr)r);
            }
            finally
            {
                Free(r);
            }
        }
    }

    /// <summary><c>fstat</c> of an open descriptor.</summary>
    public static bool FStat(int fd, out FileStat st)
    {
        fixed (byte* empty = "\0"u8)
            return StatAt(fd, empty, out st, emptyPath: true) == 0;
    }

    /// <summary><c>fstatat(dirfd, name, AT_SYMLINK_NOFOLLOW)</c>: a symlink at the last component is reported, not followed.</summary>
    /// <returns>0, or an errno.</returns>
    public static int LStatAt(int dirfd, ReadOnlySpan<byte> nameZ, out FileStat st)
    {
        fixed (byte* name = nameZ)
            return StatAt(dirfd, name, out st, emptyPath: false);
    }

    /// <summary>The same with a NUL-terminated name in memory the caller holds fixed.</summary>
    public static int LStatAt(int dirfd, byte* nameZ, out FileStat st) => StatAt(dirfd, nameZ, out st, emptyPath: false);

    private static int _statxMissing;

    private static int StatAt(int dirfd, byte* name, out FileStat st, bool emptyPath)
    {
        byte* buf = stackalloc byte[256];
        st = default;
        if (Mac)
        {
            int r = emptyPath ? MacFstatRaw(dirfd, buf) : MacFstatAt(dirfd, name, buf, AT_SYMLINK_NOFOLLOW);
            if (r != 0)
                return Errno;
            // struct stat (64-bit inodes): dev_t st_dev @0 (int32), mode_t st_mode @4 (uint16), st_ino @8, st_uid @16,
            // st_mtimespec @48 (tv_sec, tv_nsec), st_size @96
            st = new FileStat(*(ushort*)(buf + 4), *(uint*)(buf + 16), *(long*)(buf + 96), *(uint*)buf, *(ulong*)(buf + 8),
                Nanoseconds(*(long*)(buf + 48), *(long*)(buf + 56)));
            return 0;
        }
        int flags = AT_SYMLINK_NOFOLLOW | (emptyPath ? AT_EMPTY_PATH : 0);
        if (Volatile.Read(ref _statxMissing) == 0)
        {
            const uint STATX_BASIC_STATS = 0x7FF;
            long nr = Arm64 ? 291 : 332; // statx
            if (Syscall5(nr, dirfd, name, flags, STATX_BASIC_STATS, buf) == 0)
            {
                // struct statx: stx_uid @20, stx_mode @28 (u16), stx_ino @32, stx_size @40, stx_mtime @112 (i64 tv_sec,
                // u32 tv_nsec), stx_dev_major @136, stx_dev_minor @140
                ulong major = *(uint*)(buf + 136), minor = *(uint*)(buf + 140); // packed as glibc's makedev() does
                ulong dev = ((major & 0xFFF) << 8) | ((major & ~0xFFFUL) << 32) | (minor & 0xFF) | ((minor & ~0xFFUL) << 12);
                st = new FileStat(*(ushort*)(buf + 28), *(uint*)(buf + 20), *(long*)(buf + 40), dev, *(ulong*)(buf + 32),
                    Nanoseconds(*(long*)(buf + 112), *(uint*)(buf + 120)));
                return 0;
            }
            int e = Errno;
            if (e != ENOSYS && e != 1 /* EPERM: a seccomp filter older than statx */)
                return e;
            Volatile.Write(ref _statxMissing, 1);
        }
        long fstatat = Arm64 ? 79 : 262; // newfstatat
        if (Syscall4(fstatat, dirfd, name, buf, flags) != 0)
            return Errno;
        // struct stat: st_dev @0 and st_ino @8 on both; x86-64 st_mode @24, st_uid @28; arm64 (asm-generic) st_mode @16, st_uid @24;
        // st_size @48 and st_mtime @88 (tv_sec, tv_nsec) on both
        var mtime = Nanoseconds(*(long*)(buf + 88), *(long*)(buf + 96));
        st = Arm64
            ? new FileStat(*(uint*)(buf + 16), *(uint*)(buf + 24), *(long*)(buf + 48), *(ulong*)buf, *(ulong*)(buf + 8), mtime)
            : new FileStat(*(uint*)(buf + 24), *(uint*)(buf + 28), *(long*)(buf + 48), *(ulong*)buf, *(ulong*)(buf + 8), mtime);
        return 0;
    }

    private static long Nanoseconds(long seconds, long nanoseconds) => unchecked(seconds * 1_000_000_000 + nanoseconds);

    [LibraryImport(LibC, EntryPoint = "fstat", SetLastError = true)]
    private static partial int MacFstatRaw(int fd, byte* buf);

}
