namespace PyFreeze.Payload;

/// <summary>
/// The per-user cache root where frozen apps unpack (and where the build keeps its caches):
/// an override variable first, then the platform's user cache directory.
/// </summary>
/// <remarks>
/// Linux: <c>$XDG_CACHE_HOME/pyfreeze</c>, else <c>~/.cache/pyfreeze</c> (XDG Base Directory spec);
/// Windows: <c>%LOCALAPPDATA%\pyfreeze</c>; macOS: <c>~/Library/Caches/pyfreeze</c>.
/// </remarks>
public static class CacheLocation
{
    /// <summary>Default name of the environment variable that overrides the cache root.</summary>
    public const string OverrideVariable = "PYFREEZE_CACHE_DIR";

    /// <summary>Computes the cache root for the current user.</summary>
    /// <param name="getEnv">Reads an environment variable (null when unset).</param>
    /// <param name="overrideVariable">Name of the variable that overrides the root.</param>
    /// <returns>An absolute path, or null when no home or cache directory can be determined.</returns>
    public static string? UserCacheRoot(Func<string, string?> getEnv, string overrideVariable = OverrideVariable)
    {
        var over = getEnv(overrideVariable);
        if (!string.IsNullOrEmpty(over))
            return Path.GetFullPath(over);
        if (OperatingSystem.IsWindows())
        {
            var local = getEnv("LOCALAPPDATA");
            return string.IsNullOrEmpty(local) ? null : Path.Combine(local, "pyfreeze");
        }
        var home = getEnv("HOME");
        if (OperatingSystem.IsMacOS())
            return string.IsNullOrEmpty(home) ? null : Path.Combine(home, "Library", "Caches", "pyfreeze");
        var xdg = getEnv("XDG_CACHE_HOME");
        if (!string.IsNullOrEmpty(xdg) && Path.IsPathRooted(xdg))
            return Path.Combine(xdg, "pyfreeze");
        return string.IsNullOrEmpty(home) ? null : Path.Combine(home, ".cache", "pyfreeze");
    }
}
