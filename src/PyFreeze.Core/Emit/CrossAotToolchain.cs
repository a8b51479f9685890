namespace PyFreeze.Emit;

/// <summary>
/// The cross toolchain NativeAOT links a linux-arm64 bootloader with on a linux-x64 host: a clang (<c>clang</c> or
/// <c>clang-N</c> on <c>PATH</c>), the <c>ld.lld</c> and <c>llvm-objcopy</c> of its LLVM, glibc's aarch64 start files
/// and <c>libc.so</c> under <c>/usr/aarch64-linux-gnu/lib</c> and libgcc's under
/// <c>/usr/lib/gcc-cross/aarch64-linux-gnu/N</c> (Debian 12: <c>clang-14</c>, <c>lld-14</c>, <c>llvm-14</c>,
/// <c>libc6-dev-arm64-cross</c>, <c>libgcc-12-dev-arm64-cross</c>). clang finds the sysroot through the GCC
/// installation it detects there (no <c>--sysroot</c>); the ILCompiler's targets
/// (<c>Microsoft.NETCore.Native.Unix.targets</c> in the <c>microsoft.dotnet.ilcompiler</c> package) pass
/// <c>--target=aarch64-linux-gnu</c>, which is why gcc cannot be the linker.
/// </summary>
/// <param name="Clang">The clang to compile and link with (absolute path, as found on <c>PATH</c>).</param>
/// <param name="ObjCopy">The <c>llvm-objcopy</c> that strips the symbols (absolute path).</param>
public sealed record CrossAotToolchain(string Clang, string ObjCopy)
{
    /// <summary>The RID this toolchain compiles for.</summary>
    public const string TargetRid = "linux-arm64";

    /// <summary>The RID it runs on.</summary>
    public const string HostRid = "linux-x64";

    /// <summary>The Debian packages that make this toolchain, for messages.</summary>
    public const string DebianPackages = "clang-14 lld-14 llvm-14 libc6-dev-arm64-cross libgcc-12-dev-arm64-cross";

    /// <summary>The <c>dotnet publish</c> properties that link with it: <c>CppCompilerAndLinker</c>, <c>LinkerFlavor=lld</c>
    /// (the default <c>bfd</c> would need <c>binutils-aarch64-linux-gnu</c>) and <c>ObjCopyName</c>.</summary>
    public IReadOnlyList<string> PublishProperties =>
        [$"-p:CppCompilerAndLinker={Clang}", "-p:LinkerFlavor=lld", $"-p:ObjCopyName={ObjCopy}"];

    /// <summary>The toolchain on this machine (probed once per process, from <c>/</c> and <c>PATH</c>), or null with
    /// <paramref name="missing"/> saying what is not there.</summary>
    public static CrossAotToolchain? Installed(out string missing)
    {
        var (found, why) = Probed.Value;
        missing = why;
        return found;
    }

    private static readonly Lazy<(CrossAotToolchain?, string)> Probed = new(() =>
    {
        var path = (Environment.GetEnvironmentVariable("PATH") ?? "").Split(':', StringSplitOptions.RemoveEmptyEntries).Where(Path.IsPathRooted).ToList();
        var found = Find("/", path, out var missing);
        return (found, missing);
    });

