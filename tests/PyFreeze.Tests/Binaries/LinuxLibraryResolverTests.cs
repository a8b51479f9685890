using PyFreeze.Binaries;

namespace PyFreeze.Tests.Binaries;

/// <summary>The ld.so search order on in-memory trees (ld.so(8), glibc dl-load.c).</summary>
[Trait("Lane", "Fast")]
public class LinuxLibraryResolverTests
{
    private static byte[] Elf(string? soname = null, string? rpath = null, string? runpath = null, ulong flags1 = 0,
        bool is64 = true, ushort machine = 62, params string[] needed) =>
        new ElfBuilder { SoName = soname, RPath = rpath, RunPath = runpath, Flags1 = flags1, Is64 = is64, Machine = machine, Needed = [.. needed] }.Build();

    private static LoadedBinary Load(InMemoryFileSystem fs, string path, LoadedBinary? by = null)
    {
        using var s = fs.OpenRead(path);
        return new LoadedBinary(path, BinaryInspector.Read(s, path)!, by);
    }

    private static LinuxLibraryResolver Resolver(InMemoryFileSystem fs, IReadOnlyList<string>? ldLibraryPath = null, LdSoCache? cache = null,
        string? lib = null, string? platform = null) =>
        new(fs, new LinuxLoaderOptions { LibraryPath = ldLibraryPath ?? [], Cache = cache, CachePath = null, Lib = lib, Platform = platform, WorkingDirectory = "/cwd" });

    private static LdSoCache Cache(params (int Flags, string Name, string Path)[] entries) =>
        LdSoCache.Read(new MemoryStream(new LdSoCacheBuilder { Entries = entries.Select(e => (e.Flags, e.Name, e.Path, 0UL)).ToList() }.Build()), "ld.so.cache");

    [Fact]
    public void RpathIsSearchedBeforeLdLibraryPath()
    {
        var fs = new InMemoryFileSystem()
            .AddFile("/app/bin/app", Elf(rpath: "/r", needed: "libx.so.1"))
            .AddFile("/r/libx.so.1", Elf("libx.so.1"))
            .AddFile("/l/libx.so.1", Elf("libx.so.1"));
        var res = Resolver(fs, ["/l"]).Resolve("libx.so.1", Load(fs, "/app/bin/app"));
        Assert.Equal("/r/libx.so.1", res.Path);
        Assert.Equal("RPATH of /app/bin/app", res.Source);
    }

    [Fact]
    public void RunpathIsSearchedAfterLdLibraryPath()
    {
        var fs = new InMemoryFileSystem()
            .AddFile("/app/bin/app", Elf(runpath: "/u", needed: "libx.so.1"))
            .AddFile("/u/libx.so.1", Elf("libx.so.1"))
            .AddFile("/l/libx.so.1", Elf("libx.so.1"));
        var app = Load(fs, "/app/bin/app");
        Assert.Equal("/l/libx.so.1", Resolver(fs, ["/l"]).Resolve("libx.so.1", app).Path);
        var res = Resolver(fs).Resolve("libx.so.1", app);
        Assert.Equal("/u/libx.so.1", res.Path);
        Assert.Equal("RUNPATH of /app/bin/app", res.Source);
    }

    [Fact]
    public void RunpathBeatsTheCacheWhichBeatsTheDefaultDirectories()
    {
        var fs = new InMemoryFileSystem()
            .AddFile("/app/app", Elf(runpath: "/u"))
            .AddFile("/app/plain", Elf())
            .AddFile("/u/libx.so.1", Elf("libx.so.1"))
            .AddFile("/opt/cached/libx.so.1", Elf("libx.so.1"))
            .AddFile("/usr/lib/libx.so.1", Elf("libx.so.1"))
            .AddFile("/usr/lib/x86_64-linux-gnu/libx.so.1", Elf("libx.so.1"));
        var cache = Cache((0x0303, "libx.so.1", "/opt/cached/libx.so.1"));
        Assert.Equal("/u/libx.so.1", Resolver(fs, cache: cache).Resolve("libx.so.1", Load(fs, "/app/app")).Path);
        var viaCache = Resolver(fs, cache: cache).Resolve("libx.so.1", Load(fs, "/app/plain"));
        Assert.Equal("/opt/cached/libx.so.1", viaCache.Path);
        Assert.Equal("ld.so.cache", viaCache.Source);
        var viaDefault = Resolver(fs).Resolve("libx.so.1", Load(fs, "/app/plain"));
        Assert.Equal("/usr/lib/x86_64-linux-gnu/libx.so.1", viaDefault.Path); // multiarch directory before /usr/lib
        Assert.Equal("default directory", viaDefault.Source);
    }

