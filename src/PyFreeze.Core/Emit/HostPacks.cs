using PyFreeze.Diagnostics;

namespace PyFreeze.Emit;

/// <summary>
/// The .NET packs publishing the bootloader for another RID needs: its apphost pack (the single-file host) and its
/// runtime pack. They restore from NuGet; for a build machine that cannot reach them (osx-arm64's were
/// unreachable from here once) they are looked for in <c>--host-pack DIR</c> (.nupkg files, handed to the restore as a package source), the
/// NuGet package cache (<c>$NUGET_PACKAGES</c>, else <c>~/.nuget/packages</c>) and the SDK's own <c>packs/</c> folder.
/// </summary>
public static class HostPacks
{
    /// <summary>The package ids a RID's bootloader needs.</summary>
    public static IReadOnlyList<string> PackagesFor(Rid rid) =>
        [$"Microsoft.NETCore.App.Host.{rid.Name}", $"Microsoft.NETCore.App.Runtime.{rid.Name}"];

    /// <summary>Checks that every pack of <paramref name="rid"/> is available locally.</summary>
    /// <param name="rid">The target.</param>
    /// <param name="hostPackDir"><c>--host-pack</c>, or null.</param>
    /// <param name="nugetCache">The NuGet package cache (default: <c>$NUGET_PACKAGES</c>, else <c>~/.nuget/packages</c>).</param>
    /// <param name="dotnetRoot">The .NET install holding <c>packs/</c> (default: the running runtime's).</param>
    /// <exception cref="PyFreezeException">A pack is missing (the message names the packages and where to put them),
    /// or <paramref name="hostPackDir"/> does not exist.</exception>
    public static void Require(Rid rid, string? hostPackDir, string? nugetCache = null, string? dotnetRoot = null)
    {
        if (hostPackDir is not null)
            CheckFolder(rid, hostPackDir);
        if (dotnetRoot is null && !SdkInstalled())
            return; // packs serve only an SDK's publish: with none, the missing SDK is what the caller reports

        nugetCache ??= Environment.GetEnvironmentVariable("NUGET_PACKAGES") is { Length: > 0 } n ? n
            : Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".nuget", "packages");
        dotnetRoot ??= SdkRoot();
        var missing = PackagesFor(rid).Where(p => !Available(p, hostPackDir, nugetCache, dotnetRoot)).ToList();
        if (missing.Count == 0)
            return;
        var where = hostPackDir is null ? $"not in the NuGet cache ({nugetCache}) and no --host-pack given" : $"not in --host-pack {hostPackDir} nor in the NuGet cache ({nugetCache})";
        throw new PyFreezeException($"--target {rid.Name}: the bootloader needs the .NET package{(missing.Count > 1 ? "s" : "")} {string.Join(" and ", missing)} (version {Environment.Version.Major}.{Environment.Version.Minor}.x), {where}; download the .nupkg file{(missing.Count > 1 ? "s" : "")} from nuget.org and pass their folder with --host-pack DIR", 2);
    }

    /// <summary>The .NET install whose SDK would publish a bootloader: <c>$DOTNET_ROOT</c>, else the folder of the
    /// <c>dotnet</c> found on PATH (through its symlinks), else the running runtime's install. An installed PyFreeze
    /// runs on its own runtime (self-contained), so the running runtime is the last guess, not the first.</summary>
    public static string SdkRoot()
    {
        if (Environment.GetEnvironmentVariable("DOTNET_ROOT") is { Length: > 0 } root)
            return root;
        var exe = OperatingSystem.IsWindows() ? "dotnet.exe" : "dotnet";
        foreach (var dir in (Environment.GetEnvironmentVariable("PATH") ?? "").Split(Path.PathSeparator, StringSplitOptions.RemoveEmptyEntries))
        {
            var candidate = Path.Combine(dir, exe);
            if (!File.Exists(candidate))
                continue;
            var target = new FileInfo(candidate).ResolveLinkTarget(returnFinalTarget: true)?.FullName ?? candidate;
            return Path.GetDirectoryName(Path.GetFullPath(target))!;
        }
        // shared/Microsoft.NETCore.App/VERSION/ holds the running runtime in a framework-dependent install
        return Path.GetFullPath(Path.Combine(System.Runtime.InteropServices.RuntimeEnvironment.GetRuntimeDirectory(), "..", "..", ".."));
    }

    /// <summary>Whether <c>dotnet</c> runs here with an SDK (<c>dotnet --list-sdks</c> lists one): a runtime-only
    /// install, or none, cannot publish a bootloader.</summary>
    public static bool SdkInstalled()
    {
        try
        {
            var r = Processes.ProcessRunner.Run("dotnet", ["--list-sdks"], timeout: TimeSpan.FromMinutes(1));
            return r.ExitCode == 0 && r.StdOut.Trim().Length > 0;
        }
        catch (PyFreezeException)
        {
            return false;
        }
    }

    /// <summary>Checks that a <c>--host-pack</c> folder exists.</summary>
    /// <exception cref="PyFreezeException">It does not (exit code 2).</exception>
    public static void CheckFolder(Rid rid, string hostPackDir)
    {
        if (!Directory.Exists(hostPackDir))
            throw new PyFreezeException($"--host-pack {hostPackDir}: no such folder; give the folder holding the {string.Join(" and ", PackagesFor(rid).Select(p => p + ".*.nupkg"))} files", 2);
    }

    private static bool Available(string package, string? hostPackDir, string nugetCache, string dotnetRoot)
    {
        if (hostPackDir is not null && Directory.EnumerateFiles(hostPackDir).Any(f =>
                Path.GetFileName(f).StartsWith(package + ".", StringComparison.OrdinalIgnoreCase) && f.EndsWith(".nupkg", StringComparison.OrdinalIgnoreCase)))
            return true;
        var cached = Path.Combine(nugetCache, package.ToLowerInvariant());
        if (Directory.Exists(cached) && Directory.EnumerateDirectories(cached).Any())
            return true;
        var pack = Path.Combine(dotnetRoot, "packs", package);
        return Directory.Exists(pack) && Directory.EnumerateDirectories(pack).Any();
    }
}
