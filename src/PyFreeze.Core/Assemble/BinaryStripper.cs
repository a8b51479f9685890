using PyFreeze.Cache;
using PyFreeze.Diagnostics;
using PyFreeze.Processes;

namespace PyFreeze.Assemble;

/// <summary>
/// Removes debug information from ELF binaries before they are bundled (pyenv's libpython is 23 MB with it, 6 MB
/// without), with binutils' <c>strip --strip-debug</c> (symbols stay, so ctypes and tracebacks keep working).
/// Results are cached by content; when <c>strip</c> is absent the binary is bundled as it is.
/// </summary>
public sealed class BinaryStripper(BuildCache cache, Log log)
{
    private static readonly Lazy<string?> StripTool = new(() =>
    {
        foreach (var dir in (Environment.GetEnvironmentVariable("PATH") ?? "").Split(':', StringSplitOptions.RemoveEmptyEntries))
        {
            var p = Path.Combine(dir, "strip");
            if (File.Exists(p))
                return p;
        }
        return null;
    });

    private int _warned;

    /// <summary>Returns a path to the stripped copy of <paramref name="path"/>, or <paramref name="path"/> itself when it is
    /// not ELF, has nothing to strip, or cannot be stripped.</summary>
    public string Strip(string path)
    {
        if (!IsElf(path))
            return path;
        var tool = StripTool.Value;
        if (tool is null)
        {
            if (Interlocked.Exchange(ref _warned, 1) == 0)
                log.Debug("strip (binutils) not found: binaries are bundled with their debug information");
            return path;
        }
        var info = new FileInfo(path);
        var key = BuildCache.Key("strip-1", File.ReadAllBytes(path));
        var hit = cache.TryGet("strip", key);
        if (hit is not null)
            return hit;
        var tmp = cache.TempFile("strip");
        var result = ProcessRunner.Run(tool, ["--strip-debug", "-o", tmp, path], timeout: TimeSpan.FromMinutes(2));
        if (result.ExitCode != 0 || !File.Exists(tmp) || new FileInfo(tmp).Length == 0)
        {
            log.Debug($"strip failed for {path}: {result.StdErr.Trim()}");
            try { File.Delete(tmp); } catch (IOException) { }
            return path;
        }
        if (new FileInfo(tmp).Length >= info.Length)
        {
            File.Delete(tmp);
            File.Copy(path, tmp);
        }
        return cache.Put("strip", key, tmp);
    }

    private static bool IsElf(string path)
    {
        try
        {
            using var f = File.OpenRead(path);
            Span<byte> magic = stackalloc byte[4];
            return f.Read(magic) == 4 && magic.SequenceEqual((ReadOnlySpan<byte>)[0x7f, (byte)'E', (byte)'L', (byte)'F']);
        }
        catch (IOException)
        {
            return false;
        }
    }
}
