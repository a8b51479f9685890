using System.Text.RegularExpressions;
using PyFreeze.Analyze;

namespace PyFreeze.Collect;

/// <summary>
/// Data files the app's own code names: a string literal in one of the app's modules (those beside the entry, not
/// third-party or stdlib ones) that spells an existing file or folder relative to that module or to the entry's folder
/// — <c>open(os.path.join(os.path.dirname(__file__), "config.json"))</c>, <c>Path(__file__).parent / "templates"</c> —
/// is collected at the same place below <c>sys._MEIPASS</c>, so reads relative to <c>__file__</c> work frozen as they
/// do unfrozen. A folder named that way that is no package (no <c>__init__.py</c>, not a namespace package the app
/// imports) is data whole, its <c>.py</c> files too (an i18n extraction input, a template of a script): they are copied
/// as files, not compiled. Caches, hidden and VCS folders and the app's own module sources are never collected this
/// way. A literal on a line that reads relative to <c>__file__</c> (<c>os.path.join(os.path.dirname(__file__), "x")</c>,
/// <c>Path(__file__).parent / "x"</c>) that names nothing at build time is a warning naming <c>file:line</c>: the frozen
/// app will not find it either. Collected files carry the reason <c>app-data</c> (<see cref="PayloadEntry.Reason"/>).
/// An entry in a folder of programs (<see cref="IsProgramFolder"/>: a console script in <c>/usr/bin</c>) names no data
/// beside itself: its literals (<c>'flask'</c> in <c>load_entry_point(…, 'flask')</c>) are other programs' names, so
/// nothing is collected relative to that folder; the app's own module files (the entry among them) are never data.
/// </summary>
public static partial class AppDataCollector
{
    [GeneratedRegex(@"(?<q>['""])(?<s>[^'""\r\n\\{}]{1,200})\k<q>")]
    private static partial Regex StringLiteral();

    /// <summary>Largest folder (in files) collected from one literal; larger ones are reported instead.</summary>
    public const int MaxFilesPerFolder = 5000;

    /// <summary>A string literal right after <c>join(…__file__…),</c> or after <c>/</c> on a line that names <c>__file__</c>:
    /// a path read relative to the module's own file.</summary>
    [GeneratedRegex(@"(?:,|/)\s*(?<q>['""])(?<s>[^'""\r\n\\{}]{1,200})\k<q>")]
    private static partial Regex FileRelativePart();

    /// <summary>Adds the files the app's modules name.</summary>
    public static void Collect(CollectPlanBuilder plan, AnalysisResult analysis, RuntimeLayout layout)
    {
        var root = analysis.AppRoot;
        if (IsProgramFolder(root, Environment.GetEnvironmentVariable("PATH")))
            return;
        var modules = analysis.Graph.Modules.Where(m => m.Path is not null).Select(m => m.Path!).ToHashSet(StringComparer.Ordinal);
        // package folders and search-path folders (a "lib" the app puts on sys.path): their .py files are modules
        var namespaces = analysis.Graph.Modules.SelectMany(m => m.SearchLocations).Concat(analysis.SearchPath.Skip(1))
            .Select(Path.TrimEndingDirectorySeparator).ToHashSet(StringComparer.Ordinal);
        var app = new AppFiles(modules, namespaces);
        foreach (var node in analysis.Graph.Modules.Where(m => m.Origin == ModuleOrigin.App && m.Path is not null && m.SearchRoot == root))
        {
            string text;
            try
            {
                text = File.ReadAllText(node.Path!);
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                continue;
            }
            var moduleDir = Path.GetDirectoryName(node.Path!)!;
            foreach (Match m in StringLiteral().Matches(text))
            {
                var s = m.Groups["s"].Value.Trim().Replace('\\', '/');
                if (s.Length == 0 || s is "." or "./" || s.Contains("://", StringComparison.Ordinal) || s[0] is '/' or '~' or '$' or '%' or '-' or ' '
                    || s.Split('/').Any(p => p == "..") || s.Any(char.IsControl))
                    continue;
                if (s.StartsWith("./", StringComparison.Ordinal))
                    s = s[2..];
                foreach (var baseDir in new[] { moduleDir, root }.Distinct())
                {
                    var candidate = Path.GetFullPath(Path.Combine(baseDir, s));
                    if (candidate == root || !candidate.StartsWith(root + Path.DirectorySeparatorChar, StringComparison.Ordinal))
                        continue;
                    if (File.Exists(candidate))
                    {
                        AddFile(plan, layout, root, candidate, app, inDataFolder: false);
                        break;
                    }
                    if (Directory.Exists(candidate))
                    {
                        AddFolder(plan, layout, root, candidate, app);
                        break;
                    }
                }
            }
            WarnMissing(plan, text, node.Path!, moduleDir);
        }
    }

    /// <summary>True when <paramref name="dir"/> is a folder of programs: one of the system's bin folders
    /// (<c>/usr/bin</c>, <c>/bin</c>, <c>/usr/local/bin</c>, the <c>sbin</c> ones, <c>/usr/games</c>) or a folder on
    /// <paramref name="path"/> (the build's <c>PATH</c>, <c>:</c>-separated; a pipx or venv <c>bin</c>). Its files are
    /// programs, not the entry's data.</summary>
    /// <param name="dir">An absolute folder.</param>
    /// <param name="path">A <c>PATH</c> value, or null.</param>
    public static bool IsProgramFolder(string dir, string? path)
    {
        dir = Path.TrimEndingDirectorySeparator(dir);
        if (dir is "/usr/bin" or "/bin" or "/usr/local/bin" or "/usr/sbin" or "/sbin" or "/usr/local/sbin" or "/usr/games")
            return true;
        return (path ?? "").Split(Path.PathSeparator, StringSplitOptions.RemoveEmptyEntries)
            .Any(p => Path.IsPathFullyQualified(p) && Path.TrimEndingDirectorySeparator(p) == dir);
    }

