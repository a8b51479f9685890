namespace PyFreeze.Analyze;

/// <summary>How much a missing module matters, from the strongest import of it.</summary>
public enum MissingSeverity
{
    /// <summary>Imported unconditionally at module level: the app fails when that module is imported.</summary>
    TopLevel,
    /// <summary>Imported inside a function: fails when the function runs.</summary>
    Deferred,
    /// <summary>Imported only under an <c>if</c>: fails on that condition.</summary>
    Conditional,
    /// <summary>Imported inside <c>try/except ImportError</c>: the code copes.</summary>
    Optional,
}

/// <summary>Why a missing module may be fine: grouped so a module for another OS does not drown a real miss.</summary>
public enum MissingGroup
{
    /// <summary>A genuine miss: nothing says it could be expected.</summary>
    Real,
    /// <summary>A module of another operating system (msvcrt, winreg, _scproxy, …).</summary>
    OtherPlatform,
    /// <summary>A Python 2 module name (cPickle, urllib2, …) imported as a fallback.</summary>
    Python2,
    /// <summary>Imported only by modules collected because their package was collected whole (never imported by the app's
    /// own import chain), so it matters only if the app reaches them dynamically.</summary>
    FromCollectedOnly,
}

/// <summary>One missing module with who imports it and how.</summary>
/// <param name="Name">The module name.</param>
/// <param name="Severity">Strongest import kind.</param>
/// <param name="Group">Real, other-platform, or Python 2 name.</param>
/// <param name="Importers">The edges that import it, strongest first.</param>
/// <param name="Removed">"removed from the standard library in Python 3.13 (PEP 594)" when the target's CPython no
/// longer has this stdlib module (<see cref="RemovedModules"/>), else null.</param>
public sealed record MissingModule(string Name, MissingSeverity Severity, MissingGroup Group, IReadOnlyList<ImportEdge> Importers,
    string? Removed = null)
{
    /// <summary>"; removed from the standard library in Python 3.X …" or empty: what a report appends to a miss.</summary>
    public string RemovedSuffix => Removed is null ? "" : $"; {Removed}";
}

/// <summary>Classifies the missing modules of a graph.</summary>
public static class MissingModules
{
    private static readonly HashSet<string> Windows = new(StringComparer.Ordinal)
    {
        "_winapi", "_winreg", "winreg", "msvcrt", "nt", "_overlapped", "_msi", "msilib", "winsound", "_wmi", "win32api",
        "win32con", "win32file", "win32pipe", "win32event", "win32process", "win32security", "win32com", "pywintypes",
        "pythoncom", "wmi", "winerror", "win32evtlog", "win32service", "win32serviceutil", "win32clipboard", "win32gui",
        "win32console", "win32job", "win32ui", "win32crypt", "win32net", "win32ts", "win32print", "win32timezone",
        "_win32typing", "winrt", "comtypes", "pywin32_system32", "ntsecuritycon", "win32cred", "_winxptheme", "win32pdh",
        "win32profile", "win32inet", "winxpgui", "win32uiole", "dde", "_ctypes_test", "_testconsole", "winappdbg",
        "colorama.win32", "ctypes.windll",
    };

    private static readonly HashSet<string> MacOs = new(StringComparer.Ordinal)
    {
        "_scproxy", "Foundation", "AppKit", "objc", "CoreFoundation", "Cocoa", "Quartz", "PyObjCTools", "MacOS",
        "Carbon", "ic", "_osx_support_darwin", "macpath", "CoreServices", "SystemConfiguration", "LaunchServices",
    };

    private static readonly HashSet<string> PosixOnly = new(StringComparer.Ordinal)
    {
        "posix", "pwd", "grp", "termios", "tty", "pty", "fcntl", "resource", "_posixsubprocess", "_posixshmem", "syslog",
        "readline", "curses", "_curses", "crypt", "_crypt", "nis", "spwd", "ossaudiodev",
    };

    private static readonly HashSet<string> Other = new(StringComparer.Ordinal)
    {
        "java", "org", "vms_lib", "riscos", "riscosenviron", "riscospath", "ce", "os2", "_emx_link", "os2emxpath",
        "_dummy_threading", "android", "jnius", "pyodide", "js", "_pyodide", "emscripten", "_emscripten_info", "_ios_support",
    };

