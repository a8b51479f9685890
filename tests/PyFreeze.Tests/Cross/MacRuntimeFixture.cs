using PyFreeze.Emit;
using PyFreeze.Tests.Infrastructure;

namespace PyFreeze.Tests.Cross;

/// <summary>
/// macOS arm64 runtimes and a stand-in osx-arm64 bootloader kit for cross-building tests. No macOS CPython and no
/// osx-arm64 .NET pack is reachable offline, so real Mach-O files are made here with LLVM's clang and ld64.lld
/// (<c>Fixtures/macos/*.c</c>, linked against a text stub of libSystem): a python-build-standalone-style
/// <c>install_only</c> archive (<c>python/bin/python3.11</c> with LC_RPATH <c>@executable_path/../lib</c>,
/// <c>python/lib/libpython3.11.dylib</c> exporting <c>_PyInit_*</c> of its built-in modules, the host's pure-Python
/// standard library, an extension module in <c>lib-dynload</c> linking <c>@rpath/libssl.3.dylib</c>), a target
/// site-packages folder with an unsigned extension module and the unsigned dylib it links through
/// <c>@loader_path</c> (as delocate lays out wheels). The bootloader kit is the real osx-arm64 one when its .NET packs
/// restore from NuGet, else a stand-in whose host is a Mach-O carrying HostModel's placeholders. The binaries are
/// never run: what runs is PyFreeze on them.
/// </summary>
public sealed class MacRuntimeFixture : IDisposable
{
    /// <summary>LLVM's C compiler (Debian: clang-14).</summary>
    public const string Clang = "clang-14";

    /// <summary>LLVM's Mach-O linker (Debian: lld-14).</summary>
    public const string Ld64 = "/usr/lib/llvm-14/bin/ld64.lld";

    private readonly TempDir _dir = new("macrt");
    private readonly object _lock = new();
    private readonly Dictionary<bool, string> _archives = [];
    private string? _kit;

    /// <summary>The folder of compiled stand-ins.</summary>
    public string Binaries => _dir["bin"];

    /// <summary>Compiles the stand-ins.</summary>
    /// <exception cref="InvalidOperationException">clang-14 or ld64.lld is missing or fails (CI installs
    /// <c>clang-14 lld-14</c>).</exception>
    public MacRuntimeFixture()
    {
        Directory.CreateDirectory(Binaries);
        var src = Repo.Path_("tests", "PyFreeze.Tests", "Fixtures", "macos");
        File.Copy(Path.Combine(src, "libSystem.tbd"), Bin("libSystem.tbd"));
        Compile("python_standin.c", "python_standin.o");
        Compile("python_exe.c", "python_exe.o");
        Compile("dep.c", "dep.o");
        Compile("ext.c", "ext_ssl.o", "-DMODULE=_ssl");
        Compile("ext.c", "ext_speedups.o", "-DMODULE=_speedups");
        Compile("singlefilehost.c", "singlefilehost.o");
        Link("-dylib", "-install_name", "@rpath/libpython3.11.dylib", "-o", "libpython3.11.dylib", "python_standin.o");
        Link("-o", "python3.11", "python_exe.o", "libpython3.11.dylib", "-rpath", "@executable_path/../lib");
        Link("-dylib", "-install_name", "@rpath/libssl.3.dylib", "-o", "libssl.3.dylib", "dep.o");
        Link("-bundle", "-o", "_ssl.cpython-311-darwin.so", "ext_ssl.o", "libssl.3.dylib", "-rpath", "@loader_path/../..");
        Compile("ext.c", "ext_tkinter.o", "-DMODULE=_tkinter");
        Link("-dylib", "-install_name", "@rpath/libtcl8.6.dylib", "-o", "libtcl8.6.dylib", "dep.o");
        Link("-dylib", "-install_name", "@rpath/libtk8.6.dylib", "-o", "libtk8.6.dylib", "dep.o");
        Link("-bundle", "-o", "_tkinter.cpython-311-darwin.so", "ext_tkinter.o", "libtcl8.6.dylib", "libtk8.6.dylib", "-rpath", "@loader_path/../..");
        // a wheel's files as pip leaves them after delocate, here without signatures: PyFreeze must sign them
        Link("-no_adhoc_codesign", "-dylib", "-install_name", "@loader_path/.dylibs/libfast.dylib", "-o", "libfast.dylib", "dep.o");
        Link("-no_adhoc_codesign", "-bundle", "-o", "_speedups.cpython-311-darwin.so", "ext_speedups.o", "libfast.dylib");
        Link("-o", "singlefilehost", "singlefilehost.o");
        Link("-arch", "x86_64", "-dylib", "-install_name", "@rpath/libpython3.11.dylib", "-o", "libpython3.11-x86_64.dylib", X86("python_standin.c"));
    }

