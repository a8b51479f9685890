using PyFreeze.Binaries;
using PyFreeze.Processes;

namespace PyFreeze.Tests.Binaries;

/// <summary>
/// The loader model for another machine's tree (a cross build's runtime folder): its absolute links and search paths
/// stay inside it, libraries of another CPU are skipped as ld.so skips them, and an x86-64 library of this machine is
/// never taken for an arm64 binary. Plus <see cref="ElfSymbols"/> against the interpreter's own
/// <c>sys.builtin_module_names</c>.
/// </summary>
public class SysrootTests
{
    private const ushort Aarch64 = 183, X86_64 = 62;

    private static byte[] Elf(ushort machine, string? soname = null, string? runpath = null, params string[] needed) =>
        new ElfBuilder { Machine = machine, SoName = soname, RunPath = runpath, Needed = [.. needed] }.Build();

    private static LoadedBinary Load(ILoaderFileSystem fs, string path)
    {
        using var s = fs.OpenRead(path);
        return new LoadedBinary(path, BinaryInspector.Read(s, path)!);
    }

    [Fact]
    [Trait("Lane", "Fast")]
    public void Absolute_search_paths_and_the_cache_are_taken_inside_the_sysroot()
    {
        var fs = new InMemoryFileSystem()
            .AddFile("/sys/usr/bin/python3.11", Elf(Aarch64, runpath: "/opt/vendor/lib:$ORIGIN/../lib/extra", needed: ["libvendor.so.1", "libextra.so.1", "libz.so.1"]))
            // this machine's own copies, at the paths the target's binaries name: never to be found
            .AddFile("/opt/vendor/lib/libvendor.so.1", Elf(Aarch64, "libvendor.so.1"))
            .AddFile("/usr/lib/aarch64-linux-gnu/libz.so.1", Elf(Aarch64, "libz.so.1"))
            .AddFile("/sys/opt/vendor/lib/libvendor.so.1", Elf(Aarch64, "libvendor.so.1"))
            .AddFile("/sys/usr/lib/extra/libextra.so.1", Elf(Aarch64, "libextra.so.1"))
            .AddFile("/sys/lib/aarch64-linux-gnu/libz.so.1", Elf(Aarch64, "libz.so.1"));
        var resolver = new LinuxLibraryResolver(fs, new LinuxLoaderOptions { Sysroot = "/sys", CachePath = "/etc/ld.so.cache" });
        var exe = Load(fs, "/sys/usr/bin/python3.11");
        var vendor = resolver.Resolve("libvendor.so.1", exe);
        Assert.Equal("/sys/opt/vendor/lib/libvendor.so.1", vendor.Path);
        Assert.Equal("RUNPATH of /sys/usr/bin/python3.11", vendor.Source);
        Assert.Equal("/sys/usr/lib/extra/libextra.so.1", PosixPath.Normalize(resolver.Resolve("libextra.so.1", exe).Path!)); // $ORIGIN stays the binary's own folder
        var z = resolver.Resolve("libz.so.1", exe);
        Assert.Equal("/sys/lib/aarch64-linux-gnu/libz.so.1", z.Path);
        Assert.All(z.Attempts, a => Assert.StartsWith("/sys/", a.Candidate));
        Assert.Equal("/sys/opt/x/libabs.so", resolver.Resolve("/opt/x/libabs.so", exe).Attempts.Single().Candidate); // an absolute DT_NEEDED
    }

    [Fact]
    [Trait("Lane", "Fast")]
    public void The_sysroots_ld_so_cache_entries_name_target_paths()
    {
        var cache = new LdSoCacheBuilder { Entries = [(0x0a03, "libcache.so.1", "/usr/lib/aarch64-linux-gnu/custom/libcache.so.1", 0UL)] }.Build();
        var fs = new InMemoryFileSystem()
            .AddFile("/sys/usr/bin/app", Elf(Aarch64, needed: ["libcache.so.1"]))
            .AddFile("/sys/etc/ld.so.cache", cache)
            .AddFile("/sys/usr/lib/aarch64-linux-gnu/custom/libcache.so.1", Elf(Aarch64, "libcache.so.1"));
        var res = new LinuxLibraryResolver(fs, new LinuxLoaderOptions { Sysroot = "/sys", CachePath = "/etc/ld.so.cache" })
            .Resolve("libcache.so.1", Load(fs, "/sys/usr/bin/app"));
        Assert.Equal("/sys/usr/lib/aarch64-linux-gnu/custom/libcache.so.1", res.Path);
        Assert.Equal("ld.so.cache", res.Source);
    }

