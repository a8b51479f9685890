using System.Reflection;
using PyFreeze.Cache;
using PyFreeze.Diagnostics;
using PyFreeze.Processes;

namespace PyFreeze.Emit;

/// <summary>
/// The bootloader published for one RID (self-contained, trimmed, ReadyToRun): the files the SDK would bundle and
/// the pristine single-file host. Made once (with the tool's build for the host RID, or on first use into the
/// build cache) so that building an app never runs the SDK. Layout: <c>kit.txt</c> (<c>rid=</c>, <c>framework=</c>,
/// <c>assembly=</c>, <c>host=</c>, then one <c>file=RELATIVE</c> line per bundled file), <c>singlefilehost[.exe]</c>,
/// <c>files/…</c>.
/// </summary>
public sealed class BootloaderKit
{
    private static readonly System.Collections.Concurrent.ConcurrentDictionary<string, object> PublishLocks = new(StringComparer.Ordinal);

    /// <summary>The kit's folder.</summary>
    public required string Directory { get; init; }

    /// <summary>The RID it was published for.</summary>
    public required string Rid { get; init; }

    /// <summary>The .NET runtime version bundled (e.g. 10.0.12).</summary>
    public required string Framework { get; init; }

    /// <summary>The bootloader's assembly name (<c>PyFreeze.Bootloader</c>).</summary>
    public required string AssemblyName { get; init; }

    /// <summary>The pristine single-file host (not yet patched with an app name).</summary>
    public required string SingleFileHost { get; init; }

    /// <summary>Bundle-relative paths of the files to bundle (in <c>files/</c>).</summary>
    public required IReadOnlyList<string> Files { get; init; }

    /// <summary>Which bootloader this is, for the build's output: "the .NET 10.0.12 single-file host for linux-arm64
    /// (PyFreeze.Bootloader, ReadyToRun)".</summary>
    public string Description => $"the .NET {(Framework.Length > 0 ? Framework + " " : "")}single-file host for {Rid} ({AssemblyName}, ReadyToRun)";

    /// <summary>Absolute path of a bundled file.</summary>
    public string FilePath(string relative) => Path.Combine(Directory, "files", relative);

    /// <summary>Reads a kit folder.</summary>
    /// <returns>The kit, or null when the folder holds no complete kit.</returns>
    public static BootloaderKit? Read(string dir)
    {
        var manifest = Path.Combine(dir, "kit.txt");
        if (!File.Exists(manifest))
            return null;
        var values = new Dictionary<string, string>(StringComparer.Ordinal);
        var files = new List<string>();
        foreach (var line in File.ReadAllLines(manifest))
        {
            var i = line.IndexOf('=');
            if (i <= 0)
                continue;
            var (k, v) = (line[..i], line[(i + 1)..]);
            if (k == "file")
                files.Add(v);
            else
                values[k] = v;
        }
        if (!values.TryGetValue("rid", out var rid) || !values.TryGetValue("host", out var host) || files.Count == 0)
            return null;
        var kit = new BootloaderKit
        {
            Directory = dir,
            Rid = rid,
            Framework = values.GetValueOrDefault("framework", ""),
            AssemblyName = values.GetValueOrDefault("assembly", "PyFreeze.Bootloader"),
            SingleFileHost = Path.Combine(dir, host),
            Files = files,
        };
        if (!File.Exists(kit.SingleFileHost) || files.Any(f => !File.Exists(kit.FilePath(f))))
            return null;
        return kit;
    }

    /// <summary>
    /// Finds the kit for a RID: next to the tool (<c>kits/RID</c>), then in the build cache; otherwise publishes
    /// the bootloader project (when its source is known to this build of PyFreeze) into the build cache.
    /// </summary>
    /// <exception cref="PyFreezeException">No kit and no way to make one (the message says what is missing).</exception>
    public static BootloaderKit Locate(Rid rid, BuildCache cache, Log log, string? hostPackDir = null)
    {
        var existing = FindExisting(rid, cache, out var dir);
        if (existing is not null)
            return existing;
        var project = BootloaderProject();
        if (project is null)
            throw new PyFreezeException($"no bootloader for {rid.Name} is installed with PyFreeze (looked in {Path.Combine(AppContext.BaseDirectory, "kits")}); reinstall PyFreeze with that RID's kit");
        // Builds running in parallel in one process (tests, an IDE host) publish a RID's kit once: the others wait for it.
        lock (PublishLocks.GetOrAdd(dir, _ => new object()))
        {
            if (Read(dir) is { } published)
                return published;
            log.Info($"Publishing the bootloader for {rid.Name} (once; cached in {dir})");
            Publish(project, rid.Name, dir, hostPackDir);
            return Read(dir) ?? throw new PyFreezeException($"publishing the bootloader for {rid.Name} left no kit in {dir}");
        }
    }

