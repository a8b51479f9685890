using System.Text.RegularExpressions;
using PyFreeze.Binaries;

namespace PyFreeze.Tests.Binaries;

public class DependencyWalkerTests
{
    private const string Numpy = "glob:/usr/lib/python3/dist-packages/numpy/core/_multiarray_umath*.so";
    private const string PyenvSsl = "glob:~/.pyenv/versions/3.11.7/lib/python3.11/lib-dynload/_ssl*.so";

    /// <summary>A policy that bundles everything but the vDSO: what ldd lists.</summary>
    private static SystemLibraryPolicy LddLike() =>
        SystemLibraryPolicy.Linux(false).WithRulesFirst(
        [
            new("linux-vdso.so.1", true, SystemLibraryCategory.KernelVdso, "vDSO"),
            new("*", false, SystemLibraryCategory.Bundled, "compare with ldd"),
        ]);

    /// <summary>ldd: name → path as found, for every object but the vDSO (the interpreter under its file name).</summary>
    private static Dictionary<string, string> Ldd(string path)
    {
        var res = Requirements.Run("ldd", path);
        Assert.True(res.ExitCode == 0, res.StdErr);
        var map = new Dictionary<string, string>();
        foreach (var line in res.StdOut.Split('\n'))
        {
            var m = Regex.Match(line, @"^\t(\S+) => (.+?)(?: \(0x[0-9a-f]+\))?$");
            if (m.Success) { map[m.Groups[1].Value] = m.Groups[2].Value; continue; }
            var n = Regex.Match(line, @"^\t(/\S+) \(0x[0-9a-f]+\)$");
            if (n.Success) map[Path.GetFileName(n.Groups[1].Value)] = n.Groups[1].Value;
        }
        return map;
    }

    private static string Real(string path) => DiskFileSystem.Instance.GetRealPath(path);

    [FactRequires(ElfFileTests.LibDynload, ElfFileTests.DistPackages, "tool:ldd")]
    public void ClosureMatchesLddForRealExtensionModules()
    {
        var files = ElfFileTests.RealExtensionModules();
        var pick = files.Where(f => f.Contains("/PIL/") || f.Contains("/lxml/") || f.Contains("/numpy/core/"))
            .Concat(files.Where((_, i) => i % 4 == 0)).Distinct().ToList();
        var ssl = Requirements.Glob(Requirements.Expand(PyenvSsl[5..])).FirstOrDefault();
        if (ssl is not null) pick.Add(ssl);
        Assert.True(pick.Count >= 24, $"{pick.Count} files");
        var resolver = new DependencyWalker(DiskFileSystem.Instance, LddLike());
        var mismatches = new List<string>();
        foreach (var f in pick)
        {
            var expected = Ldd(f);
            var graph = resolver.Walk([], f); // ldd runs the object as the main program
            var mine = new Dictionary<string, string>();
            foreach (var n in graph.Libraries)
                foreach (var name in n.RequestedNames)
                    mine[name] = n.Path;
            foreach (var u in graph.Unresolved)
                mine[u.Name] = "not found";
            foreach (var (name, path) in expected)
            {
                if (!mine.TryGetValue(name, out var p))
                    mismatches.Add($"{f}: ldd has {name} => {path}, the walker has nothing");
                else if (path == "not found" ? p != "not found" : p == "not found" || Real(p) != Real(path))
                    mismatches.Add($"{f}: {name}: ldd {path}, walker {p}");
            }
            foreach (var name in mine.Keys.Where(k => !expected.ContainsKey(k)))
                mismatches.Add($"{f}: walker has {name} => {mine[name]}, ldd does not");
        }
        Assert.True(mismatches.Count == 0, string.Join("\n", mismatches));
    }

