using PyFreeze.Analyze;
using PyFreeze.Diagnostics;
using PyFreeze.Hooks;

namespace PyFreeze.Collect;

/// <summary>
/// Package data by default: every collected package brings the non-Python files of its folder and of its
/// non-package subfolders (templates, certificates, JSON, shared data), so <c>__file__</c>-relative reads,
/// <c>importlib.resources</c>, <c>pkgutil.get_data</c> and loaders like Jinja2's <c>PackageLoader</c> work frozen.
/// A symlink in the package folder into <c>/usr/share</c> (Debian's python3-babel links <c>babel/locale-data</c> to
/// <c>/usr/share/python-babel-localedata</c>) is followed and its files are copied as real files at the link's place,
/// marked <see cref="DebianShareData.Reason"/> (<see cref="DebianShareData"/>).
/// Left out: Python sources and bytecode (modules are collected as such; a <c>.py</c> in a subfolder that is not a
/// package is data and stays), caches, test folders, type stubs, and the
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
    public static void Collect(CollectPlanBuilder plan, AnalysisResult analysis, RuntimeLayout layout)
        => Collect(plan, analysis, layout, HookSet.Empty, [], []);

    /// <summary>Adds the data files of the graph's packages, and of the packages named by <c>--collect-data</c> and
    /// <c>--collect-binaries</c> whether or not they are imported; hooks' <c>exclude_datas</c> globs are left out.</summary>
    /// <param name="plan">The plan to extend.</param>
    /// <param name="analysis">The analysis.</param>
    /// <param name="layout">Where stdlib and app files go.</param>
    /// <param name="hooks">Hooks (for <c>exclude_datas</c>).</param>
    /// <param name="collectData">Packages whose data is collected even when not imported.</param>
    /// <param name="collectBinaries">Packages whose shared libraries and extension modules are all collected.</param>
    /// <exception cref="PyFreezeException">A data file cannot be read, or a named package is not installed.</exception>
    public static void Collect(CollectPlanBuilder plan, AnalysisResult analysis, RuntimeLayout layout, HookSet hooks,
        IReadOnlyList<string> collectData, IReadOnlyList<string> collectBinaries)
    {
        var suffixes = analysis.Interpreter.ExtensionSuffixes;
        var packageDirs = new HashSet<string>(StringComparer.Ordinal);
        foreach (var node in analysis.Graph.Modules)
            if (node.IsPackage) // a regular, namespace or compiled-__init__ (mypyc) package
                foreach (var loc in node.SearchLocations)
                    packageDirs.Add(loc);

        var packages = analysis.Graph.Modules.Where(n => n.IsPackage).ToList();
        var binariesOf = new HashSet<string>(StringComparer.Ordinal);
        foreach (var name in collectData.Concat(collectBinaries).Distinct(StringComparer.Ordinal))
        {
            var found = analysis.Graph.Find(name) is { Kind: ModuleKind.Package or ModuleKind.Namespace } known ? known : FindPackage(analysis, name)
                ?? throw new PyFreezeException($"--collect-data/--collect-binaries {name}: no such package on the search path", 2);
            if (!packages.Contains(found))
                packages.Add(found);
            if (collectBinaries.Contains(name))
                binariesOf.Add(found.Name);
            foreach (var loc in found.SearchLocations)
                packageDirs.Add(loc);
        }
        foreach (var node in packages.OrderBy(n => n.Name, StringComparer.Ordinal))
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
            var hook = hooks.For(node.TopLevel);
            var walk = new WalkContext(plan, node, baseDest, category, suffixes, packageDirs, hook, binariesOf.Any(b => node.Name == b || node.Name.StartsWith(b + ".", StringComparison.Ordinal)));
            foreach (var dir in node.SearchLocations)
                Walk(walk, dir, dir, depth: 0, visited: new HashSet<string>(StringComparer.Ordinal));
        }
    }

    private sealed record WalkContext(CollectPlanBuilder Plan, ModuleNode Owner, string BaseDest, PayloadCategory Category,
        IReadOnlyList<string> Suffixes, HashSet<string> PackageDirs, Hook? Hook, bool AllBinaries, bool ViaShareLink = false);

    private static void Walk(WalkContext c, string packageDir, string dir, int depth, HashSet<string> visited)
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
            c.Plan.Warnings.Add($"{dir}: cannot list package data ({e.Message})");
            return;
        }
        foreach (var path in entries)
        {
            var name = Path.GetFileName(path);
            if (Directory.Exists(path))
            {
                if (SkippedDirs.Contains(name) || name.EndsWith(".dist-info", StringComparison.Ordinal) || name.EndsWith(".egg-info", StringComparison.Ordinal))
                    continue;
                if (c.PackageDirs.Contains(path) || File.Exists(Path.Combine(path, "__init__.py")))
                    continue; // a subpackage: its own data comes with it when it is collected
                Walk(c with { ViaShareLink = c.ViaShareLink || DebianShareData.IsShareLink(path) }, packageDir, path, depth + 1, visited);
                continue;
            }
            bool binary = IsSharedLibrary(name);
            // A .py file in a folder that is no package is no module: a template or a script the package copies,
            // reads or runs (Alembic's templates/generic/env.py, PyQt5's uic/widget-plugins).
            bool pyData = depth > 0 && name.EndsWith(".py", StringComparison.Ordinal);
            if (IsSkippedFile(name, c.Suffixes) && !(c.AllBinaries && binary) && !pyData)
                continue;
            if (HookCollector.IsExcludedData(c.Hook, packageDir, path))
                continue;
            var rel = Collector.RelativeTo(c.Owner.SearchRoot, path);
            if (rel is null)
                continue;
            if (InputFiles.KindOf(path) == InputKind.Special)
            {
                c.Plan.Warnings.Add($"{path}: not a regular file (a FIFO, socket or device); skipped");
                continue; // never opened: reading a FIFO waits for a writer forever
            }
            if (!CanRead(path))
                throw new PyFreezeException($"{path}: package data of {c.Owner.Name} cannot be read; fix its permissions or leave the package out with --exclude-module {c.Owner.TopLevel}");
            c.Plan.Add(new PayloadEntry
            {
                Dest = c.BaseDest + rel,
                Kind = binary ? PayloadEntryKind.Binary : PayloadEntryKind.File,
                Source = path,
                Category = binary && IsExtension(name, c.Suffixes) ? PayloadCategory.Extension : c.Category,
                Owner = c.Owner.TopLevel,
                // Debian's symlinks from the package folder into /usr/share (babel/locale-data): copied as the files
                // they point to, deliberately (the --add-data rule of InputFiles refuses links out of the tree).
                Reason = c.ViaShareLink || DebianShareData.IsShareLink(path) ? DebianShareData.Reason : null,
            });
        }
    }

    private static bool IsExtension(string name, IReadOnlyList<string> suffixes) => suffixes.Any(s => name.EndsWith(s, StringComparison.Ordinal));

    /// <summary>Finds a package that the graph does not hold (for <c>--collect-data</c> of a package nobody imports).</summary>
    private static ModuleNode? FindPackage(AnalysisResult analysis, string name)
    {
        var interp = analysis.Interpreter;
        var finder = new PathFinder(interp.ExtensionSuffixes, interp.SourceSuffixes, interp.BytecodeSuffixes);
        IReadOnlyList<string> locations = analysis.SearchPath;
        ModuleLocation? loc = null;
        string? root = null;
        foreach (var part in name.Split('.'))
        {
            loc = finder.Find(part, locations);
            if (loc is null || loc.SearchLocations.Count == 0)
                return null;
            root ??= loc.Root;
            locations = loc.SearchLocations;
        }
        var stdlib = Path.TrimEndingDirectorySeparator(Path.GetFullPath(interp.Stdlib));
        return new ModuleNode(name, loc!.Kind)
        {
            Path = loc.Path,
            SearchLocations = loc.SearchLocations,
            SearchRoot = root,
            Origin = root == stdlib ? ModuleOrigin.Stdlib : ModuleOrigin.SitePackages,
        };
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