    [Fact]
    [Trait("Lane", "Fast")]
    public void Absolute_links_inside_the_sysroot_resolve_inside_it()
    {
        using var t = new Infrastructure.TempDir();
        var root = t["root"];
        var lib = Path.Combine(root, "usr/lib/aarch64-linux-gnu");
        Directory.CreateDirectory(Path.Combine(lib, "openblas-pthread"));
        Directory.CreateDirectory(Path.Combine(root, "etc/alternatives"));
        File.WriteAllBytes(Path.Combine(lib, "openblas-pthread/libblas.so.3"), Elf(Aarch64, "libblas.so.3"));
        // Debian's alternatives: absolute links through /etc/alternatives, as update-alternatives makes them
        File.CreateSymbolicLink(Path.Combine(root, "etc/alternatives/libblas.so.3-aarch64-linux-gnu"), "/usr/lib/aarch64-linux-gnu/openblas-pthread/libblas.so.3");
        File.CreateSymbolicLink(Path.Combine(lib, "libblas.so.3"), "/etc/alternatives/libblas.so.3-aarch64-linux-gnu");
        // a link to a file that exists on this machine but not in the root: it must not be found
        File.CreateSymbolicLink(Path.Combine(lib, "libhost.so"), "/etc/passwd");
        // a relative link and a link outside the root keep their usual meaning
        File.CreateSymbolicLink(Path.Combine(lib, "libblas.so"), "libblas.so.3");
        File.WriteAllText(t["outside.txt"], "outside");
        File.CreateSymbolicLink(t["outside-link"], t["outside.txt"]);

        var fs = new SysrootFileSystem(root);
        Assert.Equal(Path.Combine(lib, "openblas-pthread/libblas.so.3"), fs.GetRealPath(Path.Combine(lib, "libblas.so.3")));
        Assert.Equal(Path.Combine(lib, "openblas-pthread/libblas.so.3"), fs.GetRealPath(Path.Combine(lib, "libblas.so")));
        Assert.True(fs.FileExists(Path.Combine(lib, "libblas.so.3")));
        using (var s = fs.OpenRead(Path.Combine(lib, "libblas.so.3")))
            Assert.Equal("libblas.so.3", BinaryInspector.Read(s, "libblas.so.3")!.Name);
        Assert.True(File.Exists(Path.Combine(lib, "libhost.so")), "the kernel follows the link to this machine's /etc/passwd");
        Assert.False(fs.FileExists(Path.Combine(lib, "libhost.so")));
        Assert.Equal(Path.Combine(root, "etc/passwd"), fs.GetRealPath(Path.Combine(lib, "libhost.so")));
        Assert.Throws<FileNotFoundException>(() => fs.OpenRead(Path.Combine(lib, "libhost.so")));
        Assert.Equal(t["outside.txt"], fs.GetRealPath(t["outside-link"]));
        Assert.True(fs.FileExists(t["outside-link"]));
        Assert.Equal("/etc/alternatives/libblas.so.3-aarch64-linux-gnu", DiskFileSystem.Instance.ReadLink(Path.Combine(lib, "libblas.so.3")));
        Assert.Equal(Path.Combine(root, "etc/alternatives/libblas.so.3-aarch64-linux-gnu"), fs.ReadLink(Path.Combine(lib, "libblas.so.3")));
    }

