namespace PyFreeze.Release;

/// <summary>What every artifact of one release says about itself.</summary>
/// <param name="Version">The version (Directory.Build.props' <c>Version</c>, a PEP 440 and NuGet SemVer version such as <c>0.1.0</c>).</param>
/// <param name="RepositoryUrl">The project's home, for the project URLs.</param>
/// <param name="License">The SPDX license expression.</param>
/// <param name="SourceDateEpoch">Seconds since 1970 (SOURCE_DATE_EPOCH: the commit's time), the archives' timestamp.</param>
/// <param name="Commit">The commit the release is built from, or empty.</param>
public sealed record ReleaseInfo(string Version, string RepositoryUrl, string License, long SourceDateEpoch, string Commit)
{
    /// <summary>The one-line summary.</summary>
    public const string Summary = "Freeze a Python program into one executable that runs on a machine with no Python.";
}

/// <summary>The package tree an installed PyFreeze keeps beside its executable (see PyFreeze.Emit.InstalledPackage):
/// the bootloader kits, the bootloader's source and the manifest.</summary>
public static class PackageTree
{
    /// <summary>The bootloader's sources (repository-relative), shipped so that a RID with no kit in the package can
    /// still be published with the .NET SDK: the bootloader project, the payload contract it links, and the props
    /// every project imports.</summary>
    public static IEnumerable<string> BootloaderSources(string repo)
    {
        yield return "Directory.Build.props";
        foreach (var dir in new[] { "bootloader", Path.Combine("src", "PyFreeze.Payload") })
            foreach (var f in Directory.EnumerateFiles(Path.Combine(repo, dir))
                         .Where(f => f.EndsWith(".cs", StringComparison.Ordinal) || f.EndsWith(".csproj", StringComparison.Ordinal))
                         .Order(StringComparer.Ordinal))
                yield return Path.GetRelativePath(repo, f).Replace('\\', '/');
    }

    /// <summary>Lays the tree out in <paramref name="dest"/> (emptied first): <c>kits/RID/…</c> (every folder of
    /// <paramref name="kitsDir"/> holding files, copied whole, whatever the kit's format), <c>bootloader-src/…</c>,
    /// and the manifest for <paramref name="channel"/>.</summary>
    /// <param name="dest">The tree's folder.</param>
    /// <param name="kitsDir">A folder of kits, one folder per RID.</param>
    /// <param name="repo">The source checkout.</param>
    /// <param name="version">The release's version.</param>
    /// <param name="channel"><c>wheel</c> or <c>dotnet-tool</c>.</param>
    /// <param name="only">The RIDs whose kits to take (null: every kit).</param>
    /// <returns>The RIDs of the kits laid out.</returns>
    /// <exception cref="InvalidOperationException">No kit (of <paramref name="only"/>) in <paramref name="kitsDir"/>.</exception>
    public static IReadOnlyList<string> Lay(string dest, string kitsDir, string repo, string version, string channel, IReadOnlyCollection<string>? only = null)
    {
        if (Directory.Exists(dest))
            Directory.Delete(dest, true);
        Directory.CreateDirectory(dest);
        var rids = new List<string>();
        foreach (var kit in (Directory.Exists(kitsDir) ? Directory.GetDirectories(kitsDir) : []).Order(StringComparer.Ordinal))
        {
            var files = Directory.EnumerateFiles(kit, "*", SearchOption.AllDirectories).ToList();
            if (files.Count == 0)
                continue;
            var rid = Path.GetFileName(kit);
            if (only is not null && !only.Contains(rid))
                continue;
            rids.Add(rid);
            foreach (var f in files)
                Copy(f, Path.Combine(dest, "kits", rid, Path.GetRelativePath(kit, f)));
        }
        if (rids.Count == 0)
            throw new InvalidOperationException($"{kitsDir}: no bootloader kit{(only is null ? "" : " for " + string.Join(", ", only))} (build the solution, or publish bootloader/ with -p:PyFreezeKitDir=DIR/RID)");
        foreach (var f in BootloaderSources(repo))
            Copy(Path.Combine(repo, f), Path.Combine(dest, "bootloader-src", f));
        PyFreeze.Emit.InstalledPackage.WriteManifest(dest, version, channel);
        return rids;
    }

    private static void Copy(string from, string to)
    {
        Directory.CreateDirectory(Path.GetDirectoryName(to)!);
        File.Copy(from, to, overwrite: true);
        if (!OperatingSystem.IsWindows())
            File.SetUnixFileMode(to, File.GetUnixFileMode(from));
    }

    /// <summary>Writes each kit of <paramref name="kitsDir"/> as <c>pyfreeze-bootloader-kit-RID-VERSION.zip</c> (entries
    /// under <c>RID/</c>: unzipped, that folder is a <c>--bootloader-kit</c>) into <paramref name="outDir"/>.</summary>
    /// <returns>The archives written.</returns>
    public static IReadOnlyList<string> WriteKitArchives(string kitsDir, ReleaseInfo info, string outDir)
    {
        var written = new List<string>();
        foreach (var kit in Directory.GetDirectories(kitsDir).Order(StringComparer.Ordinal))
        {
            var rid = Path.GetFileName(kit);
            var items = Items(kit, rid + "/").ToList();
            if (items.Count == 0)
                continue;
            var path = Path.Combine(outDir, $"pyfreeze-bootloader-kit-{rid}-{info.Version}.zip");
            ReproducibleZip.Write(path, items, ReproducibleZip.Timestamp(info.SourceDateEpoch));
            written.Add(path);
        }
        return written;
    }

    /// <summary>The tree's files as archive items under <paramref name="prefix"/>, sorted by path.</summary>
    public static IEnumerable<ZipItem> Items(string tree, string prefix) =>
        Directory.EnumerateFiles(tree, "*", SearchOption.AllDirectories)
            .Select(f => ZipItem.FromFile(prefix + Path.GetRelativePath(tree, f).Replace('\\', '/'), f))
            .OrderBy(i => i.Path, StringComparer.Ordinal);
}
