using System.Runtime.InteropServices;
using PyFreeze.Payload;

namespace PyFreeze.Bootloader;

/// <summary>
/// The bootloader of a frozen app: read the launch settings the build put in the bundle (<see cref="SelfBundle"/>; for
/// the single-file .NET host, in the runtimeconfig), make sure the payload is unpacked in the cache, then replace this
/// process with the bundled interpreter running the boot module (exit codes, signals, argv bytes and environment then
/// behave exactly as under python3, and no .NET thread or handler stays inside Python); on
/// Windows, which has no exec, run the interpreter's DLL in this process instead.
/// </summary>
public static class Program
{
    /// <summary>Exit code of a bootloader failure (before the app runs), as PyInstaller's bootloader uses.</summary>
    public const int BootFailure = 255;

    /// <summary>Runs the frozen app; returns only on failure, or (in process) with the interpreter's exit code.</summary>
    public static int Main(string[] args)
    {
        Timing.BootloaderMain();
        LaunchSettings? settings = null;
        try
        {
            var executable = Environment.ProcessPath ?? throw new BootException("cannot find the path of this executable");
            settings = SelfBundle.Read(OperatingSystem.IsLinux() ? "/proc/self/exe" : executable)
                ?? LaunchSettings.FromProperties(static name => AppContext.GetData(name) as string);
            if (settings is null)
                throw new BootException("this executable carries no PyFreeze launch settings; build it with `pyfreeze build`");
            GlibcFloor.Check(settings);
            var root = settings.OneDir
                ? Path.GetDirectoryName(executable)!
                : new PayloadCache(settings, executable).Prepare();
            Timing.CacheChecked();
            if (settings.LaunchMode == "inprocess")
                return InProcessLauncher.Run(settings, root, executable);
            Launcher.Run(settings, root, executable);
            return BootFailure;
        }
        catch (Exception e) when (e is BootException or FormatException or IOException or UnauthorizedAccessException or UntrustedCacheException)
        {
            var name = settings?.AppName ?? Path.GetFileNameWithoutExtension(Environment.ProcessPath) ?? "pyfreeze";
            var message = $"{name}: error: {(e is BootException or FormatException or UntrustedCacheException ? e.Message : PayloadCache.Describe(e))}";
            Native.ErrorLine(message);
            if (WindowedErrors.Applies(settings))
            {
                // A windowed app's stderr goes nowhere: keep the failure in the error log and show it.
                var log = WindowedErrors.LogPath(settings!);
                WindowedErrors.Append(log, message);
                WindowedErrors.Show(name, message, log);
            }
            return BootFailure;
        }
    }
}

/// <summary>Starts the bundled interpreter.</summary>
internal static unsafe class Launcher
{
    /// <summary>Environment variable carrying the frozen executable's path to the boot module (which removes it).</summary>
    internal const string ExecutableVar = "_PYFREEZE_EXECUTABLE";

    /// <summary>Environment variable carrying the user's original loader path: "1:" + value, or "0:" when it was unset.</summary>
    internal const string OriginalLibraryPathVar = "_PYFREEZE_ORIGINAL_LIBRARY_PATH";

    /// <summary>execv's the interpreter: <c>python -I -S -B [-u] … boot.pyc ARGV0 ARGS…</c>, with the bundled library
    /// folders first on the loader path. Returns only by throwing.</summary>
    internal static void Run(LaunchSettings settings, string root, string executable)
    {
        var interpreter = Path.Combine(root, settings.Interpreter);
        var argv = RawArgs.Read();
        var list = new List<byte[]>(settings.PythonOptions.Count + argv.Count + 2) { Utf8(interpreter) };
        foreach (var o in settings.PythonOptions)
            list.Add(Utf8(o));
        // -I makes CPython ignore PYTHON* variables; PYTHONUNBUFFERED is the user's choice about the app's output
        // (a pipe to a log, a CI runner), so honour it as python3 does: non-empty means -u.
        if (Native.GetEnvRaw("PYTHONUNBUFFERED") is { Length: > 0 })
            list.Add("-u"u8.ToArray());
        list.Add(Utf8(Path.Combine(root, settings.BootScript)));
        list.AddRange(argv); // argv[0] as typed, then the arguments

        var libVar = OperatingSystem.IsMacOS() ? "DYLD_LIBRARY_PATH" : "LD_LIBRARY_PATH";
        var original = Native.GetEnvRaw(libVar);
        var bundled = new List<byte>();
        foreach (var dir in settings.LibraryDirs)
        {
            if (bundled.Count > 0)
                bundled.Add((byte)':');
            bundled.AddRange(Utf8(Path.Combine(root, dir)));
        }
        if (original is { Length: > 0 })
        {
            bundled.Add((byte)':');
            bundled.AddRange(original);
        }
        Native.SetEnv(OriginalLibraryPathVar, original is null ? "0:"u8.ToArray() : [.. "1:"u8, .. original]);
        if (bundled.Count > 0)
            Native.SetEnv(libVar, [.. bundled]);
        Native.SetEnv(ExecutableVar, Utf8(executable));

        if (SelfBundle.HeaderOffset == 0)
            RuntimeLeftovers.Remove(); // the single-file .NET host's diagnostics files (NativeAOT makes none)
        Native.ResetSignalsForExec();
        Timing.BeforeExec();
        Exec(interpreter, list);
    }

    private static byte[] Utf8(string s) => System.Text.Encoding.UTF8.GetBytes(s);

    private static void Exec(string path, List<byte[]> argv)
    {
        var handles = new List<GCHandle>(argv.Count + 1);
        try
        {
            var ptrs = new IntPtr[argv.Count + 1];
            for (int i = 0; i < argv.Count; i++)
            {
                var z = new byte[argv[i].Length + 1];
                argv[i].CopyTo(z, 0);
                var h = GCHandle.Alloc(z, GCHandleType.Pinned);
                handles.Add(h);
                ptrs[i] = h.AddrOfPinnedObject();
            }
            var pathZ = Native.Utf8Z(path);
            fixed (byte* p = pathZ)
            fixed (IntPtr* a = ptrs)
                Native.Execv(p, (byte**)a);
            var errno = Marshal.GetLastPInvokeError();
            throw new BootException($"cannot start the bundled interpreter {path}: {Marshal.GetPInvokeErrorMessage(errno)}");
        }
        finally
        {
            foreach (var h in handles)
                h.Free();
        }
    }
}
