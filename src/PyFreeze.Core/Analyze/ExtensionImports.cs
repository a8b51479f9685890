namespace PyFreeze.Analyze;

/// <summary>
/// Imports an extension module makes from compiled code (<c>PyImport_ImportModule("uuid")</c>,
/// <c>PyCapsule_Import("datetime.datetime_CAPI")</c>), which no import statement shows: orjson segfaults at import when
/// <c>dataclasses</c>/<c>uuid</c>/<c>zoneinfo</c> are missing, numpy's C core imports <c>numpy.core._exceptions</c>. The
/// binary's printable strings are matched against module names: a standard-library top-level name, a private top-level
/// name (<c>_cffi_backend</c>, which every cffi-compiled module such as bcrypt's or PyNaCl's imports from C), or a dotted
/// name under the standard library or the extension's own package. Candidates are hints: the analyzer adds only those
/// that exist, as optional imports.
/// </summary>
public static class ExtensionImports
{
    /// <summary>Names never taken from a binary's strings: words too common to mean an import, and tools no extension imports.</summary>
    private static readonly HashSet<string> Ignored = new(StringComparer.Ordinal)
    {
        "this", "antigravity", "test", "tests", "idlelib", "turtle", "turtledemo", "tkinter", "pydoc", "pdb", "doctest",
        "unittest", "lib2to3", "ensurepip", "venv", "distutils", "__main__", "__future__", "site", "code", "main", "builtins",
    };

    /// <summary>Module names found in the binary's strings.</summary>
    /// <param name="path">The extension module file.</param>
    /// <param name="ownTopLevel">The extension's top-level package (dotted names below it count).</param>
    /// <param name="stdlibTopLevel">The standard library's top-level module names (<c>sys.stdlib_module_names</c>).</param>
    /// <param name="maxBytes">Files larger than this are read only up to it (huge Rust/C++ binaries).</param>
    /// <returns>Candidate module names, sorted, without duplicates.</returns>
    public static IReadOnlyList<string> Candidates(string path, string ownTopLevel, IReadOnlySet<string> stdlibTopLevel, int maxBytes = 64 << 20)
    {
        byte[] data;
        try
        {
            using var f = File.OpenRead(path);
            data = new byte[Math.Min(f.Length, maxBytes)];
            f.ReadExactly(data);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return [];
        }
        var found = new SortedSet<string>(StringComparer.Ordinal);
        int start = -1;
        for (int i = 0; i <= data.Length; i++)
        {
            bool word = i < data.Length && IsNameByte(data[i]);
            if (word)
            {
                if (start < 0)
                    start = i;
                continue;
            }
            if (start >= 0)
            {
                int len = i - start;
                if (len is >= 2 and <= 120)
                    Consider(System.Text.Encoding.ASCII.GetString(data, start, len), ownTopLevel, stdlibTopLevel, found);
                start = -1;
            }
        }
        return found.ToList();
    }

    /// <summary>A private top-level name such as <c>_cffi_backend</c>: a runtime a compiled module imports by name. C symbols
    /// (<c>_init</c>, <c>__gmon_start__</c>) match too, but the analyzer keeps only names that exist as modules.</summary>
    private static bool IsPrivateRuntime(string name) =>
        name.Length >= 5 && name[0] == '_' && name[1] != '_' && name.Any(char.IsLower);

    private static bool IsNameByte(byte b) => b is >= (byte)'a' and <= (byte)'z' or >= (byte)'A' and <= (byte)'Z' or >= (byte)'0' and <= (byte)'9' or (byte)'_' or (byte)'.';

    private static void Consider(string s, string own, IReadOnlySet<string> stdlib, SortedSet<string> found)
    {
        s = s.Trim('.');
        if (s.EndsWith("_CAPI", StringComparison.Ordinal) || s.EndsWith("_C_API", StringComparison.Ordinal))
        {
            var dot = s.LastIndexOf('.');
            if (dot <= 0)
                return;
            s = s[..dot]; // a capsule "module.attr_CAPI" imports its module
        }
        var parts = s.Split('.');
        if (parts.Any(p => !PackageExpander.IsIdentifier(p)))
            return;
        var top = parts[0];
        if (Ignored.Contains(top))
            return;
        if (parts.Length == 1 ? stdlib.Contains(top) || IsPrivateRuntime(top) : (stdlib.Contains(top) || top == own))
            found.Add(s);
    }
}
