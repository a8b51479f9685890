using System.Xml;
using PyFreeze.Binaries;
using PyFreeze.Build;
using PyFreeze.Diagnostics;
using PyFreeze.Inspect;
using PyFreeze.Tests.Infrastructure;

namespace PyFreeze.Tests.Cross;

/// <summary>
/// <c>--target osx-arm64 --runtime ARCHIVE</c> from this Linux host, through every stage: the analysis resolves against
/// the runtime's standard library with macOS extension suffixes and the modules its libpython has built in, dylibs
/// are found through Mach-O load commands (<c>@rpath</c>, <c>@loader_path</c>, <c>@executable_path</c>), bytecode
/// comes from a host CPython 3.11, the payload's Mach-O files are signed ad hoc, and HostModel writes and signs the
/// Mach-O host, plain or as a <c>.app</c>. The runtime is a stand-in built with LLVM (see
/// <see cref="MacRuntimeFixture"/>); the .NET host is the real osx-arm64 one when its packs restore. Nothing here runs
/// on macOS.
/// </summary>
public class CrossMacBuildTests(MacRuntimeFixture mac, Xunit.Abstractions.ITestOutputHelper output) : IClassFixture<MacRuntimeFixture>
{
    private const string App = """
        import json
        import ssl
        import decimal
        import fastthing
        print(json.dumps({"ok": True}))
        """;

    private BuildResult Build(TempDir t, string runtime, Func<BuildSettings, BuildSettings>? more = null, string app = App)
    {
        var entry = t.Write("app/app.py", app);
        mac.WriteSitePackages(t["macsite"]);
        output.WriteLine($"bootloader: {mac.Kit()} — {mac.KitNote}");
        var options = new BuildSettings
        {
            Entry = entry,
            Python = Pythons.Debian,
            DistPath = t["dist"],
            WorkPath = t["build"],
            Target = "osx-arm64",
            Runtime = runtime,
            TargetSitePackages = [t["macsite"]],
            BootloaderKit = mac.Kit(),
            Log = new Log(LogLevel.Warn, TextWriter.Null),
        };
        return new BuildPipeline(more is null ? options : more(options)).Run();
    }

