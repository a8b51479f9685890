using System.Text.RegularExpressions;

namespace PyFreeze.Analyze;

/// <summary>
/// An import under <c>if "pkg.mod" in sys.modules:</c> runs only when that module, and so each of its packages, is
/// imported already: the import statement then takes it from <c>sys.modules</c> and loads nothing new
/// (Lib/importlib/_bootstrap.py, <c>_find_and_load</c> and <c>_handle_fromlist</c> look in <c>sys.modules</c> first).
/// Such an import brings nothing into the app (setuptools/msvc.py: <c>if "numpy.distutils" in sys.modules: import
/// numpy</c> brought numpy into every app that imports setuptools); it is recorded in LeftOut under <see cref="Rule"/>.
/// </summary>
public static partial class SysModulesGuard
{
    /// <summary>The LeftOut rule name.</summary>
    public const string Rule = "loaded-already";

    [GeneratedRegex(@"^(?:'(?<name>[A-Za-z_][\w.]*)'|""(?<name>[A-Za-z_][\w.]*)"") in sys\.modules$", RegexOptions.CultureInvariant)]
    private static partial Regex Test();

    /// <summary>True when <paramref name="condition"/> (an <see cref="ImportStatement.Condition"/>: the innermost enclosing
    /// test, whitespace collapsed; an <c>else</c> branch's is <c>not (…)</c>) is <c>"X" in sys.modules</c> and
    /// <paramref name="module"/> is X or one of X's packages.</summary>
    /// <param name="condition">The test, or null for an import outside any <c>if</c>.</param>
    /// <param name="module">The absolute dotted name the import loads.</param>
    public static bool LoadsNothing(string? condition, string module)
    {
        if (condition is null || Test().Match(condition) is not { Success: true } m)
            return false;
        var guarded = m.Groups["name"].Value;
        return guarded == module || guarded.StartsWith(module + ".", StringComparison.Ordinal);
    }
}
