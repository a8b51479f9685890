namespace PyFreeze.Analyze;

/// <summary>
/// Standard-library modules that CPython removed, with the version that removed them, so a miss says why: an app
/// written for 3.11 that imports <c>cgi</c> finds nothing on 3.13. From the "Removed" sections of CPython's
/// <c>Doc/whatsnew/3.X.rst</c> (PEP 594 "Removing dead batteries", PEP 632 for distutils), checked against the
/// difference of <c>sys.stdlib_module_names</c> between consecutive versions.
/// </summary>
public static class RemovedModules
{
    private static readonly Dictionary<string, (int Minor, string Why)> Table = Build();

    private static Dictionary<string, (int, string)> Build()
    {
        var d = new Dictionary<string, (int, string)>(StringComparer.Ordinal);
        void Add(int minor, string why, params string[] names)
        {
            foreach (var n in names)
                d[n] = (minor, why);
        }
        Add(9, "", "_dummy_thread", "dummy_threading");
        Add(10, "", "formatter", "parser", "symbol", "_bootlocale");
        Add(11, "", "binhex");
        Add(12, "PEP 594", "asynchat", "asyncore", "smtpd");
        Add(12, "PEP 632", "distutils");
        Add(12, "", "imp", "_bootsubprocess", "_sha256", "_sha512");
        Add(13, "PEP 594", "aifc", "audioop", "cgi", "cgitb", "chunk", "crypt", "_crypt", "imghdr", "mailcap", "msilib", "_msi",
            "nis", "nntplib", "ossaudiodev", "pipes", "sndhdr", "spwd", "sunau", "telnetlib", "uu", "xdrlib");
        Add(13, "PEP 617", "lib2to3");
        Add(13, "", "tkinter.tix");
        Add(14, "", "_compression");
        return d;
    }

    /// <summary>When <paramref name="name"/> (or its top-level package) is still in the target's standard library but a PEP
    /// removes it from a later version (PEP 594's dead batteries, deprecated since 3.11 and warning on import; PEP 632's
    /// distutils): "deprecated by PEP 594, removed in Python 3.13"; else null.</summary>
    /// <param name="name">A dotted module name.</param>
    /// <param name="major">The target's major version (3).</param>
    /// <param name="minor">The target's minor version.</param>
    public static string? Deprecated(string name, int major, int minor)
    {
        if (major != 3)
            return null;
        if (!Table.TryGetValue(name, out var r) && !Table.TryGetValue(name.Split('.')[0], out r))
            return null;
        if (minor >= r.Minor || r.Why.Length == 0)
            return null;
        return $"deprecated by {r.Why}, removed in Python 3.{r.Minor}";
    }

    /// <summary>When <paramref name="name"/> (or its top-level package) left the standard library at or before
    /// 3.<paramref name="minor"/>: "removed from the standard library in Python 3.13 (PEP 594)"; else null.</summary>
    /// <param name="name">A dotted module name.</param>
    /// <param name="major">The target's major version (3).</param>
    /// <param name="minor">The target's minor version.</param>
    public static string? Note(string name, int major, int minor)
    {
        if (major != 3)
            return null;
        if (!Table.TryGetValue(name, out var r) && !Table.TryGetValue(name.Split('.')[0], out r))
            return null;
        if (minor < r.Minor)
            return null;
        return $"removed from the standard library in Python 3.{r.Minor}{(r.Why.Length > 0 ? $" ({r.Why})" : "")}";
    }
}