    private static readonly HashSet<string> Python2 = new(StringComparer.Ordinal)
    {
        "__builtin__", "cPickle", "StringIO", "cStringIO", "urllib2", "urlparse", "httplib", "Queue", "ConfigParser",
        "HTMLParser", "htmlentitydefs", "Cookie", "cookielib", "thread", "dummy_thread", "_dummy_thread", "dummy_threading", "commands", "sets", "exceptions",
        "copy_reg", "repr", "Tkinter", "tkFileDialog", "tkMessageBox", "SocketServer", "xmlrpclib", "SimpleXMLRPCServer",
        "BaseHTTPServer", "SimpleHTTPServer", "CGIHTTPServer", "UserDict", "UserList", "UserString", "anydbm", "dbhash",
        "whichdb", "gdbm", "dumbdbm", "robotparser", "md5", "sha", "new", "mimetools", "rfc822", "multifile",
        "popen2", "urllib.urlencode", "itertools.izip", "future_builtins", "compiler", "sgmllib", "htmllib", "ttk", "Dialog",
        "FileDialog", "tkSimpleDialog", "tkColorChooser", "tkFont", "ScrolledText", "Tix", "cookie", "email.MIMEText",
        "email.MIMEMultipart", "email.MIMEBase", "email.Utils", "email.Encoders",
    };

    /// <summary>Lists the graph's missing modules, classified, real misses first then by severity and name.</summary>
    /// <param name="graph">The analyzed graph.</param>
    /// <param name="platform">The target's <c>sys.platform</c> ("linux", "win32", "darwin").</param>
    /// <param name="python">The target's CPython version (major.minor), to say which misses are stdlib modules it
    /// removed; null: not said.</param>
    public static IReadOnlyList<MissingModule> Of(ModuleGraph graph, string platform, Version? python = null)
    {
        var list = new List<MissingModule>();
        foreach (var node in graph.Modules.Where(m => m.Kind == ModuleKind.Missing))
        {
            var edges = graph.Importers(node.Name)
                .Where(e => !e.Context.HasFlag(ImportContext.TypeChecking))
                .OrderBy(e => SeverityOf(e.Context)).ThenBy(e => e.From, StringComparer.Ordinal).ThenBy(e => e.Line)
                .ToList();
            if (edges.Count == 0)
                continue;
            var severity = edges.Min(e => SeverityOf(e.Context));
            var group = GroupOf(node.Name, platform);
            if (group == MissingGroup.Real && !edges.Any(e => graph.Find(e.From)?.Reached == true))
                group = MissingGroup.FromCollectedOnly;
            var removed = python is null ? null : RemovedModules.Note(node.Name, python.Major, python.Minor);
            list.Add(new MissingModule(node.Name, severity, group, edges, removed));
        }
        return list.OrderBy(m => m.Group).ThenBy(m => m.Severity).ThenBy(m => m.Name, StringComparer.Ordinal).ToList();
    }

    /// <summary>The severity an import context gives a miss.</summary>
    public static MissingSeverity SeverityOf(ImportContext c) =>
        c.HasFlag(ImportContext.Optional) ? MissingSeverity.Optional
        : c.HasFlag(ImportContext.Conditional) ? MissingSeverity.Conditional
        : c.HasFlag(ImportContext.Deferred) ? MissingSeverity.Deferred
        : MissingSeverity.TopLevel;

    /// <summary>Groups a missing name for the target platform.</summary>
    public static MissingGroup GroupOf(string name, string platform)
    {
        var top = name.Split('.')[0];
        bool In(HashSet<string> set) => set.Contains(name) || set.Contains(top);
        if (In(Python2))
            return MissingGroup.Python2;
        if (In(Other))
            return MissingGroup.OtherPlatform;
        if (platform != "win32" && In(Windows))
            return MissingGroup.OtherPlatform;
        if (platform != "darwin" && In(MacOs))
            return MissingGroup.OtherPlatform;
        if (platform == "win32" && In(PosixOnly))
            return MissingGroup.OtherPlatform;
        return MissingGroup.Real;
    }
}