    [Fact]
    [Trait("Lane", "Fast")]
    public void An_x86_64_library_is_never_bundled_into_an_arm64_walk()
    {
        // An arm64 extension module in a target site-packages folder whose RUNPATH ($ORIGIN/libs) holds an x86-64 build
        // of the library it needs (first in the search order); the sysroot holds the arm64 one. It also needs a library
        // only this machine has (x86-64, /usr/lib/x86_64-linux-gnu), which must stay missing.
        using var t = new Infrastructure.TempDir();
        var root = t["root"];
        var site = t["site/pkg"];
        Directory.CreateDirectory(Path.Combine(site, "libs"));
        Directory.CreateDirectory(Path.Combine(root, "usr/lib/aarch64-linux-gnu"));
        Directory.CreateDirectory(Path.Combine(root, "usr/bin"));
        File.WriteAllBytes(Path.Combine(root, "usr/bin/python3.11"), Elf(Aarch64));
        File.WriteAllBytes(Path.Combine(site, "_ext.cpython-311-aarch64-linux-gnu.so"), Elf(Aarch64, runpath: "$ORIGIN/libs", needed: ["libfoo.so.1", "libz.so.1"]));
        File.WriteAllBytes(Path.Combine(site, "libs/libfoo.so.1"), Elf(X86_64, "libfoo.so.1"));
        File.WriteAllBytes(Path.Combine(root, "usr/lib/aarch64-linux-gnu/libfoo.so.1"), Elf(Aarch64, "libfoo.so.1"));
        Assert.True(File.Exists("/usr/lib/x86_64-linux-gnu/libz.so.1") || File.Exists("/lib/x86_64-linux-gnu/libz.so.1"), "this machine has an x86-64 libz");

        var graph = new DependencyWalker(new SysrootFileSystem(root), SystemLibraryPolicy.For(TargetPlatform.Linux), new DependencyWalkerOptions
        {
            Linux = new LinuxLoaderOptions { Sysroot = root, CachePath = "/etc/ld.so.cache" },
            RequiredArchitecture = System.Runtime.InteropServices.Architecture.Arm64,
        }).Walk([Path.Combine(site, "_ext.cpython-311-aarch64-linux-gnu.so")], Path.Combine(root, "usr/bin/python3.11"));

        var foo = Assert.Single(graph.Libraries);
        Assert.Equal(Path.Combine(root, "usr/lib/aarch64-linux-gnu/libfoo.so.1"), foo.RealPath);
        Assert.Equal(183, foo.Info.Elf!.Machine);
        var search = graph.Unresolved.Single(u => u.Name == "libz.so.1").Searches.Single();
        Assert.All(search.Attempts, a => Assert.True(a.Candidate.StartsWith(root + "/", StringComparison.Ordinal) || a.Candidate.StartsWith(site + "/", StringComparison.Ordinal), a.Candidate));
        Assert.Contains(graph.Unresolved, u => u.Name == "libz.so.1");
        Assert.All(graph.Nodes, n => Assert.Equal(183, n.Info.Elf!.Machine));
    }

    [Fact]
    [Trait("Lane", "Fast")]
    public void A_root_of_another_cpu_fails_the_walk()
    {
        using var t = new Infrastructure.TempDir();
        var root = t["root"];
        Directory.CreateDirectory(root);
        File.WriteAllBytes(Path.Combine(root, "python"), Elf(Aarch64));
        File.WriteAllBytes(Path.Combine(root, "_x86.cpython-311-x86_64-linux-gnu.so"), Elf(X86_64));
        var walker = new DependencyWalker(new SysrootFileSystem(root), SystemLibraryPolicy.For(TargetPlatform.Linux), new DependencyWalkerOptions
        {
            Linux = new LinuxLoaderOptions { Sysroot = root },
            RequiredArchitecture = System.Runtime.InteropServices.Architecture.Arm64,
        });
        var e = Assert.Throws<BinaryFormatException>(() => { walker.Walk([Path.Combine(root, "_x86.cpython-311-x86_64-linux-gnu.so")], Path.Combine(root, "python")); });
        Assert.Contains("x86_64, but the build targets arm64", e.Message);
        Assert.EndsWith("_x86.cpython-311-x86_64-linux-gnu.so", e.FileName);
    }

    public static IEnumerable<object[]> Interpreters()
    {
        yield return ["/usr/bin/python3.11", "/usr/bin/python3.11"]; // Debian: libpython linked into the executable
        var pyenv = Tests.Infrastructure.Pythons.Pyenv;
        var lib = Path.Combine(Path.GetDirectoryName(Path.GetDirectoryName(pyenv)!)!, "lib", "libpython3.11.so.1.0");
        if (File.Exists(lib))
            yield return [pyenv, lib]; // pyenv: a shared libpython
    }

    [Theory]
    [MemberData(nameof(Interpreters))]
    public void PyInit_symbols_are_the_interpreters_builtin_modules(string python, string binary)
    {
        var run = ProcessRunner.Run(python, ["-I", "-c", "import sys; print('\\n'.join(sorted(sys.builtin_module_names)))"], timeout: TimeSpan.FromSeconds(60));
        Assert.Equal(0, run.ExitCode);
        var expected = run.StdOut.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        var read = ElfSymbols.Defined(binary).Where(s => s.StartsWith("PyInit_", StringComparison.Ordinal)).Select(s => s["PyInit_".Length..])
            .Concat(PyFreeze.Probe.LinuxTargetRuntime.CoreBuiltins).Distinct().Order(StringComparer.Ordinal);
        Assert.Equal(expected, read);
    }

    [Fact]
    [Trait("Lane", "Fast")]
    public void ElfSymbols_refuses_what_is_not_elf_and_reads_a_file_without_sections()
    {
        using var t = new Infrastructure.TempDir();
        File.WriteAllText(t["text"], "not a binary at all, long enough for an identification");
        Assert.Throws<BinaryFormatException>(() => ElfSymbols.Defined(t["text"]));
        File.WriteAllBytes(t["nosections.so"], Elf(Aarch64, "libx.so.1"));
        Assert.Empty(ElfSymbols.Defined(t["nosections.so"]));
    }
}