    [FactRequires(Numpy, "tool:readlink")]
    public void NumpyBlasIsBundledAsItsNeededNameFromTheRealFileBehindAlternatives()
    {
        var path = Requirements.Glob(Numpy[5..]).First();
        var graph = new DependencyWalker(DiskFileSystem.Instance, SystemLibraryPolicy.Linux()).Walk([path]);
        var blas = graph.Find("libblas.so.3");
        Assert.NotNull(blas);
        Assert.Equal("libblas.so.3", blas.BundleName);
        Assert.Equal(Requirements.Run("readlink", "-f", blas.Path).StdOut.Trim(), blas.RealPath);
        Assert.NotEqual("libblas.so.3", Path.GetFileName(blas.RealPath)); // e.g. blas/libblas.so.3.11.0
        Assert.Equal([path], blas.NeededBy);
        Assert.Equal("ld.so.cache", blas.Via);
        Assert.Empty(graph.Unresolved);
        var excluded = graph.Excluded.ToDictionary(e => e.Name);
        Assert.Equal(SystemLibraryCategory.Glibc, excluded["libc.so.6"].Decision.Category);
        Assert.Equal(SystemLibraryCategory.Glibc, excluded["ld-linux-x86-64.so.2"].Decision.Category);
        Assert.Contains(path, excluded["libm.so.6"].NeededBy);
        Assert.DoesNotContain(graph.Nodes, n => n.BundleName == "libc.so.6");
        Assert.NotNull(graph.RequiredGlibcVersion);
    }

    [FactRequires(ElfFileTests.PyenvPython, PyenvSsl)]
    public void PyenvInterpreterWithSslModule()
    {
        var exe = Requirements.Expand(ElfFileTests.PyenvPython);
        var ssl = Requirements.Glob(Requirements.Expand(PyenvSsl[5..])).First();
        var graph = new DependencyWalker(DiskFileSystem.Instance, SystemLibraryPolicy.Linux()).Walk([ssl], exe);
        Assert.Equal(2, graph.Nodes.Count(n => n.IsRoot));
        var libpython = graph.Find("libpython3.11.so.1.0")!;
        Assert.Equal(Path.Combine(Requirements.Home, ".pyenv/versions/3.11.7/lib/libpython3.11.so.1.0"), libpython.Path);
        Assert.Equal($"RUNPATH of {exe}", libpython.Via);
        Assert.Equal([exe], libpython.NeededBy);
        Assert.NotNull(graph.Find("libssl.so.3"));
        Assert.Equal([ssl], graph.Find("libcrypto.so.3")!.NeededBy.Take(1));
        Assert.Empty(graph.Unresolved);
        var (node, version) = graph.RequiredGlibcVersionBy!.Value;
        Assert.True(version >= new Version(2, 17));
        Assert.Equal(version, node.Info.Elf!.RequiredGlibcVersion);
    }

    [FactRequires("glob:/usr/lib/python3/dist-packages/PIL/_imaging.*.so")]
    public void PillowLeavesXcbToTheSystemWithAReason()
    {
        var path = Requirements.Glob("/usr/lib/python3/dist-packages/PIL/_imaging.*.so").First();
        var graph = new DependencyWalker(DiskFileSystem.Instance, SystemLibraryPolicy.Linux()).Walk([path]);
        var xcb = graph.Excluded.Single(e => e.Name == "libxcb.so.1");
        Assert.Equal(SystemLibraryCategory.DisplayAndGpu, xcb.Decision.Category);
        Assert.Contains("XCB", xcb.Decision.Reason);
        Assert.Null(graph.Find("libXau.so.6")); // only reachable through libxcb, which is not looked into
        Assert.NotNull(graph.Find("libjpeg.so.62"));
        Assert.NotNull(graph.Find("libstdc++.so.6"));

        var all = new DependencyWalker(DiskFileSystem.Instance, SystemLibraryPolicy.Linux(false)).Walk([path]);
        Assert.NotNull(all.Find("libXau.so.6"));
    }

