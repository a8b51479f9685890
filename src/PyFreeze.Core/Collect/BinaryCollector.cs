using PyFreeze.Analyze;
using PyFreeze.Binaries;
using PyFreeze.Diagnostics;

namespace PyFreeze.Collect;

/// <summary>
/// Adds the shared libraries that the interpreter, libpython and the extension modules need, beyond the ones every
/// target system has (the glibc family on Linux; see <see cref="SystemLibraryPolicy"/>), found by reading their
/// dynamic sections and resolving the names as the dynamic loader does (<see cref="DependencyWalker"/>).
/// </summary>
/// <remarks>
/// A library found inside a search-path folder (a wheel's <c>numpy.libs/</c>, <c>Pillow.libs/</c>) keeps its place
/// below <c>app/</c>, where its users' <c>$ORIGIN</c> RUNPATH looks; every other library goes flat into the runtime's
/// library folder, which the bootloader puts first on the loader path, under the name its users ask for.
/// </remarks>
public static class BinaryCollector
{
    /// <summary>Adds libraries to <paramref name="plan"/> and records excluded and missing ones.</summary>
    /// <param name="plan">The plan, holding the interpreter and extension modules already.</param>
    /// <param name="analysis">The analysis (search path, for wheel-bundled libraries).</param>
    /// <param name="layout">Where the runtime's library folder is.</param>
    /// <param name="rid">The target.</param>
    /// <param name="log">Messages.</param>
    /// <param name="sysroot">A Linux cross build's runtime folder (<see cref="PyFreeze.Probe.LinuxRuntimeFacts.Sysroot"/>), or
    /// null for this machine. With one, libraries are looked for only as the target's loader would find them inside it
    /// and beside the app's own binaries ($ORIGIN), never in this machine's folders, LD_LIBRARY_PATH or ld.so.cache, and
    /// every root must be a binary of the RID's CPU.</param>
    /// <exception cref="PyFreezeException">A bundled binary is corrupt, or of another CPU than a cross build's.</exception>
    public static void Collect(CollectPlanBuilder plan, AnalysisResult analysis, RuntimeLayout layout, Rid rid, Log log, string? sysroot)
    {
        var platform = rid.IsWindows ? TargetPlatform.Windows : rid.IsMacOS ? TargetPlatform.MacOS : TargetPlatform.Linux;
        var interpreter = plan.Entries.First(e => e.Dest == layout.Interpreter);
        var roots = plan.Entries
            .Where(e => e.Kind == PayloadEntryKind.Binary && e.Source is not null && e != interpreter)
            .Select(e => e.Source!)
            .Distinct(StringComparer.Ordinal)
            .Where(p => BinaryInspector.Identify(p) is not null)
            .ToList();
        var ldLibraryPath = sysroot is not null ? Array.Empty<string>() : (Environment.GetEnvironmentVariable("LD_LIBRARY_PATH") ?? "")
            .Split(':', StringSplitOptions.RemoveEmptyEntries);
        DependencyGraph graph;
        try
        {
            ILoaderFileSystem fs = sysroot is null ? DiskFileSystem.Instance : new SysrootFileSystem(sysroot);
            graph = new DependencyWalker(fs, SystemLibraryPolicy.For(platform), new DependencyWalkerOptions
            {
                Linux = new LinuxLoaderOptions { LibraryPath = ldLibraryPath, Sysroot = sysroot },
                RequiredArchitecture = sysroot is null ? null : rid.Architecture,
                // Windows: the bootloader adds the runtime's folders to the DLL search path (AddDllDirectory).
                WindowsApplicationDirectories = rid.IsWindows && interpreter.Source is not null
                    ? [.. new[] { Path.GetDirectoryName(interpreter.Source), analysis.Interpreter.LibDynload }
                        .Where(d => !string.IsNullOrEmpty(d)).Select(d => Path.TrimEndingDirectorySeparator(d!))]
                    : [],
            }).Walk(roots, interpreter.Source);
        }
        catch (BinaryFormatException e)
        {
            throw new PyFreezeException($"{e.FileName}: not a usable binary ({e.Problem}); exclude the module that brings it{(sysroot is null ? "" : $", or install its package for {rid.Name}")}", 1, e);
        }

        var bundledSources = new HashSet<string>(plan.Entries.Where(e => e.Source is not null).Select(e => RealPath(e.Source!)), StringComparer.Ordinal);
        var appRoots = analysis.SearchPath.Where(p => !IsRuntimeRoot(p, analysis)).ToList();
        foreach (var lib in graph.Libraries)
        {
            if (bundledSources.Contains(lib.RealPath))
                continue; // already collected (package data inside a package folder)
            var neededBy = lib.NeededBy.Select(Path.GetFileName).Distinct().ToList();
            plan.Libraries.Add(new BundledLibrary(lib.BundleName, lib.RealPath, neededBy!));
            var underApp = appRoots.Select(r => Collector.RelativeTo(r, lib.Path)).FirstOrDefault(r => r is not null);
            var names = lib.RequestedNames.Count > 0 ? lib.RequestedNames : [lib.BundleName];
            // Mach-O asks by install name (@rpath/libssl.3.dylib, /opt/…/libfoo.dylib): the file keeps its leaf name in
            // the library folder, where the runtime's own rpaths (@executable_path/../lib) and DYLD_LIBRARY_PATH find it.
            if (platform == TargetPlatform.MacOS)
                names = [.. names.Select(n => n[(n.LastIndexOf('/') + 1)..])];
            foreach (var name in names.Distinct(StringComparer.Ordinal))
            {
                var dest = underApp is not null
                    ? layout.App + (name == lib.BundleName ? underApp : Path.GetDirectoryName(underApp)!.Replace('\\', '/') + "/" + name)
                    : layout.Libraries + name;
                plan.Add(new PayloadEntry
                {
                    Dest = dest,
                    Kind = PayloadEntryKind.Binary,
                    Source = lib.RealPath,
                    Category = PayloadCategory.Runtime,
                    Owner = underApp?.Split('/')[0] ?? "python",
                });
            }
        }
        foreach (var ex in graph.Excluded)
            plan.ExcludedLibraries.Add(new ExcludedLibrary(ex.Name, ex.Decision.Reason, ex.Decision.Category));
        foreach (var un in graph.Unresolved.Where(u => !u.IsOptional))
        {
            var by = string.Join(", ", un.NeededBy.Select(Path.GetFileName).Distinct());
            plan.MissingLibraries.Add((un.Name, by));
            var hint = sysroot is null ? null : AlternativeIn(sysroot, un.Name);
            log.Warn($"shared library {un.Name} (needed by {by}) was not found{(sysroot is null ? "" : " in the runtime")}; the frozen app fails where it is loaded unless the target has it"
                + (hint is null ? "" : $" (the runtime holds {hint}, likely an alternative that its package's postinst links with update-alternatives and dpkg -x does not: link it, e.g. ln -s {Path.GetFileName(Path.GetDirectoryName(hint))}/{un.Name} {Path.Combine(sysroot!, Path.GetDirectoryName(Path.GetDirectoryName(hint))!, un.Name)})"));
        }
        if (graph.RequiredGlibcVersionBy is { } glibc)
            plan.RequiredGlibc = (glibc.Version, Path.GetFileName(glibc.Node.RealPath));
    }

