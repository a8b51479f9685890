using PyFreeze.Binaries;
using PyFreeze.Hooks;
using PyFreeze.Probe;

namespace PyFreeze.Analyze;

/// <summary>
/// The standard library collected whole (issue 20, deliverable 1: a stdlib module an app names only at run time, by a
/// computed <c>importlib.import_module</c> name, a codec, a dialect's driver, is there): every module of the target's
/// stdlib folder and lib-dynload folder, found as <c>pkgutil.iter_modules</c> finds them (Lib/pkgutil.py), except the
/// parts these rules leave out (each recorded in <see cref="AnalysisResult.LeftOut"/>, restored by an import the graph
/// follows, <c>--hidden-import</c> or <c>--collect-all</c>):
/// <list type="bullet">
/// <item><c>stdlib-test</c>: CPython's own tests: packages named <c>test</c>/<c>tests</c>/<c>idle_test</c> anywhere, the
/// test extension modules (<c>_test*</c>, <c>*_test</c>, <c>xx*</c>, <c>_xx*</c>: Modules/_testcapimodule.c, Modules/xxlimited.c) and
/// <c>__hello__</c>/<c>__phello__</c> (Lib/__hello__.py: modules for test_frozen).</item>
/// <item><c>stdlib-deprecated</c>: modules a PEP removes from a later CPython (<see cref="RemovedModules.Deprecated"/>:
/// PEP 594's dead batteries, deprecated and warning on import since 3.11): code still using them names them.</item>
/// <item><c>stdlib-python-fallback</c>: the pure-Python twin of a C module the target has (<c>_pydecimal</c>,
/// <c>_pyio</c>), which loads only when the C module cannot.</item>
/// <item><c>stdlib-developer-tool</c>: the top-level parts a hook marks <c>developer_tool</c> (pdb, pydoc and pydoc_data,
/// unittest, distutils, lib2to3, ensurepip, venv, idlelib, turtledemo, …: src/PyFreeze.Core/Hooks/builtin/*.json), which
/// develop, test or install Python rather than run an app.</item>
/// <item><c>stdlib-extension-library</c>: an extension module that needs a shared library the target does not provide
/// (<c>_ssl</c> and <c>_hashlib</c> need OpenSSL's, <c>_tkinter</c> Tcl/Tk's, <c>_sqlite3</c> SQLite's): the library
/// would be bundled for an app that may never load it.</item>
/// <item><c>stdlib-needs-left-out</c> (applied by the analyzer once the modules are scanned): a module whose top-level
/// import needs a module these rules left out (<c>tkinter</c> imports <c>_tkinter</c>): it could not be imported.</item>
/// </list>
/// Modules the graph already holds (reached by the app's imports, hooks, whole packages) are collected whatever these
/// rules say.
/// </summary>
public static class StdlibWhole
{
    /// <summary>The modules the whole stdlib adds and what its rules leave out.</summary>
    /// <param name="Modules">Dotted names to add, packages before their submodules, in ordinal order otherwise.</param>
    /// <param name="LeftOut">One record per top-level part or module left out (a package's record covers its submodules).</param>
    /// <param name="LeftOutNames">Every module name left out (submodules of left-out packages too): imports of them by
    /// whole-stdlib modules are not followed.</param>
    /// <param name="Fallbacks">The names of <see cref="LeftOutNames"/> the <c>stdlib-python-fallback</c> rule left out: an
    /// import of one sits in an ImportError handler and does not make its importer unimportable.</param>
    public sealed record Plan(IReadOnlyList<string> Modules, IReadOnlyList<LeftOutModule> LeftOut, IReadOnlySet<string> LeftOutNames,
        IReadOnlySet<string> Fallbacks);

