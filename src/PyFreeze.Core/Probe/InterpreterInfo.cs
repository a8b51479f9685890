using System.Text.Json;
using System.Text.Json.Serialization;

namespace PyFreeze.Probe;

/// <summary>
/// What one run of <c>probe.py</c> learned about a CPython interpreter (version, magic number, <c>sys.path</c>
/// after site processing, stdlib and lib-dynload folders, extension suffixes, builtin and frozen modules, the real
/// executable behind a venv or pyenv shim, libpython, Tcl's script library). Paths are
/// absolute paths of the build machine. Deserialized from the probe's JSON (snake_case names).
/// </summary>
public sealed class InterpreterInfo
{
    /// <summary><c>sys.implementation.name</c>; always <c>cpython</c> for a supported interpreter.</summary>
    public string Implementation { get; init; } = "";

    /// <summary><c>sys.version_info</c>: major, minor, micro, releaselevel, serial.</summary>
    public JsonElement[] Version { get; init; } = [];

    /// <summary>Major version (3).</summary>
    [JsonIgnore] public int Major => Version.Length > 0 ? Version[0].GetInt32() : 0;

    /// <summary>Minor version (9 … 14).</summary>
    [JsonIgnore] public int Minor => Version.Length > 1 ? Version[1].GetInt32() : 0;

    /// <summary>Micro version.</summary>
    [JsonIgnore] public int Micro => Version.Length > 2 ? Version[2].GetInt32() : 0;

    /// <summary>"3.11.7".</summary>
    [JsonIgnore] public string VersionString => $"{Major}.{Minor}.{Micro}";

    /// <summary>Major and minor version as a <see cref="System.Version"/> (3.13).</summary>
    [JsonIgnore] public Version MinorVersion => new(Major, Minor);

    /// <summary>"3.11": the stdlib folder is <c>python3.11</c>.</summary>
    [JsonIgnore] public string ShortVersion => $"{Major}.{Minor}";

    /// <summary>The bytecode magic number (<c>importlib.util.MAGIC_NUMBER</c>) as 8 hex digits; see PEP 3147 and Lib/importlib/_bootstrap_external.py.</summary>
    public string Magic { get; init; } = "";

    /// <summary><c>sys.implementation.cache_tag</c>, e.g. <c>cpython-311</c>.</summary>
    public string CacheTag { get; init; } = "";

    /// <summary><c>sys.executable</c> as the interpreter reports it (a venv's or pyenv's link).</summary>
    public string Executable { get; init; } = "";

    /// <summary><c>sys._base_executable</c>: the base interpreter of a venv.</summary>
    public string BaseExecutable { get; init; } = "";

    /// <summary>The real interpreter binary (links resolved): the file that gets bundled and runs the compile step.</summary>
    public string RealExecutable { get; init; } = "";

    /// <summary><c>sys.prefix</c>.</summary>
    public string Prefix { get; init; } = "";

    /// <summary><c>sys.base_prefix</c> (differs from <see cref="Prefix"/> inside a venv).</summary>
    public string BasePrefix { get; init; } = "";

    /// <summary><c>sys.platlibdir</c> ("lib" on Debian and pyenv).</summary>
    public string? Platlibdir { get; init; }

    /// <summary><c>sys.platform</c> ("linux", "win32", "darwin").</summary>
    public string Platform { get; init; } = "";

    /// <summary><c>os.uname().machine</c> ("x86_64").</summary>
    public string Machine { get; init; } = "";

    /// <summary>The stdlib folder (<c>sysconfig.get_paths()["stdlib"]</c>).</summary>
    public string Stdlib { get; init; } = "";

    /// <summary>The platform stdlib folder.</summary>
    public string? Platstdlib { get; init; }

    /// <summary>The <c>lib-dynload</c> folder of standard extension modules, when present on sys.path.</summary>
    public string? LibDynload { get; init; }

