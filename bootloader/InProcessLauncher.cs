using System.Runtime.InteropServices;
using PyFreeze.Payload;

namespace PyFreeze.Bootloader;

/// <summary>
/// Windows has no exec: the bundled <c>python3XY.dll</c> is loaded into this process and its <c>Py_Main</c> runs the
/// boot module with wide-string arguments. The interpreter's exit code is the process's. Ctrl-C reaches
/// Python's own console handler (installed by CPython's <c>signal</c> set-up inside <c>Py_Main</c>): the bootloader
/// registers none, so KeyboardInterrupt behaves as under <c>python.exe</c>.
/// </summary>
internal static unsafe partial class InProcessLauncher
{
    /// <summary>Runs the interpreter in process and returns its exit code: <c>Py_Main(EXE OPTIONS… [-u] boot.pyc ARGV0
    /// ARGS…)</c>, <c>-u</c> when <c>PYTHONUNBUFFERED</c> is non-empty. A windowed app names its error log to the boot
    /// module and shows what a failing run added to it (<see cref="WindowedErrors"/>).</summary>
    /// <exception cref="BootException">The python library cannot be loaded or has no <c>Py_Main</c>.</exception>
    internal static int Run(LaunchSettings settings, string root, string executable)
    {
        if (!OperatingSystem.IsWindows())
            throw new BootException("in-process launching is for Windows builds; rebuild the app for this platform");
        if (string.IsNullOrEmpty(settings.PythonLibrary))
            throw new BootException("the launch settings name no python library to load");

        // The runtime's folders on the DLL search path: extension modules (LoadLibraryExW with
        // LOAD_LIBRARY_SEARCH_DEFAULT_DIRS) then find the DLLs bundled beside the python DLL.
        foreach (var dir in settings.LibraryDirs)
        {
            var full = Path.GetFullPath(Path.Combine(root, dir));
            fixed (char* p = full)
                AddDllDirectory(p);
        }
        SetEnvironment(Launcher.ExecutableVar, executable);
        string? errorLog = null;
        long errorLogStart = 0;
        if (settings.Windowed)
        {
            // A GUI app has no console: the boot module appends an uncaught exception's traceback here (and points a
            // missing sys.stderr at it); what this run adds is shown in a message box below.
            errorLog = WindowedErrors.LogPath(settings);
            errorLogStart = WindowedErrors.LengthOf(errorLog);
            SetEnvironment(WindowedErrors.LogVariable, errorLog);
        }

        var library = Path.GetFullPath(Path.Combine(root, settings.PythonLibrary));
        if (!NativeLibrary.TryLoad(library, out var handle))
            throw new BootException($"cannot load the bundled python library {library} (error {Marshal.GetLastPInvokeError()})");
        if (!NativeLibrary.TryGetExport(handle, "Py_Main", out var main))
            throw new BootException($"{library} has no Py_Main: not a CPython library");

        // Py_Main(argc, wchar_t** argv): PROGRAM OPTIONS… boot.pyc ARGV0 ARGS…
        var args = Environment.GetCommandLineArgs();
        var argv = new List<string>(settings.PythonOptions.Count + args.Length + 2) { executable };
        argv.AddRange(settings.PythonOptions);
        // -I makes CPython ignore PYTHON* variables; PYTHONUNBUFFERED is the user's choice about the app's output
        // (a pipe to a log, a CI runner), so honour it as python.exe does, as the exec launcher does: non-empty means -u.
        if (Environment.GetEnvironmentVariable("PYTHONUNBUFFERED") is { Length: > 0 })
            argv.Add("-u");
        argv.Add(Path.GetFullPath(Path.Combine(root, settings.BootScript)));
        argv.AddRange(args);
        var pointers = new IntPtr[argv.Count + 1];
        try
        {
            for (int i = 0; i < argv.Count; i++)
                pointers[i] = Marshal.StringToHGlobalUni(argv[i]);
            int code;
            fixed (IntPtr* p = pointers)
                code = ((delegate* unmanaged<int, IntPtr*, int>)main)(argv.Count, p);
            if (code != 0 && errorLog is not null && WindowedErrors.ReadAddedSince(errorLog, errorLogStart) is { } added)
                WindowedErrors.Show(settings.AppName, added, errorLog);
            return code;
        }
        finally
        {
            foreach (var p in pointers)
                if (p != IntPtr.Zero)
                    Marshal.FreeHGlobal(p);
        }
    }

    /// <summary>Sets a variable both in the process environment and in the C runtime's copy (<c>ucrtbase</c>), which
    /// CPython's <c>os.environ</c> is built from and which may have been made before this call.</summary>
    private static void SetEnvironment(string name, string value)
    {
        Environment.SetEnvironmentVariable(name, value);
        if (NativeLibrary.TryLoad("ucrtbase.dll", out var crt) && NativeLibrary.TryGetExport(crt, "_wputenv_s", out var putenv))
        {
            fixed (char* n = name)
            fixed (char* v = value)
                ((delegate* unmanaged<char*, char*, int>)putenv)(n, v);
        }
    }

    [LibraryImport("kernel32.dll", SetLastError = true)]
    private static partial IntPtr AddDllDirectory(char* newDirectory);
}