    /// <summary>Walks the target's stdlib (<see cref="InterpreterInfo.Stdlib"/>, <see cref="InterpreterInfo.LibDynload"/>)
    /// and applies the rules above. A stdlib that is not a folder (the Windows embeddable zip) gives an empty plan.</summary>
    /// <param name="interp">The target interpreter.</param>
    /// <param name="hooks">The hooks in force (which parts are developer tools).</param>
    /// <param name="keep">True for a name the graph already holds or the user asked for (never left out).</param>
    /// <param name="excluded">True for a name <c>--exclude-module</c> or a hook excludes (neither added nor recorded).</param>
    public static Plan Make(InterpreterInfo interp, HookSet hooks, Func<string, bool> keep, Func<string, bool> excluded)
    {
        var found = new SortedDictionary<string, string>(StringComparer.Ordinal); // name → file
        if (Directory.Exists(interp.Stdlib))
            Walk(interp.Stdlib, "", found);
        var extensions = new SortedDictionary<string, string>(StringComparer.Ordinal);
        if (interp.LibDynload is { } dynload && Directory.Exists(dynload))
            foreach (var file in Directory.EnumerateFiles(dynload))
            {
                var leaf = Path.GetFileName(file);
                var suffix = interp.ExtensionSuffixes.FirstOrDefault(s => leaf.EndsWith(s, StringComparison.Ordinal));
                var name = suffix is null ? null : leaf[..^suffix.Length];
                if (name is not null && PackageExpander.IsIdentifier(name) && !found.ContainsKey(name))
                    extensions.TryAdd(name, file);
            }

        var modules = new List<string>();
        var leftOut = new List<LeftOutModule>();
        var names = new HashSet<string>(StringComparer.Ordinal);
        var fallbacks = new HashSet<string>(StringComparer.Ordinal);
        var policy = Policy;
        foreach (var (name, file) in found.Concat(extensions).OrderBy(p => p.Key, StringComparer.Ordinal))
        {
            if (excluded(name))
                continue;
            var top = name.Split('.')[0];
            var parent = name.Contains('.') ? name[..name.LastIndexOf('.')] : null;
            if (parent is not null && names.Contains(parent))
            {
                names.Add(name); // inside a left-out package: its record covers it
                continue;
            }
            if (keep(name))
            {
                modules.Add(name);
                continue;
            }
            string? rule = null, detail = null;
            if (IsTestPart(name, extensions.ContainsKey(name)))
                (rule, detail) = ("stdlib-test", "CPython's own tests, not part of any app (add it with --hidden-import or --collect-all)");
            else if (RemovedModules.Deprecated(name, interp.Major, interp.Minor) is { } deprecated)
                (rule, detail) = ("stdlib-deprecated",
                    $"{deprecated}: an app that still uses it imports it by name, which collects it (or --hidden-import {name})");
            else if (Fallback(name, interp, found, extensions, excluded) is { } accelerator)
                (rule, detail) = ("stdlib-python-fallback",
                    $"the pure-Python version of {accelerator}, which is collected: it loads only when {accelerator} cannot (or --hidden-import {name})");
            else if (hooks.IsDeveloperTool(top))
                (rule, detail) = ("stdlib-developer-tool",
                    $"{top} is a developer tool (its hook says developer_tool): not collected with the whole stdlib unless the app imports it (or --hidden-import {name})");
            else if (extensions.ContainsKey(name) && BundledLibraries(file, policy) is { Count: > 0 } libs)
                (rule, detail) = ("stdlib-extension-library",
                    $"an extension module that needs {string.Join(", ", libs)}, which the target system does not provide: collected when an import the app runs reaches it (or --hidden-import {name})");
            if (rule is null)
            {
                modules.Add(name);
                continue;
            }
            names.Add(name);
            if (rule == "stdlib-python-fallback")
                fallbacks.Add(name);
            leftOut.Add(new LeftOutModule(name, rule, detail!));
        }
        return new Plan(modules, leftOut, names, fallbacks);
    }

