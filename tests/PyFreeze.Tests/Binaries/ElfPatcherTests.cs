using System.Security.Cryptography;
using PyFreeze.Binaries;
using PyFreeze.Tests.Infrastructure;

namespace PyFreeze.Tests.Binaries;

public class ElfPatcherTests
{
    private static string Gcc(TempDir dir, string output, string source, params string[] args)
    {
        var src = dir.File(Path.GetFileName(output) + ".c");
        File.WriteAllText(src, source);
        var res = Requirements.Run("gcc", ["-o", output, src, .. args]);
        Assert.True(res.ExitCode == 0, res.StdErr);
        return output;
    }

    private static string ReadelfPaths(string path) =>
        string.Join("\n", Requirements.Run("readelf", "-dW", path).StdOut.Split('\n').Where(l => l.Contains("PATH)")));

    [FactRequires(ElfFileTests.PyenvPython, "tool:readelf", "tool:ldd")]
    public void ReplacedRunpathOfPyenvPythonIsSeenByReadelfAndLdSo()
    {
        using var tmp = new TempDir();
        Directory.CreateDirectory(tmp.File("bin"));
        Directory.CreateDirectory(tmp.File("lib"));
        var exe = tmp.File("bin/python3.11");
        File.Copy(Requirements.Expand(ElfFileTests.PyenvPython), exe);
        File.CreateSymbolicLink(tmp.File("lib/libpython3.11.so.1.0"), Requirements.Expand("~/.pyenv/versions/3.11.7/lib/libpython3.11.so.1.0"));

        var r = ElfPatcher.ReplaceSearchPath(exe, "$ORIGIN/../lib");
        Assert.True(r.Succeeded, r.Message);
        Assert.True(r.Changed);

        var elf = ElfFile.Read(exe);
        Assert.Equal("$ORIGIN/../lib", elf.RunPathString);
        Assert.Null(elf.RPathString);
        Assert.Equal(["libpython3.11.so.1.0", "libc.so.6"], elf.Needed);
        Assert.Contains("(RUNPATH)            Library runpath: [$ORIGIN/../lib]", ReadelfPaths(exe));

        var ldd = Requirements.Run("ldd", exe).StdOut;
        Assert.Contains($"libpython3.11.so.1.0 => {tmp.File("bin/../lib/libpython3.11.so.1.0")}", ldd);
        var run = Requirements.Run(exe, "-c", "import sys; print(sys.version_info[:2])");
        Assert.True(run.ExitCode == 0, run.StdErr);
        Assert.Equal("(3, 11)", run.StdOut.Trim());
    }

    [FactRequires(ElfFileTests.PyenvPython, "tool:readelf", "tool:ldd")]
    public void RemovedRunpathIsGoneAndTheBinaryStillRunsWithLdLibraryPath()
    {
        using var tmp = new TempDir();
        var exe = tmp.File("python3.11");
        File.Copy(Requirements.Expand(ElfFileTests.PyenvPython), exe);
        var before = ElfFile.Read(exe);

        var r = ElfPatcher.RemoveSearchPath(exe);
        Assert.True(r.Succeeded && r.Changed, r.Message);
        var after = ElfFile.Read(exe);
        Assert.Null(after.RunPathString);
        Assert.Equal(before.Needed, after.Needed);
        Assert.Equal(before.VersionNeeds.Select(v => v.File), after.VersionNeeds.Select(v => v.File));
        Assert.Equal("", ReadelfPaths(exe));

        // Without the RUNPATH, ld.so no longer looks in pyenv's lib: ldd and the resolver agree on where libpython
        // comes from (the system's copy through ld.so.cache when there is one, else nowhere).
        var pyenvLib = Requirements.Expand("~/.pyenv/versions/3.11.7/lib");
        var ldd = Requirements.Run("ldd", exe).StdOut.Split('\n').Single(l => l.Contains("libpython3.11.so.1.0"));
        Assert.DoesNotContain(pyenvLib, ldd);
        var resolver = new LinuxLibraryResolver(DiskFileSystem.Instance);
        var loaded = new LoadedBinary(exe, BinaryInspector.Read(exe)!);
        var res = resolver.Resolve("libpython3.11.so.1.0", loaded);
        if (res.Path is null)
            Assert.Contains("not found", ldd);
        else
            Assert.Contains(res.Path, ldd);
        var ok = Requirements.Run(exe, new Dictionary<string, string?> { ["LD_LIBRARY_PATH"] = pyenvLib }, "-c", "import sys; print(sys.version_info[:3])");
        Assert.True(ok.ExitCode == 0, ok.StdErr);
        Assert.Equal("(3, 11, 7)", ok.StdOut.Trim());
        var withPath = new LinuxLibraryResolver(DiskFileSystem.Instance, new LinuxLoaderOptions { LibraryPath = [pyenvLib] });
        Assert.Equal(Path.Combine(pyenvLib, "libpython3.11.so.1.0"), withPath.Resolve("libpython3.11.so.1.0", loaded).Path);

        Assert.False(ElfPatcher.RemoveSearchPath(exe).Changed); // idempotent
    }

