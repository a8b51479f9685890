using System.Security.Cryptography;
using PyFreeze.Payload;

namespace PyFreeze.Cache;

/// <summary>
/// The build's content-addressed cache: compiled bytecode, stripped binaries and bootloader kits, each stored under
/// the SHA-256 of everything that determines it, so a rebuild with no change does no work and concurrent builds can
/// share it (files appear by atomic rename; a reader never sees a partial file). Default location:
/// <c>$PYFREEZE_BUILD_CACHE</c>, else <c>CACHE_ROOT/build</c> (see <see cref="CacheLocation"/>).
/// </summary>
public sealed class BuildCache
{
    /// <summary>Environment variable that moves the build cache.</summary>
    public const string OverrideVariable = "PYFREEZE_BUILD_CACHE";

    /// <summary>Creates a cache rooted at <paramref name="root"/> (created on first write).</summary>
    public BuildCache(string root) => Root = Path.GetFullPath(root);

    /// <summary>The cache's folder.</summary>
    public string Root { get; }

    /// <summary>The default cache for this user: the override variable, else the user cache root, else a temp folder.</summary>
    public static BuildCache Default()
    {
        var over = Environment.GetEnvironmentVariable(OverrideVariable);
        if (!string.IsNullOrEmpty(over))
            return new BuildCache(over);
        var root = CacheLocation.UserCacheRoot(Environment.GetEnvironmentVariable);
        return new BuildCache(root is null ? Path.Combine(Path.GetTempPath(), "pyfreeze-build-cache") : Path.Combine(root, "build"));
    }

    /// <summary>Path of an entry: <c>ROOT/KIND/ab/abcdef….EXT</c>.</summary>
    /// <param name="kind">Entry family (<c>pyc</c>, <c>strip</c>, …).</param>
    /// <param name="key">Lower-case hex key.</param>
    /// <param name="extension">File extension including the dot, or empty.</param>
    public string PathOf(string kind, string key, string extension = "") =>
        System.IO.Path.Combine(Root, kind, key[..2], key + extension);

    /// <summary>Looks up an entry.</summary>
    /// <returns>The entry's path when present and non-empty, else null.</returns>
    public string? TryGet(string kind, string key, string extension = "")
    {
        var p = PathOf(kind, key, extension);
        var info = new FileInfo(p);
        return info.Exists && info.Length > 0 ? p : null;
    }

    /// <summary>Stores a finished file under a key by atomic rename (the source is moved, not copied).</summary>
    /// <returns>The entry's path.</returns>
    public string Put(string kind, string key, string sourceFile, string extension = "")
    {
        var dest = PathOf(kind, key, extension);
        Directory.CreateDirectory(System.IO.Path.GetDirectoryName(dest)!);
        File.Move(sourceFile, dest, overwrite: true);
        return dest;
    }

    /// <summary>A temporary file path inside the cache (same file system, so <see cref="Put"/> is a rename).</summary>
    public string TempFile(string kind)
    {
        var dir = System.IO.Path.Combine(Root, kind, "tmp");
        Directory.CreateDirectory(dir);
        return System.IO.Path.Combine(dir, $"{Environment.ProcessId}-{Guid.NewGuid():N}.tmp");
    }

    /// <summary>SHA-256 of the given parts (strings as UTF-8, each length-prefixed so boundaries count), lower-case hex.</summary>
    public static string Key(params object[] parts)
    {
        using var h = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        Span<byte> len = stackalloc byte[8];
        foreach (var part in parts)
        {
            var bytes = part switch
            {
                byte[] b => b,
                string s => System.Text.Encoding.UTF8.GetBytes(s),
                _ => System.Text.Encoding.UTF8.GetBytes(Convert.ToString(part, System.Globalization.CultureInfo.InvariantCulture) ?? ""),
            };
            BitConverter.TryWriteBytes(len, (long)bytes.Length);
            h.AppendData(len);
            h.AppendData(bytes);
        }
        return Convert.ToHexStringLower(h.GetHashAndReset());
    }
}
