using PyFreeze.Binaries;

namespace PyFreeze.Tests.Binaries;

/// <summary>Windows and macOS resolution as pure functions over in-memory trees (building for them from Linux).</summary>
[Trait("Lane", "Fast")]
public class CrossPlatformResolverTests
{
    private static LoadedBinary Load(ILoaderFileSystem fs, string path, LoadedBinary? by = null, string? arch = null)
    {
        using var s = fs.OpenRead(path);
        return new LoadedBinary(path, BinaryInspector.Read(s, path, arch)!, by);
    }

    private static byte[] Pe(bool dll = true, ushort machine = 0x8664, params string[] imports) =>
        new PeBuilder { Dll = dll, Machine = machine, Pe32Plus = machine != 0x14c, Imports = imports }.Build();

    [Fact]
    public void WindowsSearchesTheRequestersDirectoryThenTheAppDirectoriesCaseInsensitively()
    {
        var fs = new InMemoryFileSystem()
            .AddFile("/win/python.exe", Pe(dll: false, imports: "python311.dll"))
            .AddFile("/win/python311.dll", Pe(imports: ["KERNEL32.dll", "VCRUNTIME140.dll"]))
            .AddFile("/win/vcruntime140.dll", Pe())
            .AddFile("/win/DLLs/_ssl.pyd", Pe(imports: ["libssl-3.dll", "python311.dll"]))
            .AddFile("/win/DLLs/LIBSSL-3.DLL", Pe());
        var r = new WindowsLibraryResolver(fs, ["/win"]);
        var ssl = Load(fs, "/win/DLLs/_ssl.pyd");
        var own = r.Resolve("libssl-3.dll", ssl);
        Assert.Equal("/win/DLLs/LIBSSL-3.DLL", own.Path);
        Assert.Equal("directory of /win/DLLs/_ssl.pyd", own.Source);
        var py = r.Resolve("python311.dll", ssl);
        Assert.Equal("/win/python311.dll", py.Path);
        Assert.Equal("application directory", py.Source);
        Assert.Equal("/win/vcruntime140.dll", r.Resolve("VCRUNTIME140.dll", Load(fs, "/win/python311.dll")).Path);
        var missing = r.Resolve("zlib1.dll", ssl);
        Assert.Null(missing.Path);
        Assert.Equal(["/win/DLLs/zlib1.dll", "/win/zlib1.dll"], missing.Attempts.Select(a => a.Candidate));
    }

    [Fact]
    public void WindowsSkipsADllForAnotherMachine()
    {
        var fs = new InMemoryFileSystem()
            .AddFile("/win/app/ext.pyd", Pe(imports: "zlib1.dll"))
            .AddFile("/win/app/zlib1.dll", Pe(machine: 0x14c))
            .AddFile("/win/lib/ZLIB1.dll", Pe());
        var res = new WindowsLibraryResolver(fs, ["/win/lib"]).Resolve("zlib1.dll", Load(fs, "/win/app/ext.pyd"));
        Assert.Equal("/win/lib/ZLIB1.dll", res.Path);
        Assert.Equal(SearchOutcome.WrongArchitecture, res.Attempts[0].Outcome);
        Assert.Contains("x86, need x64", res.Attempts[0].Detail);
    }

    private static byte[] MachO(uint fileType = 6, string? id = null, string[]? rpaths = null, string[]? dylibs = null, string[]? weak = null, int cpu = MachOFile.CpuTypeArm64)
    {
        var b = new MachOBuilder { CpuType = cpu, FileType = fileType };
        if (id is not null) b.IdDylib(id);
        foreach (var d in dylibs ?? []) b.Dylib(d);
        foreach (var d in weak ?? []) b.WeakDylib(d);
        foreach (var r in rpaths ?? []) b.RPath(r);
        return b.Build();
    }