    /// <summary>The libraries a target provides (glibc's, <see cref="SystemLibraryPolicy.GlibcRules"/>): any other
    /// library an extension module needs would be bundled.</summary>
    public static SystemLibraryPolicy Policy { get; } = SystemLibraryPolicy.Linux(leaveDisplayLibrariesToSystem: false);

    /// <summary>For CPython's pure-Python fallback of a C module, named <c>_pyX</c> or <c>_py_X</c> beside <c>_X</c>
    /// (<c>_pydecimal</c> for <c>_decimal</c>, <c>_pyio</c> for <c>_io</c>, <c>_py_abc</c> for <c>_abc</c>: Lib/decimal.py
    /// imports <c>_pydecimal</c> only when <c>_decimal</c> fails), the C module when the target has it built in or in
    /// lib-dynload (and it is not excluded); else null.</summary>
    private static string? Fallback(string name, InterpreterInfo interp, IDictionary<string, string> found,
        IDictionary<string, string> extensions, Func<string, bool> excluded)
    {
        if (name.Contains('.') || !name.StartsWith("_py", StringComparison.Ordinal) || found.ContainsKey(name) is false)
            return null;
        var accelerator = "_" + name[3..].TrimStart('_');
        if (accelerator.Length < 2 || excluded(accelerator))
            return null;
        return interp.BuiltinModules.Contains(accelerator) || extensions.ContainsKey(accelerator) ? accelerator : null;
    }

    /// <summary>True for CPython's own tests: a package or module named <c>test</c>, <c>tests</c> or <c>idle_test</c> at
    /// any level, <c>__hello__</c>/<c>__phello__</c>, and test extension modules (<c>_testcapi</c>, <c>_ctypes_test</c>,
    /// <c>xxlimited</c>, <c>_xxtestfuzz</c>, <c>_xxsubinterpreters</c>: "xx" marks CPython's experimental and test modules).</summary>
    public static bool IsTestPart(string name, bool extension)
    {
        var parts = name.Split('.');
        if (parts.Any(p => p is "test" or "tests" or "idle_test") || parts[0] is "__hello__" or "__phello__")
            return true;
        return extension && (name.StartsWith("_test", StringComparison.Ordinal) || name.EndsWith("_test", StringComparison.Ordinal)
            || name.StartsWith("xx", StringComparison.Ordinal) || name.StartsWith("_xx", StringComparison.Ordinal));
    }

    /// <summary>The DT_NEEDED names of an extension module that the system policy would bundle; for a file that is not
    /// an ELF shared object (another target's extension), its own name, so it is collected only when reached.</summary>
    /// <param name="file">The extension module's file.</param>
    /// <param name="policy">Which libraries the target provides (<see cref="Policy"/>).</param>
    public static List<string> BundledLibraries(string file, SystemLibraryPolicy policy)
    {
        try
        {
            var elf = ElfFile.Read(file);
            return elf.Needed.Where(n => !policy.IsSystem(n)).Order(StringComparer.Ordinal).ToList();
        }
        catch (Exception e) when (e is BinaryFormatException or IOException or UnauthorizedAccessException)
        {
            return [Path.GetFileName(file) + " (not an ELF file this build reads)"];
        }
    }

    private static void Walk(string dir, string prefix, SortedDictionary<string, string> found)
    {
        foreach (var file in Directory.EnumerateFiles(dir, "*.py"))
        {
            var stem = Path.GetFileNameWithoutExtension(file);
            if (stem != "__init__" && PackageExpander.IsIdentifier(stem))
                found.TryAdd(prefix + stem, file);
        }
        foreach (var sub in Directory.EnumerateDirectories(dir))
        {
            var leaf = Path.GetFileName(sub);
            var init = Path.Combine(sub, "__init__.py");
            if (!PackageExpander.IsIdentifier(leaf) || !File.Exists(init) || (prefix.Length == 0 && leaf is "site-packages" or "dist-packages"))
                continue;
            found.TryAdd(prefix + leaf, init);
            Walk(sub, prefix + leaf + ".", found);
        }
    }
}