    [Fact]
    public void Cross_osx_arm64_from_a_python_build_standalone_archive()
    {
        using var t = new TempDir("xmacb");
        var result = Build(t, mac.Archive());

        Assert.Equal(t["dist/app"], result.Executable);
        var host = MachOFile.Read(result.Executable);
        Assert.Equal("arm64", Assert.Single(host.Images).ArchitectureName);
        Assert.Equal(MachOFileType.Execute, host.Images[0].FileType);
        Assert.True(host.Images[0].HasCodeSignature, "HostModel signs the osx-arm64 host");
        if (mac.RealKit)
            Assert.True(new FileInfo(result.Executable).Length > 10_000_000, "the real .NET single-file host and runtime for osx-arm64");

        var interp = result.Analysis.Interpreter;
        Assert.Equal("darwin", interp.Platform);
        Assert.Contains(".cpython-311-darwin.so", interp.ExtensionSuffixes);
        Assert.Contains("_json", interp.BuiltinModules);   // from libpython's _PyInit__json
        Assert.DoesNotContain("_ssl", interp.BuiltinModules);

        var app = AppInspector.Inspect(result.Executable);
        Assert.True(app.PayloadIntact);
        Assert.Equal("exec", app.Settings.LaunchMode);
        Assert.Equal("python/bin/app", app.Settings.Interpreter);
        Assert.Equal("osx-arm64", app.BuildInfo!.Value.GetProperty("rid").GetString());
        var files = app.Files.Select(f => f.Path).ToHashSet(StringComparer.Ordinal);
        foreach (var expected in new[]
                 {
                     "python/bin/app", "python/lib/libpython3.11.dylib", "python/lib/libssl.3.dylib",
                     "python/lib/python3.11/lib-dynload/_ssl.cpython-311-darwin.so", "python/lib/python3.11/os.pyc",
                     "python/lib/python3.11/json/__init__.pyc", "python/lib/python3.11/ssl.pyc", "python/lib/python3.11/decimal.pyc",
                     "app/fastthing/__init__.pyc", "app/fastthing/_speedups.cpython-311-darwin.so", "app/fastthing/.dylibs/libfast.dylib",
                     "app/app.pyc",
                 })
            Assert.Contains(expected, files);
        Assert.DoesNotContain(files, f => f.EndsWith(".pyd", StringComparison.Ordinal) || f.EndsWith(".dll", StringComparison.Ordinal) && f.StartsWith("python/", StringComparison.Ordinal));
        Assert.DoesNotContain(result.Plan.MissingLibraries, m => m.Item1.Contains("ssl", StringComparison.Ordinal) || m.Item1.Contains("fast", StringComparison.Ordinal));
        Assert.Contains(result.Plan.ExcludedLibraries, e => e.Name == "/usr/lib/libSystem.B.dylib");

        // Bytecode by the host CPython 3.11, the interpreter and libraries from the archive.
        var extracted = t["x"];
        AppInspector.Extract(app, extracted);
        var magic = Convert.ToHexStringLower(File.ReadAllBytes(Path.Combine(extracted, "python/lib/python3.11/json/__init__.pyc"))[..4]);
        Assert.Equal(interp.Magic, magic);
        var exe = MachOFile.Read(Path.Combine(extracted, "python/bin/app")).Images[0];
        Assert.Equal(MachOFileType.Execute, exe.FileType);
        Assert.Contains("@executable_path/../lib", exe.RPaths);

        // Every Mach-O file in the payload carries a valid signature: the runtime's own (lld's, linker-signed) kept
        // byte for byte, the wheel's unsigned extension module and dylib signed ad hoc by the build.
        var machO = Directory.EnumerateFiles(extracted, "*", SearchOption.AllDirectories)
            .Where(f => { var h = new byte[8]; using var s = File.OpenRead(f); return s.Read(h) == 8 && (MachOFile.HasThinMagic(h) || MachOFile.HasFatMagic(h)); })
            .ToList();
        Assert.Equal(6, machO.Count);
        foreach (var f in machO)
        {
            var sig = MachOCodeSignature.Verify(f);
            Assert.True(sig.IsValid, $"{Path.GetRelativePath(extracted, f)}: {sig.Problem}");
        }
        Assert.Equal(File.ReadAllBytes(mac.Bin("libpython3.11.dylib")), File.ReadAllBytes(Path.Combine(extracted, "python/lib/libpython3.11.dylib")));
        Assert.False(MachOCodeSignature.Verify(mac.Bin("_speedups.cpython-311-darwin.so")).IsSigned);
        var speedups = MachOCodeSignature.Verify(Path.Combine(extracted, "app/fastthing/_speedups.cpython-311-darwin.so"));
        Assert.True(speedups.IsAdHoc && !speedups.IsLinkerSigned);
        Assert.Equal("_speedups.cpython-311-darwin.so", speedups.Identifier);
        Assert.True(MachOCodeSignature.Verify(Path.Combine(extracted, "app/fastthing/.dylibs/libfast.dylib")).IsValid);

        // The host as HostModel signed it, bundle included: an independent signer that our verifier must accept.
        var hostSig = MachOCodeSignature.Verify(result.Executable);
        Assert.True(hostSig.IsValid && hostSig.IsAdHoc, hostSig.Problem);
        Assert.True(hostSig.CodeLimit >= result.Emit!.PayloadOffset + result.Payload!.Length, "the host's signature covers the bundled payload");
    }

