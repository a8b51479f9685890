using PyFreeze.Payload;

namespace PyFreeze.Cache;

/// <summary>One folder of a PyFreeze cache.</summary>
/// <param name="Kind"><c>run</c> (an unpacked app) or the build cache's kind (<c>pyc</c>, <c>binary</c>, <c>deflate</c>, <c>kits</c>, <c>runtimes</c>, <c>downloads</c>).</param>
/// <param name="Path">The folder.</param>
/// <param name="Bytes">Its size in bytes.</param>
/// <param name="LastWrite">When it last changed (UTC).</param>
public sealed record CacheItem(string Kind, string Path, long Bytes, DateTime LastWrite);

/// <summary><c>pyfreeze cache list|clean</c>: the unpacked apps (<c>CACHE_ROOT/run</c>) and the build cache.</summary>
public static class CacheManager
{
    /// <summary>The unpacked-app folder of this user (<c>$PYFREEZE_CACHE_DIR/run</c> or the platform default).</summary>
    public static string? RunRoot() =>
        CacheLocation.UserCacheRoot(Environment.GetEnvironmentVariable) is { } root ? System.IO.Path.Combine(root, PayloadLayout.RunCacheSubdir) : null;

    /// <summary>Lists unpacked apps (one item each) and the build cache (one item per kind).</summary>
    public static IReadOnlyList<CacheItem> List(BuildCache build)
    {
        var items = new List<CacheItem>();
        var run = RunRoot();
        if (run is not null && Directory.Exists(run))
            foreach (var d in Directory.GetDirectories(run).Order(StringComparer.Ordinal))
                items.Add(new CacheItem("run", d, Size(d), Directory.GetLastWriteTimeUtc(d)));
        if (Directory.Exists(build.Root))
            foreach (var d in Directory.GetDirectories(build.Root).Order(StringComparer.Ordinal))
                items.Add(new CacheItem(System.IO.Path.GetFileName(d), d, Size(d), Directory.GetLastWriteTimeUtc(d)));
        return items;
    }

    /// <summary>Removes cache folders.</summary>
    /// <param name="build">The build cache.</param>
    /// <param name="run">Remove unpacked apps.</param>
    /// <param name="buildCache">Remove the build cache.</param>
    /// <param name="olderThan">Only folders unchanged for this long (null: all).</param>
    /// <returns>Folders removed and bytes freed.</returns>
    public static (int Folders, long Bytes) Clean(BuildCache build, bool run, bool buildCache, TimeSpan? olderThan)
    {
        int folders = 0;
        long bytes = 0;
        var cutoff = olderThan is null ? DateTime.MaxValue : DateTime.UtcNow - olderThan.Value;
        foreach (var item in List(build))
        {
            if ((item.Kind == "run" ? !run : !buildCache) || item.LastWrite > cutoff)
                continue;
            try
            {
                Directory.Delete(item.Path, true);
                folders++;
                bytes += item.Bytes;
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                // in use or not ours: leave it
            }
        }
        return (folders, bytes);
    }

    private static long Size(string dir)
    {
        try
        {
            return new DirectoryInfo(dir).EnumerateFiles("*", new EnumerationOptions { RecurseSubdirectories = true, IgnoreInaccessible = true, AttributesToSkip = 0 })
                .Sum(f => f.Length);
        }
        catch (IOException)
        {
            return 0;
        }
    }
}