    private string X86(string source)
    {
        Compile(source, "x86-" + Path.ChangeExtension(source, ".o"), "-target", "x86_64-apple-macos11");
        return "x86-" + Path.ChangeExtension(source, ".o");
    }

    private void Compile(string source, string output, params string[] more)
    {
        var src = Repo.Path_("tests", "PyFreeze.Tests", "Fixtures", "macos", source);
        string[] target = more.Contains("-target") ? [] : ["-target", "arm64-apple-macos11"];
        Run(Clang, [.. target, "-O1", "-fno-stack-protector", .. more, "-c", src, "-o", output]);
    }

    private void Link(params string[] args)
    {
        string[] arch = args.Contains("-arch") ? [] : ["-arch", "arm64"];
        Run(Ld64, [.. arch, "-platform_version", "macos", "11.0", "11.0", .. args, "libSystem.tbd"]);
    }

    private void Run(string tool, string[] args)
    {
        if (!File.Exists(tool) && WindowsRuntimeFixture.FindOnPath(tool) is null)
            throw new InvalidOperationException($"{tool} is not installed (apt-get install clang-14 lld-14)");
        var r = Proc.Exec(tool, args, cwd: Binaries, timeoutSeconds: 120);
        if (r.ExitCode != 0)
            throw new InvalidOperationException($"{tool} {string.Join(' ', args)} failed:\n{r.StdErr}");
    }

    /// <summary>A stand-in binary's path.</summary>
    public string Bin(string name) => Path.Combine(Binaries, name);

    /// <summary>The python-build-standalone-style <c>aarch64-apple-darwin</c> archive (made once per variation).</summary>
    /// <param name="tcl">Whether it holds the Tcl/Tk script libraries (<c>lib/tcl8.6</c>, <c>lib/tk8.6</c>) beside
    /// <c>_tkinter</c> and libtcl/libtk, as python-build-standalone's does.</param>
    public string Archive(bool tcl = true)
    {
        lock (_lock)
        {
            if (_archives.TryGetValue(tcl, out var done))
                return done;
            var path = _dir[$"pbs-{tcl}/cpython-3.11.9+20240726-aarch64-apple-darwin-install_only.tar.gz"];
            Directory.CreateDirectory(Path.GetDirectoryName(path)!);
            var entries = new List<(string Name, string? File, byte[]? Bytes)>
            {
                ("python/bin/python3.11", Bin("python3.11"), null),
                ("python/lib/libpython3.11.dylib", Bin("libpython3.11.dylib"), null),
                ("python/lib/libssl.3.dylib", Bin("libssl.3.dylib"), null),
                ("python/lib/python3.11/lib-dynload/_ssl.cpython-311-darwin.so", Bin("_ssl.cpython-311-darwin.so"), null),
                ("python/lib/python3.11/_sysconfigdata__darwin_darwin.py", null, "build_time_vars = {'SOABI': 'cpython-311-darwin', 'MACOSX_DEPLOYMENT_TARGET': '11.0'}\n"u8.ToArray()),
            };
            entries.AddRange(WindowsRuntimeFixture.HostStdlib().Select(f => ("python/lib/python3.11/" + f.Relative, (string?)f.Path, (byte[]?)null)));
            foreach (var f in Directory.EnumerateFiles("/usr/lib/python3.11/tkinter", "*.py").Order(StringComparer.Ordinal))
                entries.Add(("python/lib/python3.11/tkinter/" + Path.GetFileName(f), f, null));
            entries.Add(("python/lib/python3.11/lib-dynload/_tkinter.cpython-311-darwin.so", Bin("_tkinter.cpython-311-darwin.so"), null));
            entries.Add(("python/lib/libtcl8.6.dylib", Bin("libtcl8.6.dylib"), null));
            entries.Add(("python/lib/libtk8.6.dylib", Bin("libtk8.6.dylib"), null));
            if (tcl)
            {
                entries.Add(("python/lib/tcl8.6/init.tcl", null, "# stand-in init.tcl\n"u8.ToArray()));
                entries.Add(("python/lib/tcl8.6/encoding/utf-8.enc", null, "# stand-in\n"u8.ToArray()));
                entries.Add(("python/lib/tk8.6/tk.tcl", null, "# stand-in tk.tcl\n"u8.ToArray()));
            }
            WindowsRuntimeFixture.WriteTarGz(path, entries);
            return _archives[tcl] = path;
        }
    }

