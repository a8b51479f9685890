using Microsoft.Extensions.FileSystemGlobbing;
using Microsoft.Extensions.FileSystemGlobbing.Abstractions;
using PyFreeze.Analyze;
using PyFreeze.Diagnostics;
using PyFreeze.Hooks;

namespace PyFreeze.Collect;

/// <summary>A file or folder the user adds (<c>--add-data SRC:DEST</c>, <c>--add-binary SRC:DEST</c>).</summary>
/// <param name="Source">A file, a folder (copied whole), or a glob.</param>
/// <param name="Dest">Folder relative to <c>sys._MEIPASS</c> (<c>.</c> for the top).</param>
public sealed record AddedFile(string Source, string Dest)
{
    /// <summary>Parses PyInstaller's <c>SRC:DEST</c> form (the last <c>:</c> separates; <c>;</c> is accepted too).</summary>
    /// <param name="value">The option value.</param>
    /// <param name="option">The option's name, for messages.</param>
    /// <param name="baseDir">Folder relative sources are taken from.</param>
    /// <exception cref="PyFreezeException">No separator, or a destination that leaves the bundle.</exception>
    public static AddedFile Parse(string value, string option, string baseDir)
    {
        var i = value.LastIndexOf(':');
        if (i <= 0 || (i == 1 && char.IsLetter(value[0]) && value.Length > 2 && (value[2] == '\\' || value[2] == '/')))
            i = value.LastIndexOf(';');
        if (i <= 0)
            throw new PyFreezeException($"{option} {value}: expected SOURCE:DEST (e.g. assets:assets, or data.json:.)", 2);
        var src = value[..i];
        var dest = value[(i + 1)..].Replace('\\', '/');
        if (dest.Length == 0)
            dest = ".";
        if (dest.StartsWith('/') || (dest.Length > 1 && dest[1] == ':') || Normalize(dest).Split('/').Contains(".."))
            throw new PyFreezeException($"{option} {value}: the destination must stay inside the app (a relative folder without ..)", 2);
        return new AddedFile(Path.GetFullPath(Path.Combine(baseDir, src)), Normalize(dest));
    }

    private static string Normalize(string dest)
    {
        var parts = new List<string>();
        foreach (var p in dest.Split('/'))
        {
            if (p is "" or ".")
                continue;
            if (p == ".." && parts.Count > 0 && parts[^1] != "..")
                parts.RemoveAt(parts.Count - 1);
            else
                parts.Add(p);
        }
        return parts.Count == 0 ? "." : string.Join('/', parts);
    }
}

/// <summary>What the user asks to collect beyond the graph (PyInstaller's options of the same names).</summary>
public sealed class UserCollectOptions
{
    /// <summary><c>--collect-data PKG</c>: the package's data files, whether or not it is imported.</summary>
    public IReadOnlyList<string> CollectData { get; init; } = [];

    /// <summary><c>--collect-binaries PKG</c>: the package's shared libraries and extension modules.</summary>
    public IReadOnlyList<string> CollectBinaries { get; init; } = [];

    /// <summary><c>--copy-metadata DIST</c>.</summary>
    public IReadOnlyList<string> CopyMetadata { get; init; } = [];

    /// <summary><c>--add-data</c>.</summary>
    public IReadOnlyList<AddedFile> AddData { get; init; } = [];

    /// <summary><c>--add-binary</c>.</summary>
    public IReadOnlyList<AddedFile> AddBinary { get; init; } = [];

    /// <summary><c>--runtime-hook FILE</c>: Python files run before the entry, after the built-in runtime hooks.</summary>
    public IReadOnlyList<string> RuntimeHooks { get; init; } = [];
}

/// <summary>
/// The collect-stage part of hooks and user options: extra data and binaries (globs relative to the package folder,
/// matched with Microsoft.Extensions.FileSystemGlobbing), runtime hooks, environment, <c>--add-data</c> and
/// <c>--add-binary</c>.
/// </summary>
public static class HookCollector
{
    /// <summary>Folder of compiled runtime hooks in the payload.</summary>
    public const string HooksDir = "python/hooks/";

