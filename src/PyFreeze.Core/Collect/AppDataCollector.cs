using System.Text.RegularExpressions;
using PyFreeze.Analyze;

namespace PyFreeze.Collect;

/// <summary>
/// Data files the app's own code names: a string literal in one of the app's modules (those beside the entry, not
/// third-party or stdlib ones) that spells an existing file or folder relative to that module or to the entry's folder
/// — <c>open(os.path.join(os.path.dirname(__file__), "config.json"))</c>, <c>Path(__file__).parent / "templates"</c> —
/// is collected at the same place below <c>sys._MEIPASS</c>, so reads relative to <c>__file__</c> work frozen as they
/// do unfrozen. Python sources, caches, hidden and VCS folders are never collected this way.
/// </summary>
public static partial class AppDataCollector
{
    [GeneratedRegex(@"(?<q>['""])(?<s>[^'""\r\n\\{}]{1,200})\k<q>")]
    private static partial Regex StringLiteral();

    /// <summary>Largest folder (in files) collected from one literal; larger ones are reported instead.</summary>
    public const int MaxFilesPerFolder = 5000;

    /// <summary>Adds the files the app's modules name.</summary>
    public static void Collect(CollectPlanBuilder plan, AnalysisResult analysis, RuntimeLayout layout)
    {
        var root = analysis.AppRoot;
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
                        AddFile(plan, layout, root, candidate);
                        break;
                    }
                    if (Directory.Exists(candidate))
                    {
                        AddFolder(plan, layout, root, candidate);
                        break;
                    }
                }
            }
        }
    }

    private static bool Skipped(string name) =>
        name.StartsWith('.') || name is "__pycache__" or "node_modules" or "venv" or ".venv" || name.EndsWith(".py", StringComparison.Ordinal)
        || name.EndsWith(".pyc", StringComparison.Ordinal) || name.EndsWith(".egg-info", StringComparison.Ordinal) || name.EndsWith(".dist-info", StringComparison.Ordinal);

    private static void AddFile(CollectPlanBuilder plan, RuntimeLayout layout, string root, string file)
    {
        if (Skipped(Path.GetFileName(file)))
            return;
        var rel = Path.GetRelativePath(root, file).Replace(Path.DirectorySeparatorChar, '/');
        if (rel.Split('/').Any(Skipped))
            return;
        plan.Add(new PayloadEntry { Dest = layout.App + rel, Kind = PayloadEntryKind.File, Source = file, Category = PayloadCategory.Data, Owner = "(app)", Reason = "app-data" });
    }

    private static void AddFolder(CollectPlanBuilder plan, RuntimeLayout layout, string root, string dir)
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
                if (Skipped(Path.GetFileName(e)))
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
            AddFile(plan, layout, root, f);
    }
}