    [Fact]
    public void CacheEntriesForAnotherAbiAreIgnored()
    {
        var fs = new InMemoryFileSystem()
            .AddFile("/app/app32", Elf(is64: false, machine: 3))
            .AddFile("/usr/lib/i386-linux-gnu/libz.so.1", Elf("libz.so.1", is64: false, machine: 3))
            .AddFile("/usr/lib/x86_64-linux-gnu/libz.so.1", Elf("libz.so.1"));
        var cache = Cache((0x0303, "libz.so.1", "/usr/lib/x86_64-linux-gnu/libz.so.1"), (0x0003, "libz.so.1", "/usr/lib/i386-linux-gnu/libz.so.1"));
        var res = Resolver(fs, cache: cache).Resolve("libz.so.1", Load(fs, "/app/app32"));
        Assert.Equal("/usr/lib/i386-linux-gnu/libz.so.1", res.Path);
        Assert.Equal("ld.so.cache", res.Source);
    }

    [Fact]
    public void RpathIsInheritedDownTheLoadingChain()
    {
        var fs = new InMemoryFileSystem()
            .AddFile("/app/app", Elf(rpath: "/r", needed: "liba.so"))
            .AddFile("/a/liba.so", Elf("liba.so", needed: "libb.so"))
            .AddFile("/r/libb.so", Elf("libb.so"));
        var app = Load(fs, "/app/app");
        var liba = Load(fs, "/a/liba.so", app);
        var res = Resolver(fs).Resolve("libb.so", liba);
        Assert.Equal("/r/libb.so", res.Path);
        Assert.Equal("RPATH of /app/app", res.Source);
    }

    [Fact]
    public void RequesterWithRunpathDoesNotInheritRpath()
    {
        var fs = new InMemoryFileSystem()
            .AddFile("/app/app", Elf(rpath: "/r", needed: "liba.so"))
            .AddFile("/a/liba.so", Elf("liba.so", runpath: "/nowhere", needed: "libb.so"))
            .AddFile("/r/libb.so", Elf("libb.so"));
        var app = Load(fs, "/app/app");
        var res = Resolver(fs).Resolve("libb.so", Load(fs, "/a/liba.so", app));
        Assert.Null(res.Path);
        Assert.DoesNotContain(res.Attempts, a => a.Source.StartsWith("RPATH", StringComparison.Ordinal));
        Assert.Contains(res.Attempts, a => a.Candidate == "/nowhere/libb.so" && a.Source == "RUNPATH of /a/liba.so");
        var text = res.Explain();
        Assert.Contains("libb.so (needed by /a/liba.so) not found", text);
        Assert.Contains("/usr/lib/libb.so (default directory): not found", text);
    }

    [Fact]
    public void RunpathIsNotInherited()
    {
        var fs = new InMemoryFileSystem()
            .AddFile("/app/app", Elf(runpath: "/u", needed: "liba.so"))
            .AddFile("/u/liba.so", Elf("liba.so", needed: "libb.so"))
            .AddFile("/u/libb.so", Elf("libb.so"));
        var app = Load(fs, "/app/app");
        var liba = Load(fs, "/u/liba.so", app);
        Assert.Equal("/u/liba.so", Resolver(fs).Resolve("liba.so", app).Path);
        Assert.Null(Resolver(fs).Resolve("libb.so", liba).Path);
    }

    [Fact]
    public void ChainIsWalkedNearestFirstSkippingLoadersThatOnlyHaveRunpath()
    {
        var fs = new InMemoryFileSystem()
            .AddFile("/app/app", Elf(rpath: "/r1"))
            .AddFile("/m/libmid.so", Elf("libmid.so", rpath: "/r2"))
            .AddFile("/m/librun.so", Elf("librun.so", runpath: "/u"))
            .AddFile("/m/libleaf.so", Elf("libleaf.so"))
            .AddFile("/r1/libx.so", Elf("libx.so"))
            .AddFile("/r2/libx.so", Elf("libx.so"))
            .AddFile("/r1/liby.so", Elf("liby.so"));
        var app = Load(fs, "/app/app");
        var leafUnderMid = Load(fs, "/m/libleaf.so", Load(fs, "/m/libmid.so", app));
        Assert.Equal("/r2/libx.so", Resolver(fs).Resolve("libx.so", leafUnderMid).Path);
        Assert.Equal("RPATH of /app/app", Resolver(fs).Resolve("liby.so", leafUnderMid).Source);
        // librun has DT_RUNPATH: it contributes nothing to the RPATH walk of its children, but the walk goes on up.
        var leafUnderRun = Load(fs, "/m/libleaf.so", Load(fs, "/m/librun.so", app));
        var res = Resolver(fs).Resolve("libx.so", leafUnderRun);
        Assert.Equal("/r1/libx.so", res.Path);
        Assert.DoesNotContain(res.Attempts, a => a.Candidate.StartsWith("/u/", StringComparison.Ordinal));
    }