    /// <summary>Applies the hooks of collected packages and the user's options to the plan.</summary>
    /// <param name="plan">The plan entries are added to.</param>
    /// <param name="analysis">The module graph.</param>
    /// <param name="layout">Where runtime parts go.</param>
    /// <param name="hooks">The hooks.</param>
    /// <param name="user">The user's options.</param>
    /// <param name="prefixes">The build interpreter's <c>sys.prefix</c> and <c>sys.base_prefix</c>, where hooks'
    /// <c>prefix_datas</c> are looked for.</param>
    /// <returns>Distribution names whose metadata must be copied (hooks' and the user's).</returns>
    /// <exception cref="PyFreezeException">An added source does not exist, or a runtime hook file is missing.</exception>
    public static IReadOnlyList<string> Collect(CollectPlanBuilder plan, AnalysisResult analysis, RuntimeLayout layout, HookSet hooks, UserCollectOptions user,
        IReadOnlyList<string>? prefixes = null)
    {
        var metadata = new List<string>(user.CopyMetadata);
        var collectedTops = analysis.Graph.Modules.Where(m => m.Kind is not (ModuleKind.Missing or ModuleKind.Alias))
            .Select(m => m.TopLevel).ToHashSet(StringComparer.Ordinal);
        int index = 0;
        foreach (var hook in hooks.All.Where(h => collectedTops.Contains(h.Package)).OrderBy(h => h.Package, StringComparer.Ordinal))
        {
            var node = analysis.Graph.Find(hook.Package);
            foreach (var dir in node?.SearchLocations ?? [])
            {
                AddGlobs(plan, node!, dir, hook.Datas, PayloadEntryKind.File, PayloadCategory.Data, layout);
                AddGlobs(plan, node!, dir, hook.Binaries, PayloadEntryKind.Binary, PayloadCategory.Runtime, layout);
            }
            if (node is not null)
                AddPrefixDatas(plan, node, hook, prefixes ?? [], layout);
            metadata.AddRange(hook.CopyMetadata);
            foreach (var name in hook.RuntimeHooks)
                AddRuntimeHook(plan, $"{index++:D2}_{Path.GetFileNameWithoutExtension(name)}", HookSet.ReadRuntimeHook(hook, name), hook.Source);
            foreach (var (k, v) in hook.Environment)
                plan.Environment[k] = v;
        }
        foreach (var file in user.RuntimeHooks)
        {
            if (!File.Exists(file))
                throw new PyFreezeException($"--runtime-hook {file}: no such file", 2);
            AddRuntimeHook(plan, $"{index++:D2}_{Path.GetFileNameWithoutExtension(file)}", File.ReadAllText(file), file);
        }
        foreach (var added in user.AddData)
            AddUserFiles(plan, added, "--add-data", PayloadEntryKind.File, PayloadCategory.Data, layout);
        foreach (var added in user.AddBinary)
            AddUserFiles(plan, added, "--add-binary", PayloadEntryKind.Binary, PayloadCategory.Runtime, layout);
        return metadata;
    }

    private static void AddRuntimeHook(CollectPlanBuilder plan, string name, string source, string origin)
    {
        var dest = HooksDir + name + ".pyc";
        plan.Add(new PayloadEntry
        {
            Dest = dest,
            Kind = PayloadEntryKind.Module,
            Text = source,
            DisplayName = $"<runtime hook {Path.GetFileName(origin)}: {name}>",
            Category = PayloadCategory.PyFreeze,
        });
        plan.RuntimeHooks.Add(dest);
    }

    // A prefix folder's file lands at TO/REL inside the package folder; the hook's exclude_datas globs are matched against
    // that path, as against any package data (Debian's share/sphinx/scripts holds links to /usr/bin programs, not data).
    private static void AddPrefixDatas(CollectPlanBuilder plan, ModuleNode package, Hook hook, IReadOnlyList<string> prefixes, RuntimeLayout layout)
    {
        var folders = hook.PrefixDatas;
        if (folders.Count == 0)
            return;
        var excluded = ExcludeMatcher(hook);
        var packageDir = package.SearchLocations.FirstOrDefault();
        var packageRel = packageDir is null ? null : Collector.RelativeTo(package.SearchRoot, packageDir);
        if (packageRel is null)
            return;
        var baseDest = (package.Origin == ModuleOrigin.Stdlib ? layout.Stdlib : layout.App) + packageRel + "/";
        foreach (var (from, to) in folders.OrderBy(p => p.Key, StringComparer.Ordinal))
        {
            var source = prefixes.Where(p => p.Length > 0).Select(p => Path.Combine(p, from)).FirstOrDefault(Directory.Exists);
            if (source is null)
                continue;
            foreach (var file in Directory.EnumerateFiles(source, "*", SearchOption.AllDirectories).Order(StringComparer.Ordinal))
            {
                var rel = Collector.RelativeTo(source, file);
                if (rel is null)
                    continue;
                var inPackage = to.Trim('/') + "/" + rel;
                if (excluded is not null && excluded.Match(inPackage).HasMatches)
                    continue;
                plan.Add(new PayloadEntry
                {
                    Dest = baseDest + inPackage, Kind = PayloadEntryKind.File, Source = file, Category = PayloadCategory.Data,
                    Owner = package.TopLevel, Reason = from.StartsWith("share/", StringComparison.Ordinal) ? DebianShareData.Reason : null,
                });
            }
        }
    }

