using PyFreeze.Analyze;
using PyFreeze.Diagnostics;

namespace PyFreeze.Collect;

/// <summary>
/// Package data by default: every collected package brings the non-Python files of its folder and of its
/// non-package subfolders (templates, certificates, JSON, shared data), so <c>__file__</c>-relative reads,
/// <c>importlib.resources</c>, <c>pkgutil.get_data</c> and loaders like Jinja2's <c>PackageLoader</c> work frozen.
/// Left out: Python sources and bytecode (modules are collected as such), caches, test folders, type stubs, and the
/// C/Cython sources and headers of compiled modules.
/// </summary>
public static class DataCollector
{
    private static readonly HashSet<string> SkippedDirs = new(StringComparer.Ordinal)
    {
        "__pycache__", "tests", "test", ".git", ".hg", ".svn", ".mypy_cache", ".pytest_cache", ".tox", ".nox",
    };

    private static readonly HashSet<string> SkippedExtensions = new(StringComparer.OrdinalIgnoreCase)
    {
        ".py", ".pyc", ".pyo", ".pyi", ".pyx", ".pxd", ".pxi", ".c", ".cc", ".cpp", ".cxx", ".h", ".hpp", ".o", ".obj", ".a",
        ".lib", ".exp", ".pdb", ".orig", ".rej", ".swp",
    };

    /// <summary>True for a file name that is never package data.</summary>
    public static bool IsSkippedFile(string name, IReadOnlyList<string> extensionSuffixes)
    {
        if (name.StartsWith(".#", StringComparison.Ordinal) || name.EndsWith('~') || name == ".DS_Store")
            return true;
        if (SkippedExtensions.Contains(Path.GetExtension(name)))
            return true;
        foreach (var suffix in extensionSuffixes)
            if (name.EndsWith(suffix, StringComparison.Ordinal))
                return true; // an extension module: collected when imported
        return false;
    }

    /// <summary>Adds the data files of the graph's packages to the plan.</summary>
    /// <param name="plan">The plan to extend.</param>
    /// <param name="analysis">The analysis (packages and their folders).</param>
    /// <param name="layout">Where stdlib and app files go.</param>
    /// <exception cref="PyFreezeException">A data file cannot be read (the build could not be right without it).</exception>
    public static void Collect(CollectPlan plan, AnalysisResult analysis, RuntimeLayout layout)
    {
        var suffixes = analysis.Interpreter.ExtensionSuffixes;
        var packageDirs = new HashSet<string>(StringComparer.Ordinal);
        foreach (var node in analysis.Graph.Modules)
            if (node.IsPackage && node.Kind is ModuleKind.Package or ModuleKind.Namespace)
                foreach (var loc in node.SearchLocations)
                    packageDirs.Add(loc);

        foreach (var node in analysis.Graph.Modules.Where(n => n.Kind is ModuleKind.Package or ModuleKind.Namespace).OrderBy(n => n.Name, StringComparer.Ordinal))
        {
            var baseDest = node.Origin switch
            {
                ModuleOrigin.Stdlib => layout.Stdlib,
                ModuleOrigin.LibDynload => layout.Dynload,
                ModuleOrigin.None => null,
                _ => layout.App,
            };
            if (baseDest is null)
                continue;
            var category = node.Origin == ModuleOrigin.Stdlib ? PayloadCategory.Stdlib : PayloadCategory.Data;
            foreach (var dir in node.SearchLocations)
                Walk(plan, dir, node, baseDest, category, suffixes, packageDirs, depth: 0, visited: new HashSet<string>(StringComparer.Ordinal));
        }
    }

    private static void Walk(CollectPlan plan, string dir, ModuleNode owner, string baseDest, PayloadCategory category,
        IReadOnlyList<string> suffixes, HashSet<string> packageDirs, int depth, HashSet<string> visited)
    {
        if (depth > 32)
            return;
        string real;
        try
        {
            real = new DirectoryInfo(dir).ResolveLinkTarget(true)?.FullName ?? dir;
        }
        catch (IOException)
        {
            return; // a symlink loop: nothing to collect there
        }
        if (!visited.Add(real))
            return;
        IEnumerable<string> entries;
        try
        {
            entries = Directory.EnumerateFileSystemEntries(dir).Order(StringComparer.Ordinal).ToList();
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            plan.Warnings.Add($"{dir}: cannot list package data ({e.Message})");
            return;
        }
        foreach (var path in entries)
        {
            var name = Path.GetFileName(path);
            if (Directory.Exists(path))
            {
                if (SkippedDirs.Contains(name) || name.EndsWith(".dist-info", StringComparison.Ordinal) || name.EndsWith(".egg-info", StringComparison.Ordinal))
                    continue;
                if (packageDirs.Contains(path) || File.Exists(Path.Combine(path, "__init__.py")))
                    continue; // a subpackage: its own data comes with it when it is collected
                Walk(plan, path, owner, baseDest, category, suffixes, packageDirs, depth + 1, visited);
                continue;
            }
            if (IsSkippedFile(name, suffixes))
                continue;
            var rel = Collector.RelativeTo(owner.SearchRoot, path);
            if (rel is null)
                continue;
            if (!CanRead(path))
                throw new PyFreezeException($"{path}: package data of {owner.Name} cannot be read; fix its permissions or leave the package out with --exclude-module {owner.TopLevel}");
            plan.Add(new PayloadEntry
            {
                Dest = baseDest + rel,
                Kind = IsSharedLibrary(name) ? PayloadEntryKind.Binary : PayloadEntryKind.File,
                Source = path,
                Category = category,
                Owner = owner.TopLevel,
            });
        }
    }

    /// <summary>True for names like libfoo.so, libfoo.so.1.2, foo.dylib, foo.dll.</summary>
    public static bool IsSharedLibrary(string name) =>
        name.EndsWith(".so", StringComparison.Ordinal) || name.Contains(".so.", StringComparison.Ordinal)
        || name.EndsWith(".dylib", StringComparison.Ordinal) || name.EndsWith(".dll", StringComparison.OrdinalIgnoreCase);

    private static bool CanRead(string path)
    {
        try
        {
            using var f = File.OpenRead(path);
            return true;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return false;
        }
    }
}