    [Fact]
    public void RpathIsIgnoredWhenTheObjectAlsoHasRunpath()
    {
        var fs = new InMemoryFileSystem()
            .AddFile("/app/app", Elf(rpath: "/r", runpath: "/u"))
            .AddFile("/r/libx.so", Elf("libx.so"));
        var res = Resolver(fs).Resolve("libx.so", Load(fs, "/app/app"));
        Assert.Null(res.Path);
        Assert.DoesNotContain(res.Attempts, a => a.Candidate == "/r/libx.so");
    }

    [Fact]
    public void OriginLibAndPlatformTokensAreExpanded()
    {
        var fs = new InMemoryFileSystem()
            .AddFile("/app/bin/app", Elf(runpath: "${ORIGIN}/../lib:$ORIGIN/sub:$ORIGINAL:/opt/$LIB/x:/opt/${PLATFORM}/y:/p/$PLATFORM"))
            .AddDirectory("/usr/lib/x86_64-linux-gnu");
        var app = Load(fs, "/app/bin/app");
        var r = Resolver(fs);
        Assert.Equal(["/app/bin/../lib", "/app/bin/sub", "/cwd/$ORIGINAL", "/opt/lib/x86_64-linux-gnu/x", "/opt/x86_64/y", "/p/x86_64"],
            r.ExpandSearchPath(app.Info.Elf!.RunPath, app));
        var fedora = new InMemoryFileSystem().AddFile("/app/bin/app", Elf(runpath: "/opt/$LIB:/a/$LIBX"));
        Assert.Equal(["/opt/lib64", "/a/$LIBX"], Resolver(fedora).ExpandSearchPath(Load(fedora, "/app/bin/app").Info.Elf!.RunPath, Load(fedora, "/app/bin/app")));
        Assert.Equal(["/opt/mylib", "/a/$LIBX"], Resolver(fedora, lib: "mylib").ExpandSearchPath(["/opt/$LIB", "/a/$LIBX"], app));
        Assert.Equal(["/p/haswell"], Resolver(fs, platform: "haswell").ExpandSearchPath(["/p/${PLATFORM}"], app));
    }

    [Fact]
    public void OriginFindsALibraryNextToTheRequester()
    {
        var fs = new InMemoryFileSystem()
            .AddFile("/app/bin/python3.11", Elf(runpath: "$ORIGIN/../lib", needed: "libpython3.11.so.1.0"))
            .AddFile("/app/lib/libpython3.11.so.1.0", Elf("libpython3.11.so.1.0"));
        var res = Resolver(fs).Resolve("libpython3.11.so.1.0", Load(fs, "/app/bin/python3.11"));
        Assert.Equal("/app/bin/../lib/libpython3.11.so.1.0", res.Path);
    }

    [Fact]
    public void LdLibraryPathOriginIsTheExecutablesDirectory()
    {
        var fs = new InMemoryFileSystem()
            .AddFile("/app/bin/app", Elf(needed: "liba.so"))
            .AddFile("/other/liba.so", Elf("liba.so"))
            .AddFile("/app/bin/libs/libb.so", Elf("libb.so"));
        var app = Load(fs, "/app/bin/app");
        var liba = Load(fs, "/other/liba.so", app);
        Assert.Equal("/app/bin/libs/libb.so", Resolver(fs, ["$ORIGIN/libs"]).Resolve("libb.so", liba).Path);
    }

