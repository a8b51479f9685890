using System.Security.Cryptography;
using PyFreeze.Diagnostics;
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

    /// <summary>The default cache for this user: the override variable, else the user cache root. When that folder
    /// cannot be written, a private folder under the temporary directory is used and <paramref name="log"/> says so once.</summary>
    public static BuildCache Default(Log? log = null)
    {
        var over = Environment.GetEnvironmentVariable(OverrideVariable);
        var root = !string.IsNullOrEmpty(over) ? over
            : CacheLocation.UserCacheRoot(Environment.GetEnvironmentVariable) is { } user ? Path.Combine(user, "build")
            : null;
        if (root is not null && Writable(root))
            return new BuildCache(root);
        var fallback = Path.Combine(Path.GetTempPath(), $"pyfreeze-build-{Environment.UserName}");
        log?.Warn($"the build cache {root ?? "(no home folder)"} is not writable; using {fallback} for this build");
        return new BuildCache(fallback);
    }

    private static bool Writable(string dir)
    {
        try
        {
            Directory.CreateDirectory(dir);
            var probe = Path.Combine(dir, $".write-test-{Environment.ProcessId}");
            File.WriteAllBytes(probe, []);
            File.Delete(probe);
            return true;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return false;
        }
    }

    /// <summary>Path of an entry: <c>ROOT/KIND/ab/abcdef….EXT</c>.</summary>
    /// <param name="kind">Entry family (<c>pyc</c>, <c>binary</c>, <c>deflate</c>).</param>
    /// <param name="key">Lower-case hex key.</param>
    /// <param name="extension">File extension including the dot, or empty.</param>
    public string PathOf(string kind, string key, string extension = "") =>
        System.IO.Path.Combine(Root, kind, key[..2], key + extension);

    /// <summary>Looks up an entry and checks it against the SHA-256 recorded beside it when it was stored; a truncated or
    /// altered entry is deleted and reported absent, so the caller makes it again.</summary>
    /// <returns>The entry's path when present and intact, else null.</returns>
    public string? TryGet(string kind, string key, string extension = "")
    {
        var p = PathOf(kind, key, extension);
        var sum = p + ".sha256";
        try
        {
            if (!File.Exists(p) || !File.Exists(sum))
                return null;
            var expected = File.ReadAllText(sum).Trim();
            using (var f = File.OpenRead(p))
                if (Convert.ToHexStringLower(SHA256.HashData(f)) == expected)
                    return p;
            File.Delete(p);
            File.Delete(sum);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
        }
        return null;
    }

    /// <summary>Stores a finished file under a key by atomic rename (the source is moved, not copied), with its SHA-256
    /// beside it (written first, so a reader never sees an entry without its sum).</summary>
    /// <returns>The entry's path.</returns>
    public string Put(string kind, string key, string sourceFile, string extension = "")
    {
        var dest = PathOf(kind, key, extension);
        Directory.CreateDirectory(System.IO.Path.GetDirectoryName(dest)!);
        string hash;
        using (var f = File.OpenRead(sourceFile))
            hash = Convert.ToHexStringLower(SHA256.HashData(f));
        var sumTmp = sourceFile + ".sha256";
        File.WriteAllText(sumTmp, hash);
        File.Move(sumTmp, dest + ".sha256", overwrite: true);
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