    /// <summary>The kit for a RID when one exists already (next to the tool, in the checkout's artifacts, or in the
    /// build cache), without publishing; <paramref name="cacheDir"/> is where a published one would go.</summary>
    public static BootloaderKit? FindExisting(Rid rid, BuildCache cache, out string cacheDir)
    {
        cacheDir = "";
        var shipped = Read(Path.Combine(AppContext.BaseDirectory, "kits", rid.Name));
        if (shipped is not null)
            return shipped;
        var checkoutKits = typeof(BootloaderKit).Assembly.GetCustomAttributes<AssemblyMetadataAttribute>()
            .FirstOrDefault(a => a.Key == "PyFreezeKitsDirectory")?.Value;
        var built = checkoutKits is null ? null : Read(Path.Combine(checkoutKits, rid.Name));
        if (built is not null)
            return built;
        var project = BootloaderProject();
        var version = typeof(BootloaderKit).Assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion ?? "0";
        var key = BuildCache.Key("kit-1", rid.Name, version, project is null ? "" : SourceStamp(Path.GetDirectoryName(project)!));
        cacheDir = Path.Combine(cache.Root, "kits", $"{rid.Name}-{key[..16]}");
        return Read(cacheDir);
    }

    /// <summary>Publishes the bootloader project for <paramref name="rid"/> into <paramref name="kitDir"/> with <c>dotnet publish</c>.</summary>
    /// <exception cref="PyFreezeException">dotnet is missing or the publish fails (e.g. the RID's runtime pack cannot be restored).</exception>
    public static void Publish(string project, string rid, string kitDir, string? hostPackDir = null)
    {
        var tmp = kitDir + $".{Environment.ProcessId}.tmp";
        var obj = Path.Combine(Path.GetTempPath(), $"pyfreeze-kit-obj-{rid}-{Environment.ProcessId}");
        var args = new List<string>
        {
            "publish", project, "-c", "Release", "-r", rid, "--nologo", "-v", "quiet",
            $"-p:PyFreezeKitDir={tmp}/", $"-p:PyFreezeObjRoot={obj}/", "-o", Path.Combine(obj, "out"),
        };
        if (hostPackDir is not null)
            args.Add($"-p:RestoreAdditionalProjectSources={hostPackDir}");
        var result = ProcessRunner.Run("dotnet", args, timeout: TimeSpan.FromMinutes(15));
        try
        {
            if (result.ExitCode != 0)
            {
                var why = result.StdOut.Split('\n').Concat(result.StdErr.Split('\n')).FirstOrDefault(l => l.Contains("error", StringComparison.OrdinalIgnoreCase))?.Trim();
                throw new PyFreezeException($"cannot publish the bootloader for {rid}: {why ?? $"dotnet publish exit code {result.ExitCode}"}");
            }
            if (System.IO.Directory.Exists(kitDir))
                System.IO.Directory.Delete(kitDir, true);
            System.IO.Directory.CreateDirectory(Path.GetDirectoryName(kitDir)!);
            System.IO.Directory.Move(tmp, kitDir);
        }
        finally
        {
            try { System.IO.Directory.Delete(obj, true); } catch (IOException) { } catch (UnauthorizedAccessException) { }
            try { if (System.IO.Directory.Exists(tmp)) System.IO.Directory.Delete(tmp, true); } catch (IOException) { }
        }
    }

    /// <summary>The bootloader project this build of PyFreeze came from, when it still exists (a source checkout).</summary>
    public static string? BootloaderProject()
    {
        var path = typeof(BootloaderKit).Assembly.GetCustomAttributes<AssemblyMetadataAttribute>()
            .FirstOrDefault(a => a.Key == "PyFreezeBootloaderProject")?.Value;
        return path is not null && File.Exists(path) ? path : null;
    }

    /// <summary>A hash of the bootloader's sources (and the payload contract it links), so edits make a new kit.</summary>
    private static string SourceStamp(string bootloaderDir)
    {
        var payloadDir = Path.GetFullPath(Path.Combine(bootloaderDir, "..", "src", "PyFreeze.Payload"));
        var parts = new List<object>();
        foreach (var dir in new[] { bootloaderDir, payloadDir })
        {
            if (!System.IO.Directory.Exists(dir))
                continue;
            foreach (var f in System.IO.Directory.EnumerateFiles(dir, "*", SearchOption.TopDirectoryOnly)
                         .Where(f => f.EndsWith(".cs", StringComparison.Ordinal) || f.EndsWith(".csproj", StringComparison.Ordinal))
                         .Order(StringComparer.Ordinal))
            {
                parts.Add(Path.GetFileName(f));
                parts.Add(File.ReadAllBytes(f));
            }
        }
        return BuildCache.Key([.. parts]);
    }
}