    [FactRequires("tool:gcc", "tool:readelf")]
    public void RpathBecomesRunpathAndTheBinaryStillRuns()
    {
        using var tmp = new TempDir();
        var exe = Gcc(tmp, tmp.File("t"), "int main(void){return 7;}", "-Wl,-rpath,/x/y", "-Wl,--disable-new-dtags");
        Assert.Equal("/x/y", ElfFile.Read(exe).RPathString);
        Assert.Contains("(RPATH)", ReadelfPaths(exe));

        var r = ElfPatcher.ConvertRPathToRunPath(exe);
        Assert.True(r.Succeeded && r.Changed, r.Message);
        var elf = ElfFile.Read(exe);
        Assert.Null(elf.RPathString);
        Assert.Equal("/x/y", elf.RunPathString);
        Assert.Contains("(RUNPATH)            Library runpath: [/x/y]", ReadelfPaths(exe));
        Assert.Equal(7, Requirements.Run(exe).ExitCode);

        var again = ElfPatcher.ConvertRPathToRunPath(exe);
        Assert.True(again.Succeeded);
        Assert.False(again.Changed);
    }

    [FactRequires("tool:gcc", "tool:readelf")]
    public void ShorterRpathIsWrittenInPlaceLongerIsRefusedUntouched()
    {
        using var tmp = new TempDir();
        var exe = Gcc(tmp, tmp.File("t"), "int main(void){return 3;}", "-Wl,-rpath,/opt/some/long/dir:/opt/other", "-Wl,--disable-new-dtags");
        var hash = SHA256.HashData(File.ReadAllBytes(exe));
        var tooLong = ElfPatcher.ReplaceSearchPath(exe, new string('x', 200));
        Assert.False(tooLong.Succeeded);
        Assert.False(tooLong.Changed);
        Assert.Contains("does not fit", tooLong.Message);
        Assert.Equal(hash, SHA256.HashData(File.ReadAllBytes(exe)));

        var ok = ElfPatcher.ReplaceSearchPath(exe, "$ORIGIN");
        Assert.True(ok.Succeeded, ok.Message);
        Assert.Equal("$ORIGIN", ElfFile.Read(exe).RPathString);
        Assert.Contains("Library rpath: [$ORIGIN]", ReadelfPaths(exe));
        Assert.Equal(3, Requirements.Run(exe).ExitCode);
    }

    [Fact]
    public void StringSharedThroughSuffixMergingIsNotOverwritten()
    {
        // DT_NEEDED points at "libz.so" inside the RUNPATH string "/opt/libz.so" (as a linker merging suffixes may do).
        var bytes = new ElfBuilder { RunPath = "/opt/libz.so", NeededIntoSearchPathAt = 5, Needed = ["libc.so.6"] }.Build();
        var elf = ElfFile.Read(new MemoryStream(bytes), "shared.so");
        Assert.Equal(["libc.so.6", "libz.so"], elf.Needed);
        var ms = new MemoryStream();
        ms.Write(bytes);
        var r = ElfPatcher.ReplaceSearchPath(ms, "shared.so", "/x");
        Assert.False(r.Succeeded);
        Assert.Contains("shared", r.Message);
        Assert.Equal(bytes, ms.ToArray());
    }

    [Theory]
    [InlineData(true, false)]
    [InlineData(false, true)]
    public void RemoveShiftsLaterEntriesDownInBothClassesAndByteOrders(bool is64, bool big)
    {
        var bytes = new ElfBuilder
        {
            Is64 = is64, BigEndian = big, Needed = ["liba.so"], RPath = "/r", RunPath = "/u", SoName = "libme.so",
            Flags1 = ElfFile.DF_1_NODEFLIB, VersionNeeds = [("liba.so", ["A_1"])],
        }.Build();
        var ms = new MemoryStream();
        ms.Write(bytes);
        var r = ElfPatcher.RemoveSearchPath(ms, "x.so");
        Assert.True(r.Succeeded && r.Changed, r.Message);
        var elf = ElfFile.Read(new MemoryStream(ms.ToArray()), "x.so");
        Assert.Null(elf.RPathString);
        Assert.Null(elf.RunPathString);
        Assert.Equal(["liba.so"], elf.Needed);
        Assert.Equal("libme.so", elf.SoName);
        Assert.True(elf.NoDefaultLib);
        Assert.Equal(["A_1"], elf.VersionNeeds.Single().Versions);
    }

