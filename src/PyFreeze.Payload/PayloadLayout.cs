namespace PyFreeze.Payload;

/// <summary>
/// Where things sit inside a payload and, once unpacked, inside its cache directory. The layout keeps
/// CPython's own import machinery working: real directories of sourceless <c>.pyc</c> files.
/// </summary>
/// <remarks>
/// <code>
/// app/                      sys._MEIPASS and sys.path[0]: the entry, the app's modules, site-packages, data, metadata
/// python/bin/NAME           the interpreter, renamed to the app's name (so `ps` shows the app)
/// python/lib/               libpython and the bundled shared libraries (first on the loader path)
/// python/lib/pythonX.Y/     the standard library (.pyc), found by CPython's getpath from the interpreter's location
/// python/lib/pythonX.Y/lib-dynload/   standard extension modules
/// python/boot.pyc           the boot module
/// pyfreeze/build.json       what `pyfreeze inspect` shows: versions, options, entry
/// .pyfreeze-manifest        written on unpack: every file with its size (the full damage check)
/// .pyfreeze-complete        written on unpack after the rest: holds the payload hash (not in the payload itself)
/// .pyfreeze-folders         written last: each folder's inode and modification time (the quick damage check)
/// </code>
/// Windows (python.org / python-build-standalone layout): <c>python/python.exe</c>, <c>python/pythonXY.dll</c>,
/// <c>python/Lib/</c>, <c>python/DLLs/</c>.
/// </remarks>
public static class PayloadLayout
{
    /// <summary>Folder of the app's own files: becomes <c>sys._MEIPASS</c> and the first <c>sys.path</c> entry.</summary>
    public const string AppDir = "app";

    /// <summary>Folder of the Python runtime.</summary>
    public const string PythonDir = "python";

    /// <summary>Relative path of the boot module.</summary>
    public const string BootScript = "python/boot.pyc";

    /// <summary>Relative path of the build description read by <c>pyfreeze inspect</c>.</summary>
    public const string BuildInfo = "pyfreeze/build.json";

    /// <summary>Completion marker in an unpacked directory; its content is the payload's SHA-256 in hex.</summary>
    public const string CompleteMarker = ".pyfreeze-complete";

    /// <summary>The bundle entry that holds the payload next to the NativeAOT bootloader.</summary>
    public const string PayloadEntry = "pyfreeze/payload";

    /// <summary>The bundle entry that holds the launch settings next to the NativeAOT bootloader (<see cref="LaunchSettings.ToBytes"/>).</summary>
    public const string SettingsEntry = "pyfreeze/launch";

    /// <summary>Name of the manifest resource that holds the payload inside the bundled payload assembly.</summary>
    public const string ResourceName = "pyfreeze.payload";

    /// <summary>Simple name of the resource-only assembly that carries the payload through the .NET bundler.</summary>
    public const string AssemblyName = "PyFreeze.AppPayload";

    /// <summary>Subfolder of the cache root holding unpacked apps.</summary>
    public const string RunCacheSubdir = "run";

    /// <summary>
    /// Checks that a payload entry name is a safe relative path: no absolute paths,
    /// backslashes, drive letters, empty, <c>.</c> or <c>..</c> segments, and no control characters (NUL, line breaks:
    /// the bootloader's manifest of an unpacked copy holds one name a line).
    /// </summary>
    /// <param name="name">Entry name with <c>/</c> separators; a trailing <c>/</c> marks a directory.</param>
    /// <returns>True when the name cannot escape the directory it is unpacked into.</returns>
    public static bool IsSafeEntryName(string name)
    {
        if (name.Length == 0 || name[0] == '/' || name.Contains('\\') || (name.Length > 1 && name[1] == ':'))
            return false;
        foreach (var c in name)
            if (char.IsControl(c))
                return false;
        var trimmed = name.EndsWith('/') ? name[..^1] : name;
        foreach (var part in trimmed.Split('/'))
            if (part.Length == 0 || part == "." || part == "..")
                return false;
        return true;
    }
}