    [Fact]
    public void NodeflibSkipsDefaultDirectoriesAndTheirCacheEntries()
    {
        var fs = new InMemoryFileSystem()
            .AddFile("/app/app", Elf(flags1: ElfFile.DF_1_NODEFLIB))
            .AddFile("/usr/lib/x86_64-linux-gnu/libz.so.1", Elf("libz.so.1"))
            .AddFile("/opt/cached/libfoo.so", Elf("libfoo.so"));
        var cache = Cache((0x0303, "libz.so.1", "/usr/lib/x86_64-linux-gnu/libz.so.1"), (0x0303, "libfoo.so", "/opt/cached/libfoo.so"));
        var app = Load(fs, "/app/app");
        var z = Resolver(fs, cache: cache).Resolve("libz.so.1", app);
        Assert.Null(z.Path);
        Assert.Contains(z.Attempts, a => a.Outcome == SearchOutcome.Skipped && a.Source == "ld.so.cache");
        Assert.Contains("DF_1_NODEFLIB", z.Note);
        Assert.DoesNotContain(z.Attempts, a => a.Source == "default directory");
        Assert.Equal("/opt/cached/libfoo.so", Resolver(fs, cache: cache).Resolve("libfoo.so", app).Path);
    }

    [Fact]
    public void CandidatesOfTheWrongClassOrMachineAreSkipped()
    {
        var fs = new InMemoryFileSystem()
            .AddFile("/app/app", Elf(rpath: "/r32:/rarm:/script:/r64"))
            .AddFile("/r32/libx.so.1", Elf("libx.so.1", is64: false, machine: 3))
            .AddFile("/rarm/libx.so.1", Elf("libx.so.1", machine: 183))
            .AddFile("/script/libx.so.1", "/* GNU ld script */\nINPUT(libx.so.2)\n"u8.ToArray())
            .AddFile("/r64/libx.so.1", Elf("libx.so.1"));
        var res = Resolver(fs).Resolve("libx.so.1", Load(fs, "/app/app"));
        Assert.Equal("/r64/libx.so.1", res.Path);
        Assert.Equal(
            [SearchOutcome.WrongArchitecture, SearchOutcome.WrongArchitecture, SearchOutcome.Invalid, SearchOutcome.Found],
            res.Attempts.Select(a => a.Outcome));
        Assert.Contains("ELF32 i386, need ELF64 x86_64", res.Attempts[0].Detail);
        Assert.Contains("aarch64", res.Attempts[1].Detail);
        Assert.Contains("wrong architecture, skipped", res.Explain());
    }

    [Fact]
    public void NamesWithASlashAreUsedAsIs()
    {
        var fs = new InMemoryFileSystem()
            .AddFile("/app/app", Elf(rpath: "/r"))
            .AddFile("/cwd/sub/libx.so", Elf("libx.so"))
            .AddFile("/abs/liby.so", Elf("liby.so"))
            .AddFile("/r/libz.so", Elf("libz.so"));
        var app = Load(fs, "/app/app");
        Assert.Equal("/cwd/sub/libx.so", Resolver(fs).Resolve("sub/libx.so", app).Path);
        Assert.Equal("/abs/liby.so", Resolver(fs).Resolve("/abs/liby.so", app).Path);
        var res = Resolver(fs).Resolve("/elsewhere/libz.so", app);
        Assert.Null(res.Path);
        Assert.Single(res.Attempts); // no search for a path
    }

    [Fact]
    public void EmptyElementMeansTheWorkingDirectory()
    {
        var fs = new InMemoryFileSystem()
            .AddFile("/app/app", Elf(rpath: "/nothing::"))
            .AddFile("/cwd/libx.so", Elf("libx.so"));
        var res = Resolver(fs).Resolve("libx.so", Load(fs, "/app/app"));
        Assert.Equal("/cwd/libx.so", res.Path);
        Assert.Equal(2, res.Attempts.Count); // duplicates of the same directory are searched once
    }

    [Fact]
    public void SymlinkedCandidatesAreFollowed()
    {
        var fs = new InMemoryFileSystem()
            .AddFile("/app/app", Elf())
            .AddFile("/usr/lib/x86_64-linux-gnu/blas/libblas.so.3.11.0", Elf("libblas.so.3"))
            .AddSymlink("/etc/alternatives/libblas.so.3-x86_64-linux-gnu", "/usr/lib/x86_64-linux-gnu/blas/libblas.so.3")
            .AddSymlink("/usr/lib/x86_64-linux-gnu/blas/libblas.so.3", "libblas.so.3.11.0")
            .AddSymlink("/usr/lib/x86_64-linux-gnu/libblas.so.3", "/etc/alternatives/libblas.so.3-x86_64-linux-gnu");
        var res = Resolver(fs).Resolve("libblas.so.3", Load(fs, "/app/app"));
        Assert.Equal("/usr/lib/x86_64-linux-gnu/libblas.so.3", res.Path);
        Assert.Equal("/usr/lib/x86_64-linux-gnu/blas/libblas.so.3.11.0", fs.GetRealPath(res.Path!));
    }
}
