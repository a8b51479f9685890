using System.Reflection;
using System.Runtime.InteropServices;

namespace PyFreeze.Bootloader;

/// <summary>
/// The few POSIX calls the bootloader makes (execv, setenv, signal state, file ownership), bound to the C
/// library of the platform: glibc's <c>libc.so.6</c> on Linux, <c>libSystem.B.dylib</c> on macOS.
/// </summary>
internal static unsafe partial class Native
{
    private const string LibC = "pyfreeze-libc";

    static Native()
    {
        NativeLibrary.SetDllImportResolver(typeof(Native).Assembly, static (name, _, _) =>
        {
            if (name != LibC)
                return IntPtr.Zero;
            return NativeLibrary.Load(OperatingSystem.IsMacOS() ? "/usr/lib/libSystem.B.dylib" : "libc.so.6");
        });
    }

    /// <summary>Runs the static constructor (which binds the C library) before another type's first call into it.</summary>
    internal static void EnsureLoaded()
    {
    }

    [LibraryImport(LibC, EntryPoint = "write", SetLastError = true)]
    private static partial nint Write(int fd, byte* buffer, nint count);

    /// <summary>Writes one line (UTF-8) to stderr. Outside Windows straight to file descriptor 2 with write(2), so the
    /// NativeAOT bootloader links none of System.Console (its terminal and encoding machinery: about 130 KB of the binary, measured); a short
    /// write is continued, a failed one dropped (there is nowhere else to report it).</summary>
    internal static void ErrorLine(string line)
    {
        if (OperatingSystem.IsWindows())
        {
            Console.Error.WriteLine(line);
            return;
        }
        var bytes = System.Text.Encoding.UTF8.GetBytes(line + "\n");
        fixed (byte* b = bytes)
        {
            nint done = 0;
            while (done < bytes.Length)
            {
                var n = Write(2, b + done, bytes.Length - done);
                if (n <= 0)
                {
                    if (n < 0 && Marshal.GetLastPInvokeError() == 4 /* EINTR */)
                        continue;
                    return;
                }
                done += n;
            }
        }
    }

    /// <summary>Replaces the process image; returns only on failure (-1, errno set).</summary>
    [LibraryImport(LibC, EntryPoint = "execv", SetLastError = true)]
    internal static partial int Execv(byte* path, byte** argv);

    /// <summary>Sets a variable in the C library's environment (inherited by execv).</summary>
    [LibraryImport(LibC, EntryPoint = "setenv", SetLastError = true)]
    internal static partial int Setenv(byte* name, byte* value, int overwrite);

    /// <summary>Removes a variable from the C library's environment.</summary>
    [LibraryImport(LibC, EntryPoint = "unsetenv", SetLastError = true)]
    internal static partial int Unsetenv(byte* name);

    /// <summary>Reads a variable from the C library's environment (raw bytes, unlike Environment).</summary>
    [LibraryImport(LibC, EntryPoint = "getenv")]
    internal static partial byte* Getenv(byte* name);

    /// <summary>Sets the signal mask (how: 2 = SIG_SETMASK).</summary>
    [LibraryImport(LibC, EntryPoint = "sigprocmask", SetLastError = true)]
    internal static partial int Sigprocmask(int how, byte* set, byte* oldset);

    /// <summary>Sets a signal's disposition; returns the previous handler.</summary>
    [LibraryImport(LibC, EntryPoint = "signal")]
    internal static partial IntPtr Signal(int signum, IntPtr handler);

    /// <summary>The real user id.</summary>
    [LibraryImport(LibC, EntryPoint = "getuid")]
    internal static partial uint Getuid();

    [LibraryImport(LibC, EntryPoint = "open", SetLastError = true)]
    private static partial int Open(byte* path, int flags);

    [LibraryImport(LibC, EntryPoint = "ioctl", SetLastError = true)]
    private static partial int Ioctl(int fd, nuint request, int* arg);

    [LibraryImport(LibC, EntryPoint = "close")]
    private static partial int Close(int fd);