    [Fact]
    public void TwoNamesForOneFileBecomeOneNodeWithAliases()
    {
        var fs = new InMemoryFileSystem()
            .AddFile("/app/a.so", new ElfBuilder { Needed = ["libfoo.so.1", "libc.so.6"] }.Build())
            .AddFile("/app/b.so", new ElfBuilder { Needed = ["libfoo.so"] }.Build())
            .AddFile("/usr/lib/libfoo.so.1.2.3", new ElfBuilder { SoName = "libfoo.so.1", Needed = ["libbar.so.1"] }.Build())
            .AddSymlink("/usr/lib/libfoo.so.1", "libfoo.so.1.2.3")
            .AddSymlink("/usr/lib/libfoo.so", "libfoo.so.1");
        var graph = new DependencyWalker(fs, SystemLibraryPolicy.Linux(), new DependencyWalkerOptions { Linux = new LinuxLoaderOptions { CachePath = null } })
            .Walk(["/app/a.so", "/app/b.so"]);
        var foo = Assert.Single(graph.Libraries);
        Assert.Equal("libfoo.so.1", foo.BundleName);
        Assert.Equal(["libfoo.so.1", "libfoo.so"], foo.RequestedNames);
        Assert.Equal("/usr/lib/libfoo.so.1.2.3", foo.RealPath);
        Assert.Equal(["/app/a.so", "/app/b.so"], foo.NeededBy);
        var bar = Assert.Single(graph.Unresolved);
        Assert.Equal("libbar.so.1", bar.Name);
        Assert.False(bar.IsOptional);
        Assert.Equal(["/usr/lib/libfoo.so.1.2.3"], bar.NeededBy);
        Assert.Contains("libbar.so.1 (needed by /usr/lib/libfoo.so.1) not found", graph.ExplainUnresolved());
        Assert.Equal("libc.so.6", Assert.Single(graph.Excluded).Name);
    }

    [Fact]
    public void ANameAlreadyLoadedBySonameIsNotSearchedAgain()
    {
        // The root libpython is loaded by path; an extension's DT_NEEDED libpython3.11.so.1.0 matches its SONAME,
        // as in ld.so, even though no search path would find it.
        var fs = new InMemoryFileSystem()
            .AddFile("/py/lib/libpython3.11.so.1.0", new ElfBuilder { SoName = "libpython3.11.so.1.0" }.Build())
            .AddFile("/py/ext/_foo.so", new ElfBuilder { Needed = ["libpython3.11.so.1.0"] }.Build());
        var graph = new DependencyWalker(fs, SystemLibraryPolicy.Linux(), new DependencyWalkerOptions { Linux = new LinuxLoaderOptions { CachePath = null } })
            .Walk(["/py/lib/libpython3.11.so.1.0", "/py/ext/_foo.so"]);
        Assert.Empty(graph.Unresolved);
        Assert.Empty(graph.Libraries);
        Assert.Equal(["/py/ext/_foo.so"], graph.Find("libpython3.11.so.1.0")!.NeededBy);
    }

