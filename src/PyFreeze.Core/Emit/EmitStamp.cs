using System.Text.Json;
using PyFreeze.Assemble;
using PyFreeze.Cache;
using PyFreeze.Payload;

namespace PyFreeze.Emit;

/// <summary>
/// Lets a rebuild with nothing changed keep <c>dist/NAME</c> instead of bundling it again: the work folder keeps a stamp
/// of what the executable was made from (payload hash, bootloader kit, launch settings, target) and of the file written
/// (size, modification time). When both still match, the existing executable is the one the build would write, byte
/// for byte.
/// </summary>
public static class EmitStamp
{
    private sealed record Saved(string Key, long Size, long MtimeTicks, long PayloadOffset, long BootloaderSize, string Bootloader);

    /// <summary>The stamp key of an executable made from these inputs.</summary>
    /// <param name="kit">The bootloader kit (the size and time of its host and of every kit file stand for its contents:
    /// a republished bootloader keeps the runtime's host file as it was, so the host alone would not tell).</param>
    /// <param name="rid">The target.</param>
    /// <param name="payload">The payload archive.</param>
    /// <param name="settings">The launch settings before the payload's place is filled in.</param>
    /// <param name="windowed">GUI subsystem.</param>
    /// <param name="compress">Compressed bundle.</param>
    /// <param name="report">The embedded build report's bytes (<see cref="Report.EmbeddedReport"/>), or null.</param>
    public static string Key(BootloaderKit kit, Rid rid, PayloadArchive payload, LaunchSettings settings, bool windowed, bool compress, byte[]? report = null)
    {
        var host = new FileInfo(kit.Host);
        var parts = new List<object> { "emit-3", report ?? [], kit.Kind, rid.Name, kit.Directory, host.Length, host.LastWriteTimeUtc.Ticks, payload.Sha256, windowed, compress };
        foreach (var file in kit.Files)
        {
            var info = new FileInfo(kit.FilePath(file));
            parts.Add(file);
            parts.Add(info.Exists ? info.Length : -1);
            parts.Add(info.Exists ? info.LastWriteTimeUtc.Ticks : 0);
        }
        foreach (var (k, v) in settings.ToProperties())
            parts.Add(k + "=" + v);
        return BuildCache.Key([.. parts]);
    }

    /// <summary>The earlier result when <paramref name="output"/> is still what <paramref name="key"/> describes, else null.</summary>
    /// <param name="stampPath">The stamp file in the work folder.</param>
    /// <param name="output">The executable in the dist folder.</param>
    /// <param name="key">From <see cref="Key"/>.</param>
    public static EmitResult? Reuse(string stampPath, string output, string key)
    {
        try
        {
            if (!File.Exists(stampPath) || !File.Exists(output))
                return null;
            var saved = JsonSerializer.Deserialize<Saved>(File.ReadAllText(stampPath));
            var info = new FileInfo(output);
            if (saved is null || saved.Key != key || saved.Size != info.Length || saved.MtimeTicks != info.LastWriteTimeUtc.Ticks)
                return null;
            return new EmitResult(output, saved.Size, saved.PayloadOffset, saved.BootloaderSize, saved.Bootloader ?? BootloaderKit.SingleFile);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or JsonException)
        {
            return null;
        }
    }

    /// <summary>Records what was just written (best effort: without a stamp the next build bundles again).</summary>
    public static void Save(string stampPath, string key, EmitResult result)
    {
        try
        {
            var info = new FileInfo(result.Path);
            File.WriteAllText(stampPath, JsonSerializer.Serialize(new Saved(key, info.Length, info.LastWriteTimeUtc.Ticks, result.PayloadOffset, result.BootloaderSize, result.Bootloader)));
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
        }
    }
}