    /// <summary>
    /// Linux: marks <paramref name="dir"/> as the top of separate directory trees (<c>chattr +T</c>,
    /// FS_TOPDIR_FL), so that ext2/3/4 put each folder made inside it in a roomy block group of its own instead of
    /// beside its parent. That matters for the unpack on ext4 without a journal: there every new inode skips, one by
    /// one, the inodes of its group that were freed in the last minutes, and a cache cleared and filled again (or a
    /// busy /tmp) made each of the app's thousands of files pay for that scan. Best effort: other file systems and
    /// folders that are not ours refuse, and that is fine.
    /// </summary>
    internal static void TryMarkTopDirectory(string dir)
    {
        if (!OperatingSystem.IsLinux() || RuntimeInformation.ProcessArchitecture is not (Architecture.X64 or Architecture.Arm64))
            return;
        const int O_RDONLY = 0, O_CLOEXEC = 0x80000; // the same on x64 and arm64
        const nuint FS_IOC_GETFLAGS = 0x80086601, FS_IOC_SETFLAGS = 0x40086602; // _IOR/_IOW('f', 1/2, long)
        const int FS_TOPDIR_FL = 0x00020000;
        var path = Utf8Z(dir);
        int fd;
        fixed (byte* p = path)
            fd = Open(p, O_RDONLY | O_CLOEXEC);
        if (fd < 0)
            return;
        try
        {
            int flags = 0;
            if (Ioctl(fd, FS_IOC_GETFLAGS, &flags) == 0 && (flags & FS_TOPDIR_FL) == 0)
            {
                flags |= FS_TOPDIR_FL;
                Ioctl(fd, FS_IOC_SETFLAGS, &flags);
            }
        }
        finally
        {
            Close(fd);
        }
    }

    /// <summary>macOS: the process's argc (crt_externs.h).</summary>
    [LibraryImport(LibC, EntryPoint = "_NSGetArgc")]
    internal static partial int* NSGetArgc();

    /// <summary>macOS: the process's argv (crt_externs.h).</summary>
    [LibraryImport(LibC, EntryPoint = "_NSGetArgv")]
    internal static partial byte*** NSGetArgv();

    /// <summary>Sets an environment variable from .NET strings (UTF-8).</summary>
    internal static void SetEnv(string name, byte[] value)
    {
        var n = Utf8Z(name);
        var v = new byte[value.Length + 1];
        value.CopyTo(v, 0);
        fixed (byte* pn = n)
        fixed (byte* pv = v)
            Setenv(pn, pv, 1);
    }

    /// <summary>Removes an environment variable.</summary>
    internal static void UnsetEnv(string name)
    {
        var n = Utf8Z(name);
        fixed (byte* pn = n)
            Unsetenv(pn);
    }

    /// <summary>Reads an environment variable's raw bytes, or null when unset.</summary>
    internal static byte[]? GetEnvRaw(string name)
    {
        var n = Utf8Z(name);
        fixed (byte* pn = n)
        {
            var p = Getenv(pn);
            if (p == null)
                return null;
            return new ReadOnlySpan<byte>(p, int.MaxValue)[..new ReadOnlySpan<byte>(p, int.MaxValue).IndexOf((byte)0)].ToArray();
        }
    }

    /// <summary>NUL-terminated UTF-8 bytes of a string.</summary>
    internal static byte[] Utf8Z(string s)
    {
        var bytes = new byte[System.Text.Encoding.UTF8.GetByteCount(s) + 1];
        System.Text.Encoding.UTF8.GetBytes(s, bytes);
        return bytes;
    }

    /// <summary>
    /// Gives the exec'd interpreter the signal state a shell would: nothing blocked, SIGPIPE at its default
    /// (.NET ignores SIGPIPE; CPython sets its own disposition at start-up, as it does when run from a shell).
    /// Handlers the runtime installed reset to default by themselves on exec.
    /// </summary>
    internal static void ResetSignalsForExec()
    {
        byte* empty = stackalloc byte[256];
        new Span<byte>(empty, 256).Clear();
        Sigprocmask(2 /* SIG_SETMASK, same on Linux and macOS */, empty, null);
        const int SIGPIPE = 13;
        Signal(SIGPIPE, IntPtr.Zero /* SIG_DFL */);
    }
}