    /// <summary><c>sys.path</c> after site processing, without the script's folder.</summary>
    public string[] SysPath { get; init; } = [];

    /// <summary>Site-packages folders (including the user site when enabled).</summary>
    public string[] SitePackages { get; init; } = [];

    /// <summary><c>importlib.machinery.EXTENSION_SUFFIXES</c> in the order FileFinder tries them.</summary>
    public string[] ExtensionSuffixes { get; init; } = [];

    /// <summary><c>importlib.machinery.SOURCE_SUFFIXES</c>.</summary>
    public string[] SourceSuffixes { get; init; } = [".py"];

    /// <summary><c>importlib.machinery.BYTECODE_SUFFIXES</c>.</summary>
    public string[] BytecodeSuffixes { get; init; } = [".pyc"];

    /// <summary><c>sys.builtin_module_names</c>: compiled into the interpreter, never files.</summary>
    public string[] BuiltinModules { get; init; } = [];

    /// <summary>Frozen modules the import system uses (3.11+: os, codecs, runpy, …): inside the binary, never files.</summary>
    public string[] FrozenModules { get; init; } = [];

    /// <summary><c>sys.stdlib_module_names</c> (3.10+; empty before).</summary>
    public string[] StdlibModuleNames { get; init; } = [];

    /// <summary><c>sysconfig SOABI</c>, e.g. <c>cpython-311-x86_64-linux-gnu</c>.</summary>
    public string? Soabi { get; init; }

    /// <summary>The multiarch triple (<c>x86_64-linux-gnu</c>).</summary>
    public string? Multiarch { get; init; }

    /// <summary><c>Py_ENABLE_SHARED</c> as configured (Debian says yes though /usr/bin/python3 is static).</summary>
    public bool Shared { get; init; }

    /// <summary>True for a free-threaded build (3.13t+).</summary>
    public bool GilDisabled { get; init; }

    /// <summary>The libpython this interpreter really loaded, or null when libpython is linked in.</summary>
    public string? Libpython { get; init; }

    /// <summary>Name of the <c>_sysconfigdata_*</c> module that <c>sysconfig</c> imports by a computed name.</summary>
    public string? Sysconfigdata { get; init; }

    /// <summary>glibc version string ("glibc 2.36"), or null off glibc.</summary>
    public string? Glibc { get; init; }

    /// <summary>The bundled OpenSSL's default CA file and CA folder (<c>_ssl.get_default_verify_paths()</c>), or null
    /// without ssl.</summary>
    public string[]? OpensslPaths { get; init; }

    /// <summary>What the interpreter's Tcl says about itself (<c>tkinter.Tcl().eval('info library')</c>), or null when
    /// it has no <c>_tkinter</c>.</summary>
    public TclQuery? Tcl { get; init; }

    /// <summary>The entry script's syntax error as the interpreter reports it (<c>app.py:3: SyntaxError: …</c>), or null.</summary>
    public string? EntryError { get; init; }

    /// <summary>True inside a virtual environment (<c>sys.prefix != sys.base_prefix</c>).</summary>
    [JsonIgnore] public bool InVenv => Prefix != BasePrefix;

    /// <summary>Options for reading the probe's JSON.</summary>
    public static JsonSerializerOptions JsonOptions { get; } = new()
    {
        PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower,
        PropertyNameCaseInsensitive = false,
    };
}

/// <summary>What the build interpreter's Tcl says about itself (<c>tkinter.Tcl().eval('info library')</c>), learned by
/// the probe.</summary>
/// <param name="Library">The folder of <c>init.tcl</c> the interpreter's Tcl uses, or null when Tcl could not start.</param>
/// <param name="Version">Tcl's <c>info tclversion</c> (<c>8.6</c>), or null.</param>
/// <param name="Error">Why Tcl could not start (the TclError or ImportError text), or null.</param>
public sealed record TclQuery(string? Library, string? Version, string? Error);