    [Fact]
    public void ConvertWhenBothTagsExistDropsTheIgnoredRpath()
    {
        var bytes = new ElfBuilder { Needed = ["liba.so"], RPath = "/r", RunPath = "/u" }.Build();
        var ms = new MemoryStream();
        ms.Write(bytes);
        Assert.True(ElfPatcher.ConvertRPathToRunPath(ms, "x.so").Changed);
        var elf = ElfFile.Read(new MemoryStream(ms.ToArray()), "x.so");
        Assert.Null(elf.RPathString);
        Assert.Equal("/u", elf.RunPathString);
    }

    [Fact]
    public void ReplaceWithoutAnyEntryIsRefused()
    {
        var ms = new MemoryStream();
        ms.Write(new ElfBuilder { Needed = ["liba.so"] }.Build());
        var r = ElfPatcher.ReplaceSearchPath(ms, "x.so", "/a");
        Assert.False(r.Succeeded);
        Assert.Contains("no DT_RPATH or DT_RUNPATH", r.Message);
    }

    /// <summary>Builds exe → liba.so → libb.so where only the executable has a search path, and checks the real ld.so and
    /// the resolver agree: DT_RPATH is inherited by liba's lookup of libb, DT_RUNPATH is not; and RPATH is searched
    /// before LD_LIBRARY_PATH, RUNPATH after.</summary>
    [FactRequires("tool:gcc")]
    public void RpathInheritanceAndLdLibraryPathOrderMatchTheRealLoader()
    {
        using var tmp = new TempDir();
        foreach (var d in new[] { "A", "B1", "B2", "bin" }) Directory.CreateDirectory(tmp.File(d));
        Gcc(tmp, tmp.File("B1/libb.so"), "int b(void){return 1;}", "-shared", "-fPIC", "-Wl,-soname,libb.so");
        Gcc(tmp, tmp.File("B2/libb.so"), "int b(void){return 2;}", "-shared", "-fPIC", "-Wl,-soname,libb.so");
        Gcc(tmp, tmp.File("A/liba.so"), "int b(void); int a(void){return 10*b();}", "-shared", "-fPIC", "-Wl,-soname,liba.so", $"-L{tmp.File("B1")}", "-lb");
        var exe = Gcc(tmp, tmp.File("bin/app"), "int a(void); int main(void){return a();}",
            $"-L{tmp.File("A")}", "-la", $"-L{tmp.File("B1")}", "-Wl,--no-as-needed",
            $"-Wl,-rpath,{tmp.File("A")}:{tmp.File("B1")}", "-Wl,--disable-new-dtags");
        var noEnv = new Dictionary<string, string?> { ["LD_LIBRARY_PATH"] = null };
        var withB2 = new Dictionary<string, string?> { ["LD_LIBRARY_PATH"] = tmp.File("B2") };

        DependencyGraph Walk(string? ldLibraryPath) => new DependencyWalker(DiskFileSystem.Instance, SystemLibraryPolicy.Linux(),
            new DependencyWalkerOptions { Linux = new LinuxLoaderOptions { LibraryPath = ldLibraryPath is null ? [] : [ldLibraryPath] } })
            .Walk([], exe);

        // DT_RPATH: liba inherits the executable's RPATH, and RPATH beats LD_LIBRARY_PATH.
        Assert.Equal(10, Requirements.Run(exe, noEnv).ExitCode);
        Assert.Equal(10, Requirements.Run(exe, withB2).ExitCode);
        var g1 = Walk(tmp.File("B2"));
        Assert.Equal(tmp.File("B1/libb.so"), g1.Find("libb.so")!.Path);
        Assert.StartsWith("RPATH of " + exe, g1.Find("libb.so")!.Via);

        // DT_RUNPATH: LD_LIBRARY_PATH wins, and liba no longer sees the executable's path.
        Assert.True(ElfPatcher.ConvertRPathToRunPath(exe).Changed);
        Assert.Equal(20, Requirements.Run(exe, withB2).ExitCode);
        var g2 = Walk(tmp.File("B2"));
        Assert.Equal(tmp.File("B2/libb.so"), g2.Find("libb.so")!.Path);
        Assert.Equal("LD_LIBRARY_PATH", g2.Find("libb.so")!.Via);

        var fail = Requirements.Run(exe, noEnv);
        Assert.NotEqual(0, fail.ExitCode);
        Assert.Contains("libb.so", fail.StdErr);
        var g3 = Walk(null);
        Assert.NotNull(g3.Find("liba.so"));
        var missing = Assert.Single(g3.Unresolved);
        Assert.Equal("libb.so", missing.Name);
        Assert.Equal([tmp.File("A/liba.so")], missing.NeededBy);
        Assert.Contains("default directory", g3.ExplainUnresolved());
    }
}
