using PyFreeze.Analyze;
using PyFreeze.Diagnostics;

namespace PyFreeze.Collect;

/// <summary>
/// Distribution metadata by default: the <c>*.dist-info</c> / <c>*.egg-info</c> of every distribution whose modules
/// are collected (matched through <c>top_level.txt</c>, RECORD or installed-files.txt), copied beside the modules in
/// <c>app/</c> so <c>importlib.metadata.version()</c>, <c>metadata()</c>, <c>requires()</c>, <c>files()</c> and
/// <c>entry_points()</c> work frozen. <c>direct_url.json</c> is left out: it records the build machine's paths.
/// </summary>
public static class MetadataCollector
{
    /// <summary>Adds metadata entries to the plan.</summary>
    /// <param name="plan">The plan.</param>
    /// <param name="analysis">The analysis.</param>
    /// <param name="layout">Payload layout.</param>
    /// <param name="distributions">Reads the distributions of a search-path entry (shared with the entry-point expander).</param>
    /// <param name="extraNames">Distributions to copy by name although none of their modules is collected (<c>--copy-metadata</c>).</param>
    /// <exception cref="PyFreezeException">A distribution named in <paramref name="extraNames"/> is not installed.</exception>
    public static void Collect(CollectPlanBuilder plan, AnalysisResult analysis, RuntimeLayout layout,
        Func<string, IReadOnlyList<Distribution>> distributions, IReadOnlyCollection<string>? extraNames = null)
    {
        var wanted = new HashSet<string>((extraNames ?? []).Select(Distribution.Normalize), StringComparer.Ordinal);
        var found = new HashSet<string>(StringComparer.Ordinal);
        var collectedTops = analysis.Graph.Modules
            .Where(m => m.SearchRoot is not null && m.Kind is not (ModuleKind.Missing or ModuleKind.Builtin or ModuleKind.Frozen or ModuleKind.Alias)
                        && m.Origin is ModuleOrigin.SitePackages or ModuleOrigin.App)
            .GroupBy(m => m.SearchRoot!, StringComparer.Ordinal)
            .ToDictionary(g => g.Key, g => g.Select(m => m.TopLevel).ToHashSet(StringComparer.Ordinal), StringComparer.Ordinal);
        foreach (var root in analysis.SearchPath)
        {
            collectedTops.TryGetValue(root, out var tops);
            foreach (var dist in distributions(root))
            {
                bool byName = wanted.Contains(dist.NormalizedName);
                if (!byName && (tops is null || !dist.TopLevel.Overlaps(tops)))
                    continue;
                found.Add(dist.NormalizedName);
                Copy(plan, dist, layout);
            }
        }
        foreach (var name in wanted.Where(n => !found.Contains(n)))
            throw new PyFreezeException($"--copy-metadata {name}: no installed distribution of that name on the search path");
    }

    private static void Copy(CollectPlanBuilder plan, Distribution dist, RuntimeLayout layout)
    {
        var baseName = Path.GetFileName(dist.MetadataPath);
        if (dist.IsFile)
        {
            plan.Add(new PayloadEntry { Dest = layout.App + baseName, Kind = PayloadEntryKind.File, Source = dist.MetadataPath, Category = PayloadCategory.Metadata, Owner = dist.Name });
            return;
        }
        foreach (var file in Directory.EnumerateFiles(dist.MetadataPath, "*", SearchOption.AllDirectories).Order(StringComparer.Ordinal))
        {
            var rel = Path.GetRelativePath(dist.MetadataPath, file).Replace(Path.DirectorySeparatorChar, '/');
            if (rel == "direct_url.json" || rel.Contains("__pycache__", StringComparison.Ordinal))
                continue;
            plan.Add(new PayloadEntry
            {
                Dest = layout.App + baseName + "/" + rel,
                Kind = PayloadEntryKind.File,
                Source = file,
                Category = PayloadCategory.Metadata,
                Owner = dist.Name,
            });
        }
    }
}