    [Fact]
    public void MacOSRpathIsSearchedUpTheLoadingChainWithLoaderPathOfEachImage()
    {
        var fs = new InMemoryFileSystem()
            .AddFile("/App.app/Contents/MacOS/python", MachO(2, rpaths: ["@executable_path/../Frameworks"], dylibs: ["@rpath/libpython3.11.dylib"]))
            .AddFile("/App.app/Contents/Frameworks/libpython3.11.dylib", MachO(id: "@rpath/libpython3.11.dylib", rpaths: ["@loader_path/lib"]))
            .AddFile("/App.app/Contents/Frameworks/lib/libintl.8.dylib", MachO(id: "@rpath/libintl.8.dylib"))
            .AddFile("/App.app/Contents/Resources/lib-dynload/_ssl.so", MachO(8, dylibs: ["@rpath/libssl.3.dylib", "@loader_path/../../Frameworks/libz.1.dylib"]))
            .AddFile("/App.app/Contents/Frameworks/libssl.3.dylib", MachO(id: "@rpath/libssl.3.dylib"))
            .AddFile("/App.app/Contents/Frameworks/libz.1.dylib", MachO(id: "@rpath/libz.1.dylib"));
        var r = new MacOSLibraryResolver(fs);
        var exe = Load(fs, "/App.app/Contents/MacOS/python");
        var libpython = r.Resolve("@rpath/libpython3.11.dylib", exe);
        Assert.Equal("/App.app/Contents/Frameworks/libpython3.11.dylib", libpython.Path);
        Assert.Contains("LC_RPATH '@executable_path/../Frameworks'", libpython.Source);

        var lp = Load(fs, libpython.Path!, exe);
        Assert.Equal("/App.app/Contents/Frameworks/lib/libintl.8.dylib", r.Resolve("@rpath/libintl.8.dylib", lp).Path);

        // An extension module has no LC_RPATH of its own: its loader's, then the executable's are used.
        var ext = Load(fs, "/App.app/Contents/Resources/lib-dynload/_ssl.so", lp);
        var ssl = r.Resolve("@rpath/libssl.3.dylib", ext);
        Assert.Equal("/App.app/Contents/Frameworks/libssl.3.dylib", ssl.Path);
        Assert.Equal(2, ssl.Attempts.Count); // libpython's @loader_path/lib first, then the executable's
        Assert.Equal("/App.app/Contents/Frameworks/libz.1.dylib", r.Resolve("@loader_path/../../Frameworks/libz.1.dylib", ext).Path);
        Assert.Null(r.Resolve("@rpath/libmissing.dylib", ext).Path);
    }

    [Fact]
    public void MacOSSkipsCandidatesWithoutTheRequestersSliceAndUsesSysrootAndFallbacks()
    {
        var x64Only = MachO(id: "@rpath/libffi.8.dylib", cpu: MachOFile.CpuTypeX86_64);
        var universal = MachOBuilder.Fat((MachOFile.CpuTypeX86_64, 3, x64Only), (MachOFile.CpuTypeArm64, 0, MachO(id: "@rpath/libffi.8.dylib")));
        var fs = new InMemoryFileSystem()
            .AddFile("/rt/bin/python", MachO(2, rpaths: ["/rt/x64", "/rt/fat"]))
            .AddFile("/rt/x64/libffi.8.dylib", x64Only)
            .AddFile("/rt/fat/libffi.8.dylib", universal)
            .AddFile("/sysroot/Library/Frameworks/Tcl.framework/Tcl", MachO(id: "/Library/Frameworks/Tcl.framework/Tcl"))
            .AddFile("/fallback/libintl.8.dylib", MachO(id: "/usr/local/lib/libintl.8.dylib"));
        var exe = Load(fs, "/rt/bin/python");
        var r = new MacOSLibraryResolver(fs, new MacOSLoaderOptions { Sysroot = "/sysroot", FallbackDirectories = ["/fallback"] });
        var ffi = r.Resolve("@rpath/libffi.8.dylib", exe);
        Assert.Equal("/rt/fat/libffi.8.dylib", ffi.Path);
        Assert.Equal(SearchOutcome.WrongArchitecture, ffi.Attempts[0].Outcome);
        Assert.Contains("has x86_64, need arm64", ffi.Attempts[0].Detail);
        Assert.Equal("/sysroot/Library/Frameworks/Tcl.framework/Tcl", r.Resolve("/Library/Frameworks/Tcl.framework/Tcl", exe).Path);
        var intl = r.Resolve("/usr/local/lib/libintl.8.dylib", exe);
        Assert.Equal("/fallback/libintl.8.dylib", intl.Path);
        Assert.Equal("fallback directory", intl.Source);
    }
}