    [Fact]
    public void Cross_osx_arm64_windowed_makes_an_app_bundle()
    {
        using var t = new TempDir("xmaca");
        var result = Build(t, mac.Archive(), o => o with { Windowed = true, BundleIdentifier = "com.example.fast", ProductVersion = "1.2.3" });

        Assert.Equal(t["dist/app.app/Contents/MacOS/app"], result.Executable);
        Assert.True(MachOFile.Read(result.Executable).Images[0].HasCodeSignature);
        var plist = new XmlDocument { XmlResolver = null };
        plist.Load(XmlReader.Create(t["dist/app.app/Contents/Info.plist"], new XmlReaderSettings { DtdProcessing = DtdProcessing.Ignore }));
        string Value(string key) => plist.SelectSingleNode($"/plist/dict/key[text()='{key}']/following-sibling::*[1]")!.InnerText;
        Assert.Equal("com.example.fast", Value("CFBundleIdentifier"));
        Assert.Equal("app", Value("CFBundleExecutable"));
        Assert.Equal("1.2.3", Value("CFBundleShortVersionString"));
        Assert.True(AppInspector.Inspect(result.Executable).PayloadIntact);
    }

    [Fact]
    public void Cross_osx_arm64_tkinter_takes_tcl_and_tk_from_the_runtime_not_from_this_machine()
    {
        using var t = new TempDir("xmact");
        var result = Build(t, mac.Archive(), app: "import tkinter\nprint(tkinter.TkVersion)\n");
        var files = AppInspector.Inspect(result.Executable).Files.Select(f => f.Path).ToHashSet(StringComparer.Ordinal);
        foreach (var expected in new[]
                 {
                     "python/lib/python3.11/lib-dynload/_tkinter.cpython-311-darwin.so", "python/lib/libtcl8.6.dylib",
                     "python/lib/libtk8.6.dylib", "python/lib/tcl8.6/init.tcl", "python/lib/tcl8.6/encoding/utf-8.enc",
                     "python/lib/tk8.6/tk.tcl", "python/lib/python3.11/tkinter/__init__.pyc",
                 })
            Assert.Contains(expected, files);
        Assert.DoesNotContain(files, f => f.Contains("/usr/share/tcltk", StringComparison.Ordinal));

        // A runtime with _tkinter but without Tcl's script library: one line that says so, not Debian's install hint.
        using var t2 = new TempDir("xmact2");
        var e = Assert.Throws<PyFreezeException>(() => Build(t2, mac.Archive(tcl: false), app: "import tkinter\n"));
        Assert.Contains("holds no tcl8.X/init.tcl", e.Message);
        Assert.Contains("tkinter", e.Message);
        Assert.DoesNotContain("apt-get", e.Message);
        Assert.False(Directory.Exists(t2["dist"]) && Directory.EnumerateFileSystemEntries(t2["dist"]).Any());
    }

    [Fact]
    public void Cross_osx_arm64_bad_runtimes_fail_with_one_line_and_leave_dist_empty()
    {
        using var t = new TempDir("xmacx");
        var x86 = Assert.Throws<PyFreezeException>(() => Build(t, mac.X86Archive()));
        Assert.Contains("libpython3.11.dylib is for x86_64, not osx-arm64", x86.Message);
        Assert.Equal(2, x86.ExitCode);

        var linuxArchive = t["cpython-3.11.9+20240726-x86_64-unknown-linux-gnu-install_only.tar.gz"];
        WindowsRuntimeFixture.WriteTarGz(linuxArchive,
        [
            ("python/bin/python3.11", "/bin/true", null),
            ("python/lib/libpython3.11.so.1.0", "/bin/true", null),
            ("python/lib/python3.11/os.py", null, "# os\n"u8.ToArray()),
        ]);
        var linux = Assert.Throws<PyFreezeException>(() => Build(t, linuxArchive));
        Assert.Contains("Linux", linux.Message);
        Assert.Contains("not for osx-arm64", linux.Message);
        Assert.DoesNotContain('\n', linux.Message);

        Assert.False(Directory.Exists(t["dist"]) && Directory.EnumerateFileSystemEntries(t["dist"]).Any());
    }
}