    /// <summary>Looks for the toolchain in the file system under <paramref name="root"/> (<c>/</c>, or a folder laid out
    /// like one in tests): pure apart from reading that tree.</summary>
    /// <param name="root">The file system root the absolute paths below are taken from.</param>
    /// <param name="pathDirs">The <c>PATH</c> folders, absolute, in order (each is read under <paramref name="root"/>).</param>
    /// <param name="missing">When null is returned: what is missing, one <c>; </c>-separated clause per part, each
    /// naming the file and the Debian package that holds it; else empty.</param>
    /// <returns>The toolchain, with paths as they are under <paramref name="root"/> (absolute, without the root), or null.</returns>
    public static CrossAotToolchain? Find(string root, IReadOnlyList<string> pathDirs, out string missing)
    {
        var gaps = new List<string>();
        string? clang = null, objcopy = null;
        var clangs = ClangCandidates(root, pathDirs);
        if (clangs.Count == 0)
            gaps.Add("no clang on PATH (clang or clang-N; Debian: clang-14)");
        else
        {
            // the first clang whose LLVM has ld.lld (clang -fuse-ld=lld looks beside its own executable, then on PATH)
            foreach (var (path, suffix) in clangs)
            {
                var llvmBin = Path.GetDirectoryName(Resolve(root, path))!;
                if (!File.Exists(Under(root, Path.Combine(llvmBin, "ld.lld"))) && OnPath(root, pathDirs, "ld.lld") is null)
                    continue;
                clang = path;
                objcopy = File.Exists(Under(root, Path.Combine(llvmBin, "llvm-objcopy"))) ? Path.Combine(llvmBin, "llvm-objcopy")
                    : OnPath(root, pathDirs, "llvm-objcopy" + suffix) ?? OnPath(root, pathDirs, "llvm-objcopy");
                break;
            }
            if (clang is null)
                gaps.Add($"no ld.lld beside {clangs[0].Path} or on PATH (Debian: lld-14)");
            else if (objcopy is null)
                gaps.Add($"no llvm-objcopy for {clang} (Debian: llvm-14)");
        }
        foreach (var file in new[] { "Scrt1.o", "crti.o", "crtn.o", "libc.so" })
        {
            var p = $"/usr/aarch64-linux-gnu/lib/{file}";
            if (!File.Exists(Under(root, p)))
            {
                gaps.Add($"no {p} (Debian: libc6-dev-arm64-cross)");
                break;
            }
        }
        var gccCross = Under(root, "/usr/lib/gcc-cross/aarch64-linux-gnu");
        var libgcc = Directory.Exists(gccCross)
            && Directory.EnumerateDirectories(gccCross).Any(d => File.Exists(Path.Combine(d, "crtbeginS.o")) && File.Exists(Path.Combine(d, "libgcc.a")));
        if (!libgcc)
            gaps.Add("no /usr/lib/gcc-cross/aarch64-linux-gnu/N/crtbeginS.o and libgcc.a (Debian: libgcc-12-dev-arm64-cross)");
        missing = string.Join("; ", gaps);
        return gaps.Count == 0 ? new CrossAotToolchain(clang!, objcopy!) : null;
    }

    /// <summary>clang commands on PATH: <c>clang</c> first, then <c>clang-N</c>, newest N first; each with its
    /// version suffix (<c>""</c> or <c>-14</c>).</summary>
    private static List<(string Path, string Suffix)> ClangCandidates(string root, IReadOnlyList<string> pathDirs)
    {
        var found = new List<(string Path, string Suffix, int Version)>();
        foreach (var dir in pathDirs)
        {
            var real = Under(root, dir);
            if (!Directory.Exists(real))
                continue;
            foreach (var file in Directory.EnumerateFileSystemEntries(real, "clang*"))
            {
                var name = Path.GetFileName(file);
                var version = name == "clang" ? int.MaxValue
                    : name.StartsWith("clang-", StringComparison.Ordinal) && int.TryParse(name.AsSpan(6), System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var n) ? n
                    : -1;
                if (version < 0 || !File.Exists(file) || found.Any(f => Path.GetFileName(f.Path) == name))
                    continue;
                found.Add((Path.Combine(dir, name), name == "clang" ? "" : name[5..], version));
            }
        }
        return found.OrderByDescending(f => f.Version).Select(f => (f.Path, f.Suffix)).ToList();
    }

    /// <summary>The first <c>PATH</c> folder holding <paramref name="name"/>, as a path without the root.</summary>
    private static string? OnPath(string root, IReadOnlyList<string> pathDirs, string name) =>
        pathDirs.Select(d => Path.Combine(d, name)).FirstOrDefault(p => File.Exists(Under(root, p)));

    /// <summary><paramref name="path"/> (absolute, as the system sees it) inside <paramref name="root"/>.</summary>
    private static string Under(string root, string path) => root == "/" ? path : Path.Join(root, path);

    /// <summary>Follows symbolic links as the system would, inside <paramref name="root"/> (absolute targets are taken
    /// under it); returns the final path without the root.</summary>
    private static string Resolve(string root, string path)
    {
        for (var hops = 0; hops < 40; hops++)
        {
            var target = new FileInfo(Under(root, path)).LinkTarget;
            if (target is null)
                return path;
            path = Path.IsPathRooted(target) ? target : Path.GetFullPath(Path.Combine(Path.GetDirectoryName(path)!, target));
        }
        return path;
    }
}