    /// <summary>A library of that name one folder below a library folder of the sysroot
    /// (<c>usr/lib/aarch64-linux-gnu/openblas-pthread/libblas.so.3</c>), relative to it, or null.</summary>
    private static string? AlternativeIn(string sysroot, string name)
    {
        foreach (var lib in new[] { "usr/lib", "lib" })
        {
            var dir = Path.Combine(sysroot, lib);
            if (!Directory.Exists(dir))
                continue;
            foreach (var sub in Directory.EnumerateDirectories(dir).SelectMany(d => new[] { d }.Concat(Directory.EnumerateDirectories(d))).Order(StringComparer.Ordinal))
                if (File.Exists(Path.Combine(sub, name)))
                    return Path.GetRelativePath(sysroot, Path.Combine(sub, name));
        }
        return null;
    }

    private static bool IsRuntimeRoot(string root, AnalysisResult analysis)
    {
        var i = analysis.Interpreter;
        return root == i.Stdlib || root == i.Platstdlib || root == i.LibDynload;
    }

    private static string RealPath(string path)
    {
        try
        {
            return new FileInfo(path).ResolveLinkTarget(true)?.FullName ?? Path.GetFullPath(path);
        }
        catch (IOException)
        {
            return Path.GetFullPath(path);
        }
    }
}