    /// <summary>An archive of the same layout whose libpython is an x86_64 Mach-O (the wrong architecture).</summary>
    public string X86Archive()
    {
        var path = _dir["x86/cpython-3.11.9+20240726-x86_64-apple-darwin-install_only.tar.gz"];
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        WindowsRuntimeFixture.WriteTarGz(path,
        [
            ("python/bin/python3.11", Bin("python3.11"), null),
            ("python/lib/libpython3.11.dylib", Bin("libpython3.11-x86_64.dylib"), null),
            ("python/lib/python3.11/os.py", null, "# os\n"u8.ToArray()),
        ]);
        return path;
    }

    /// <summary>Writes the target site-packages folder (package <c>fastthing</c> with its unsigned extension module
    /// and dylib) under <paramref name="dir"/>.</summary>
    public void WriteSitePackages(string dir)
    {
        Directory.CreateDirectory(Path.Combine(dir, "fastthing", ".dylibs"));
        File.WriteAllText(Path.Combine(dir, "fastthing", "__init__.py"), "from . import _speedups\n");
        File.Copy(Bin("_speedups.cpython-311-darwin.so"), Path.Combine(dir, "fastthing", "_speedups.cpython-311-darwin.so"), true);
        File.Copy(Bin("libfast.dylib"), Path.Combine(dir, "fastthing", ".dylibs", "libfast.dylib"), true);
    }

    /// <summary>The osx-arm64 bootloader kit the builds use: the real one, published from the bootloader project with
    /// the osx-arm64 .NET packs restored from NuGet (once per bootloader source, in the build cache), or, when those
    /// packs cannot be restored here, a stand-in (<see cref="WriteKit"/>); <see cref="KitNote"/> says which.</summary>
    public string Kit()
    {
        lock (_lock)
        {
            if (_kit is not null)
                return _kit;
            try
            {
                var kit = BootloaderKit.Locate(Rid.Parse("osx-arm64"), PyFreeze.Cache.BuildCache.Default(), new PyFreeze.Diagnostics.Log(PyFreeze.Diagnostics.LogLevel.Warn, TextWriter.Null));
                RealKit = true;
                KitNote = $"the real osx-arm64 bootloader kit ({kit.Framework}) in {kit.Directory}";
                return _kit = kit.Directory;
            }
            catch (PyFreeze.Diagnostics.PyFreezeException e)
            {
                KitNote = $"a stand-in osx-arm64 kit, because the real one could not be published: {e.Message}";
                return _kit = WriteKit(_dir["standin-kit"]);
            }
        }
    }

    /// <summary>True when <see cref="Kit"/> is the real osx-arm64 kit (the .NET single-file host for osx-arm64).</summary>
    public bool RealKit { get; private set; }

    /// <summary>Which kit <see cref="Kit"/> gave, for the test output.</summary>
    public string KitNote { get; private set; } = "";

    /// <summary>Writes a bootloader kit for osx-arm64 into <paramref name="dir"/>: the stand-in Mach-O host and the
    /// files of the linux-x64 kit (the bundler does not look inside them).</summary>
    public string WriteKit(string dir)
    {
        var linux = BootloaderKit.FindExisting(Rid.Parse("linux-x64"), PyFreeze.Cache.BuildCache.Default(), out _)
            ?? throw new InvalidOperationException("no linux-x64 bootloader kit: build the solution first");
        Directory.CreateDirectory(Path.Combine(dir, "files"));
        foreach (var f in linux.Files)
        {
            var to = Path.Combine(dir, "files", f);
            Directory.CreateDirectory(Path.GetDirectoryName(to)!);
            File.Copy(linux.FilePath(f), to, true);
        }
        File.Copy(Bin("singlefilehost"), Path.Combine(dir, "singlefilehost"), true);
        File.WriteAllLines(Path.Combine(dir, "kit.txt"),
            ["rid=osx-arm64", $"framework={linux.Framework}", $"assembly={linux.AssemblyName}", "host=singlefilehost", .. linux.Files.Select(f => "file=" + f)]);
        return dir;
    }

    /// <inheritdoc />
    public void Dispose() => _dir.Dispose();
}