    /// <summary>The app's modules and package folders, which are never data.</summary>
    private sealed record AppFiles(HashSet<string> Modules, HashSet<string> PackageDirs);

    /// <summary>Warns about each literal read relative to <c>__file__</c> that names nothing beside the module.</summary>
    private static void WarnMissing(CollectPlanBuilder plan, string text, string file, string moduleDir)
    {
        var lineNo = 0;
        foreach (var line in text.Split('\n'))
        {
            lineNo++;
            if (!line.Contains("__file__", StringComparison.Ordinal) || line.TrimStart().StartsWith('#'))
                continue;
            var code = line.IndexOf(" #", StringComparison.Ordinal) is var hash and >= 0 ? line[..hash] : line;
            // the parts right after __file__ and what takes its folder (`).parent`, `))`), one after the other
            // (Path(__file__).parent / "a" / "b.txt", join(dirname(__file__), "a", "b.txt")), make one path
            var end = code.IndexOf("__file__", StringComparison.Ordinal) + "__file__".Length;
            var parts = new List<string>();
            foreach (Match m in FileRelativePart().Matches(code, end))
            {
                var between = code[end..m.Index];
                if (parts.Count == 0 ? between.Any(c => c is not (')' or '.' or '_' or ' ' or '(') && !char.IsLetterOrDigit(c)) : between.Trim().Length > 0)
                    break;
                parts.Add(m.Groups["s"].Value.Trim());
                end = m.Index + m.Length;
            }
            if (parts.Count > 0)
            {
                var s = string.Join('/', parts);
                if (s.Length == 0 || s.Any(char.IsWhiteSpace) || s.Contains("://", StringComparison.Ordinal) || s.StartsWith('/') || s.Contains('%')
                    || s.Split('/').Contains(".."))
                    continue;
                var candidate = Path.GetFullPath(Path.Combine(moduleDir, s));
                if (!File.Exists(candidate) && !Directory.Exists(candidate))
                    plan.Warnings.Add($"{file}:{lineNo}: reads \"{s}\" relative to __file__, but {candidate} does not exist at build time; " +
                                      "the frozen app will not find it either (add it with --add-data)");
            }
        }
    }

    private static bool Skipped(string name) =>
        name.StartsWith('.') || name is "__pycache__" or "node_modules" or "venv" or ".venv" || name.EndsWith(".py", StringComparison.Ordinal)
        || name.EndsWith(".pyc", StringComparison.Ordinal) || name.EndsWith(".egg-info", StringComparison.Ordinal) || name.EndsWith(".dist-info", StringComparison.Ordinal);

    private static void AddFile(CollectPlanBuilder plan, RuntimeLayout layout, string root, string file, AppFiles app, bool inDataFolder)
    {
        if (app.Modules.Contains(file))
            return; // the entry script (whatever its name) and the app's modules are compiled, never data
        var name = Path.GetFileName(file);
        // a .py file of a data folder is data (copied, not compiled), unless the app imports it as a module
        var folder = Path.GetDirectoryName(file)!;
        var pyData = inDataFolder && name.EndsWith(".py", StringComparison.Ordinal) && !app.Modules.Contains(file)
                     && !app.PackageDirs.Contains(folder) && !File.Exists(Path.Combine(folder, "__init__.py"));
        if (Skipped(name) && !pyData)
            return;
        var rel = Path.GetRelativePath(root, file).Replace(Path.DirectorySeparatorChar, '/');
        if (rel.Split('/')[..^1].Any(Skipped))
            return;
        plan.Add(new PayloadEntry { Dest = layout.App + rel, Kind = PayloadEntryKind.File, Source = file, Category = PayloadCategory.Data, Owner = "(app)", Reason = "app-data" });
    }

    private static void AddFolder(CollectPlanBuilder plan, RuntimeLayout layout, string root, string dir, AppFiles app)
    {
        if (File.Exists(Path.Combine(dir, "__init__.py")) || Skipped(Path.GetFileName(dir)))
            return; // a package: its data comes with it
        var files = new List<string>();
        var pending = new Stack<string>([dir]);
        while (pending.Count > 0)
        {
            var d = pending.Pop();
            IEnumerable<string> entries;
            try
            {
                entries = Directory.EnumerateFileSystemEntries(d).ToList();
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                continue;
            }
            foreach (var e in entries)
            {
                var leaf = Path.GetFileName(e);
                if (Skipped(leaf) && !(leaf.EndsWith(".py", StringComparison.Ordinal) && File.Exists(e)))
                    continue;
                if (Directory.Exists(e))
                {
                    if (new DirectoryInfo(e).LinkTarget is null)
                        pending.Push(e);
                }
                else
                {
                    files.Add(e);
                }
                if (files.Count > MaxFilesPerFolder)
                {
                    plan.Warnings.Add($"{dir}: named by the app's code but holds more than {MaxFilesPerFolder} files; not collected (use --add-data)");
                    return;
                }
            }
        }
        foreach (var f in files.Order(StringComparer.Ordinal))
            AddFile(plan, layout, root, f, app, inDataFolder: true);
    }
}