    [Fact]
    public void WindowsTreeFromAnyHost()
    {
        PeBuilder Dll(params string[] imports) => new() { Dll = true, Imports = imports };
        var fs = new InMemoryFileSystem()
            .AddFile("/dist/python.exe", new PeBuilder { Imports = ["python311.dll", "KERNEL32.dll"] }.Build())
            .AddFile("/dist/python311.dll", Dll("KERNEL32.dll", "VCRUNTIME140.dll", "api-ms-win-crt-runtime-l1-1-0.dll").Build())
            .AddFile("/dist/VCRUNTIME140.dll", Dll("KERNEL32.dll").Build())
            .AddFile("/dist/DLLs/_ssl.pyd", new PeBuilder { Dll = true, Imports = ["libssl-3.dll", "python311.dll", "vcruntime140.dll"], DelayImports = ["optional.dll"] }.Build())
            .AddFile("/dist/DLLs/libssl-3.dll", Dll("libcrypto-3.dll", "WS2_32.dll").Build())
            .AddFile("/dist/DLLs/libcrypto-3.dll", Dll("bcrypt.dll").Build());
        var graph = new DependencyWalker(fs, SystemLibraryPolicy.Windows()).Walk(["/dist/DLLs/_ssl.pyd"], "/dist/python.exe");
        // Breadth-first, in load order: the executable's needs, then the extension's, then theirs.
        Assert.Equal(["python311.dll", "libssl-3.dll", "VCRUNTIME140.dll", "libcrypto-3.dll"], graph.Libraries.Select(l => l.BundleName));
        Assert.Equal(["vcruntime140.dll", "VCRUNTIME140.dll"], graph.Find("vcruntime140.dll")!.RequestedNames);
        Assert.Equal("VCRUNTIME140.dll", graph.Find("vcruntime140.dll")!.BundleName); // the spelling on disk
        Assert.Equal(["KERNEL32.dll", "api-ms-win-crt-runtime-l1-1-0.dll", "WS2_32.dll", "bcrypt.dll"], graph.Excluded.Select(e => e.Name));
        var optional = Assert.Single(graph.Unresolved);
        Assert.Equal("optional.dll", optional.Name);
        Assert.True(optional.IsOptional);
    }

    [Fact]
    public void MacOSTreeFromAnyHost()
    {
        var fs = new InMemoryFileSystem()
            .AddFile("/rt/bin/python3.11", new MachOBuilder { FileType = 2 }.RPath("@executable_path/../lib").Dylib("@rpath/libpython3.11.dylib").Dylib("/usr/lib/libSystem.B.dylib").Build())
            .AddFile("/rt/lib/libpython3.11.dylib", new MachOBuilder().IdDylib("@rpath/libpython3.11.dylib").Dylib("/System/Library/Frameworks/CoreFoundation.framework/Versions/A/CoreFoundation").Build())
            .AddFile("/rt/lib/python3.11/lib-dynload/_ssl.so", new MachOBuilder { FileType = 8 }.Dylib("@rpath/libssl.3.dylib").WeakDylib("@rpath/libnotthere.dylib").Build())
            .AddFile("/rt/lib/libssl.3.dylib", new MachOBuilder().IdDylib("@rpath/libssl.3.dylib").Dylib("@loader_path/libcrypto.3.dylib").Build())
            .AddFile("/rt/lib/libcrypto.3.dylib", new MachOBuilder().IdDylib("@rpath/libcrypto.3.dylib").Build());
        var graph = new DependencyWalker(fs, SystemLibraryPolicy.MacOS()).Walk(["/rt/lib/python3.11/lib-dynload/_ssl.so"], "/rt/bin/python3.11");
        Assert.Equal(["libpython3.11.dylib", "libssl.3.dylib", "libcrypto.3.dylib"], graph.Libraries.Select(l => l.BundleName));
        Assert.Equal("/rt/lib/libcrypto.3.dylib", graph.Find("libcrypto.3.dylib")!.Path);
        Assert.All(graph.Excluded, e => Assert.Equal(SystemLibraryCategory.MacOSSystem, e.Decision.Category));
        var weak = Assert.Single(graph.Unresolved);
        Assert.True(weak.IsOptional);
    }

    [Fact]
    public void ARootOfAnotherFormatIsAClearError()
    {
        var fs = new InMemoryFileSystem().AddFile("/x/ext.pyd", new PeBuilder { Dll = true }.Build()).AddFile("/x/app.py", "print(1)"u8.ToArray());
        var walker = new DependencyWalker(fs, SystemLibraryPolicy.Linux());
        var e = Assert.Throws<BinaryFormatException>(() => walker.Walk(["/x/ext.pyd"]));
        Assert.Contains("is Pe, but a Linux build needs ELF files", e.Message);
        Assert.Throws<BinaryFormatException>(() => walker.Walk(["/x/app.py"]));
    }
}
