using PyFreeze.Payload;
using PyFreeze.Probe;

namespace PyFreeze.Collect;

/// <summary>
/// Where the runtime's parts go inside the payload for one target. POSIX mirrors an installed CPython under
/// <c>python/</c> so CPython's getpath finds its prefix from the interpreter's own location (Python/getpath.py:
/// the landmark <c>lib/pythonX.Y/os.py[c]</c> and the folder <c>lib/pythonX.Y/lib-dynload</c>).
/// </summary>
public sealed class RuntimeLayout
{
    /// <summary>Interpreter path, e.g. <c>python/bin/hello</c>.</summary>
    public required string Interpreter { get; init; }

    /// <summary>Standard library folder with trailing slash, e.g. <c>python/lib/python3.11/</c>.</summary>
    public required string Stdlib { get; init; }

    /// <summary>Standard extension modules folder with trailing slash.</summary>
    public required string Dynload { get; init; }

    /// <summary>Folder of libpython and bundled shared libraries, with trailing slash.</summary>
    public required string Libraries { get; init; }

    /// <summary>The app folder (sys._MEIPASS) with trailing slash.</summary>
    public string App => PayloadLayout.AppDir + "/";

    /// <summary>The POSIX layout for an interpreter and app name.</summary>
    public static RuntimeLayout Posix(InterpreterInfo interpreter, string appName)
    {
        var lib = $"{PayloadLayout.PythonDir}/{interpreter.Platlibdir ?? "lib"}/";
        var stdlib = $"{lib}python{interpreter.ShortVersion}{(interpreter.GilDisabled ? "t" : "")}/";
        return new RuntimeLayout
        {
            Interpreter = $"{PayloadLayout.PythonDir}/bin/{appName}",
            Stdlib = stdlib,
            Dynload = stdlib + "lib-dynload/",
            Libraries = lib,
        };
    }

    /// <summary>The Windows layout: the python DLL, its <c>._pth</c> and its dependencies in <c>python/</c>, the standard
    /// library in <c>python/Lib/</c>, standard extension modules in <c>python/DLLs/</c> (python-build-standalone's and
    /// python.org's installed layout, which CPython's getpath on Windows expects beside the DLL).</summary>
    /// <param name="libraryName">The python DLL's file name (<c>python311.dll</c>).</param>
    public static RuntimeLayout Windows(string libraryName) => new()
    {
        Interpreter = $"{PayloadLayout.PythonDir}/{libraryName}",
        Stdlib = $"{PayloadLayout.PythonDir}/Lib/",
        Dynload = $"{PayloadLayout.PythonDir}/DLLs/",
        Libraries = $"{PayloadLayout.PythonDir}/",
    };
}