    private static void AddGlobs(CollectPlanBuilder plan, ModuleNode owner, string dir, IReadOnlyList<string> globs, PayloadEntryKind kind,
        PayloadCategory category, RuntimeLayout layout)
    {
        if (globs.Count == 0 || !Directory.Exists(dir))
            return;
        var matcher = new Matcher(StringComparison.Ordinal);
        matcher.AddIncludePatterns(globs);
        var baseDest = owner.Origin == ModuleOrigin.Stdlib ? layout.Stdlib : layout.App;
        foreach (var file in matcher.GetResultsInFullPath(dir).Order(StringComparer.Ordinal))
        {
            var rel = Collector.RelativeTo(owner.SearchRoot, file);
            if (rel is not null)
                plan.Add(new PayloadEntry { Dest = baseDest + rel, Kind = kind, Source = file, Category = category, Owner = owner.TopLevel });
        }
    }

    /// <summary>True when <paramref name="file"/> (inside package folder <paramref name="packageDir"/>) matches one of the hook's
    /// <c>exclude_datas</c> globs.</summary>
    public static bool IsExcludedData(Hook? hook, string packageDir, string file) =>
        ExcludeMatcher(hook)?.Match(packageDir, file).HasMatches == true;

    /// <summary>The hook's <c>exclude_datas</c> globs as one matcher (paths relative to the package folder); null when it has none.</summary>
    private static Matcher? ExcludeMatcher(Hook? hook)
    {
        if (hook is null || hook.ExcludeDatas.Count == 0)
            return null;
        var matcher = new Matcher(StringComparison.Ordinal);
        matcher.AddIncludePatterns(hook.ExcludeDatas);
        return matcher;
    }

    private static void AddUserFiles(CollectPlanBuilder plan, AddedFile added, string option, PayloadEntryKind kind, PayloadCategory category, RuntimeLayout layout)
    {
        var destDir = added.Dest == "." ? layout.App : layout.App + added.Dest + "/";
        if (File.Exists(added.Source))
        {
            plan.Add(new PayloadEntry { Dest = destDir + Path.GetFileName(added.Source), Kind = kind, Source = added.Source, Category = category, Owner = "(added)" });
            return;
        }
        if (Directory.Exists(added.Source))
        {
            foreach (var (file, rel) in InputFiles.FolderFiles(added.Source, option, plan.Warnings))
                plan.Add(new PayloadEntry { Dest = destDir + rel, Kind = kind, Source = file, Category = category, Owner = "(added)" });
            return;
        }
        // a glob: the part up to the first wildcard is the folder it is relative to
        var wildcard = added.Source.IndexOfAny(['*', '?', '[']);
        if (wildcard >= 0)
        {
            var baseDir = Path.GetDirectoryName(added.Source[..wildcard]) ?? "/";
            var matcher = new Matcher(StringComparison.Ordinal);
            matcher.AddInclude(Path.GetRelativePath(baseDir, added.Source).Replace(Path.DirectorySeparatorChar, '/'));
            var files = Directory.Exists(baseDir) ? matcher.GetResultsInFullPath(baseDir).Order(StringComparer.Ordinal).ToList() : [];
            if (files.Count == 0)
                throw new PyFreezeException($"{option} {added.Source}: the pattern matches no file", 2);
            foreach (var file in files)
                plan.Add(new PayloadEntry { Dest = destDir + Path.GetFileName(file), Kind = kind, Source = file, Category = category, Owner = "(added)" });
            return;
        }
        throw new PyFreezeException($"{option} {added.Source}: no such file or folder", 2);
    }
}
