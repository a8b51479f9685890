using System.Diagnostics;
using PyFreeze.Binaries;
using PyFreeze.Payload;
using PyFreeze.Probe;
using PyFreeze.Tests.Infrastructure;
using Xunit.Abstractions;

namespace PyFreeze.Tests.Cross;

/// <summary>
/// <c>--target linux-arm64</c> proven end to end on this x86-64 machine: apps cross-built from a real Debian arm64
/// CPython 3.11 (<see cref="Arm64Target"/>), run under qemu with every Python hidden, and each compared with what
/// Debian's arm64 python3 itself prints under qemu on the same script: examples/hello, numpy from Debian's arm64
/// python3-numpy as target site-packages, the frozen-semantics core (argv, exit codes, an uncaught exception, signals,
/// <c>sys.executable</c>, multiprocessing spawn, package data, metadata) and the python-build-standalone layout. The
/// bootloader is the NativeAOT one cross-compiled here (<see cref="Arm64Target.RequireCrossAot"/>); hello also runs with
/// the single-file host a machine without the cross toolchain gets.
/// </summary>
public class CrossLinuxArm64Tests(ITestOutputHelper output)
{
    private static readonly string Hello = Repo.Path_("examples", "hello", "hello.py");

    private static Apps.Built HelloApp() => Arm64Target.Build("hello", Hello);

    private static Apps.Built NumpyApp() => Arm64Target.Build("numpy", Apps.Entry("numpyapp", "numpy_app.py"),
        configure: o => o with { TargetSitePackages = [Arm64Target.SitePackages] });

    private static Apps.Built CoreApp() => Arm64Target.Build("armcore", Arm64Target.Fixture("armcore", "armcore.py"));

    /// <summary>Every ELF file of the payload is aarch64, and every one that came from outside PyFreeze came from the
    /// runtime's folder or the target site-packages, never from this machine's own libraries.</summary>
    private static void AssertOnlyArm64Binaries(Apps.Built app, params string[] allowedRoots)
    {
        var elves = 0;
        foreach (var entry in app.Result.Plan.Entries.Where(e => e.Kind == PyFreeze.Collect.PayloadEntryKind.Binary && e.Source is not null))
        {
            if (BinaryInspector.Identify(entry.Source!) != BinaryFormat.Elf)
                continue;
            elves++;
            var elf = ElfFile.Read(entry.Source!);
            Assert.True(elf.Machine == 183, $"{entry.Dest} from {entry.Source} is {elf.MachineName}, not aarch64");
            var real = new FileInfo(entry.Source!).ResolveLinkTarget(true)?.FullName ?? entry.Source!;
            Assert.True(allowedRoots.Any(r => real.StartsWith(r + "/", StringComparison.Ordinal)), $"{entry.Dest} came from {real}, outside the runtime");
        }
        Assert.True(elves > 5, $"only {elves} ELF files in the payload");
    }

    [Fact]
    public void Hello_cross_built_from_a_Debian_arm64_root_prints_what_arm64_python3_prints()
    {
        var toolchain = Arm64Target.RequireCrossAot();
        var app = HelloApp();
        Assert.Equal(183, ElfFile.Read(app.Executable).Machine); // the NativeAOT bootloader, cross-compiled for aarch64
        Assert.Matches(@"^the NativeAOT bootloader for linux-arm64 \(\.NET 10\.\d+\.\d+, PyFreeze\.Bootloader\)$", app.Result.Bootloader);
        Assert.Equal(PyFreeze.Emit.BootloaderKit.Aot, app.Result.Emit.Bootloader);
        output.WriteLine($"bootloader cross-compiled with {toolchain.Clang}: {app.Result.Emit.BootloaderSize:N0} bytes");
        // and the app says so itself
        var inspect = Proc.Exec("dotnet", [Path.Combine(AppContext.BaseDirectory, "pyfreeze.dll"), "inspect", app.Executable, "--json", "-"]);
        Assert.True(inspect.ExitCode == 0, inspect.ToString());
        using (var doc = System.Text.Json.JsonDocument.Parse(inspect.StdOut))
        {
            Assert.Equal("aot", doc.RootElement.GetProperty("bootloader").GetString());
            Assert.Equal("linux-arm64", doc.RootElement.GetProperty("build").GetProperty("rid").GetString());
        }
        Assert.Equal("linux-arm64", app.Result.Target.Name);
        var interp = app.Result.Analysis.Interpreter;
        Assert.Equal("aarch64", interp.Machine);
        Assert.Equal(".cpython-311-aarch64-linux-gnu.so", interp.ExtensionSuffixes[0]);
        Assert.Contains(app.Result.Files, f => f.Path.EndsWith("lib-dynload/_json.cpython-311-aarch64-linux-gnu.so", StringComparison.Ordinal));
        Assert.Contains(app.Result.Plan.ExcludedLibraries, l => l.Name == "ld-linux-aarch64.so.1");
        Assert.Equal(new Version(2, 36), app.Result.Plan.RequiredGlibc?.Version ?? new Version(0, 0));
        // the floor is the payload's; the bootloader, linked here against Debian 12's aarch64 glibc, needs no newer one
        // (it runs before the floor check, so a newer need would fail in the loader instead)
        var bootloaderGlibc = ElfFile.Read(app.Executable).RequiredGlibcVersion;
        Assert.True(bootloaderGlibc is not null && bootloaderGlibc <= app.Result.Plan.RequiredGlibc?.Version,
            $"the bootloader needs glibc {bootloaderGlibc}, the app's floor is {app.Result.Plan.RequiredGlibc?.Version}");
        AssertOnlyArm64Binaries(app, Arm64Target.Root);

        var box = Arm64Target.NewSandbox();
        foreach (var args in new[] { new[] { "Ada", "--lang", "fr" }, ["--json", "Grace", "Hopper"] })
        {
            var frozen = box.Run(app.Executable, args, timeoutSeconds: 300);
            var python = Arm64Target.Reference(Path.GetDirectoryName(Hello)!, "hello.py", args);
            output.WriteLine($"frozen ({frozen.Elapsed.TotalSeconds:0.0} s):\n{frozen.StdOut}python3 under qemu ({python.Elapsed.TotalSeconds:0.0} s):\n{python.StdOut}");
            Assert.True(frozen.ExitCode == 0, frozen.ToString());
            Assert.True(python.ExitCode == 0, python.ToString());
            Assert.Contains("3.11.2", python.StdOut);
            Assert.Equal(python.StdOut.Replace("frozen=False", "frozen=True").Replace("\"frozen\": false", "\"frozen\": true"), frozen.StdOut);
        }
        Assert.Single(box.Unpacked());
    }

    [Fact]
    public void Without_the_cross_toolchain_the_single_file_host_is_the_bootloader_and_runs_the_app()
    {
        // the kit a linux-x64 machine without clang or the aarch64 sysroot publishes (kept in the build cache where that
        // machine's build would keep it), given with --bootloader-kit
        var kit = SingleFileKit();
        Assert.False(kit.IsAot);
        var app = Arm64Target.Build("hello-singlefile", Hello, configure: o => o with { BootloaderKit = kit.Directory });
        Assert.Equal(PyFreeze.Emit.BootloaderKit.SingleFile, app.Result.Emit.Bootloader);
        Assert.Contains("single-file host for linux-arm64", app.Result.Bootloader);
        Assert.Equal(183, ElfFile.Read(app.Executable).Machine);

        string[] args = ["Ada", "--lang", "fr"];
        var frozen = Arm64Target.NewSandbox().Run(app.Executable, args, timeoutSeconds: 300);
        var python = Arm64Target.Reference(Path.GetDirectoryName(Hello)!, "hello.py", args);
        Assert.True(frozen.ExitCode == 0, frozen.ToString());
        Assert.True(python.ExitCode == 0, python.ToString());
        Assert.Equal(python.StdOut.Replace("frozen=False", "frozen=True"), frozen.StdOut);
    }

    private static readonly object SingleFileKitLock = new();

    /// <summary>The single-file host kit for linux-arm64 a machine without the cross toolchain publishes, kept in the
    /// build cache where that machine's build would keep it (published once, ~1–2 min).</summary>
    private static PyFreeze.Emit.BootloaderKit SingleFileKit()
    {
        lock (SingleFileKitLock)
        {
            var rid = PyFreeze.Rid.Parse(Arm64Target.Rid);
            var kit = PyFreeze.Emit.BootloaderKit.FindExisting(rid, PyFreeze.Cache.BuildCache.Default(), out var dir, aot: false);
            if (kit is not null)
                return kit;
            PyFreeze.Emit.BootloaderKit.Publish(PyFreeze.Emit.BootloaderKit.BootloaderProject()!, Arm64Target.Rid, dir, aot: false);
            return PyFreeze.Emit.BootloaderKit.Read(dir)!;
        }
    }

    [Fact]
    public void A_cross_publish_that_fails_is_a_warning_and_the_app_gets_the_single_file_host()
    {
        // a clang-99 on PATH (with an ld.lld and llvm-objcopy beside it) that the probe takes and that fails every call,
        // as a broken or wrong toolchain would; the build cache is a fresh one holding only the single-file kit
        Arm64Target.RequireCrossAot(); // the aarch64 sysroot files the probe wants
        using var t = new TempDir("arm-xfail");
        foreach (var name in new[] { "clang-99", "ld.lld", "llvm-objcopy" })
        {
            var f = t.Write($"bin/{name}", "#!/bin/sh\necho \"$0: error: this toolchain is broken\" >&2\nexit 1\n");
            File.SetUnixFileMode(f, (UnixFileMode)0b111_101_101);
        }
        var single = SingleFileKit();
        var cache = t["buildcache"];
        Directory.CreateDirectory(Path.Combine(cache, "kits"));
        var copy = Proc.Exec("cp", ["-a", single.Directory, Path.Combine(cache, "kits", Path.GetFileName(single.Directory))]);
        Assert.True(copy.ExitCode == 0, copy.ToString());

        var tool = Path.Combine(AppContext.BaseDirectory, "pyfreeze.dll");
        var build = Proc.Exec("dotnet", [tool, "build", Hello, "--target", "linux-arm64", "--runtime", Arm64Target.Root, "--python", Pythons.Debian,
                "--distpath", t["dist"], "--workpath", t["build"], "--json", t["build.json"]],
            cwd: t.Path, env: new Dictionary<string, string?>
            {
                ["PATH"] = t["bin"] + ":/usr/local/bin:/usr/bin:/bin",
                [PyFreeze.Cache.BuildCache.OverrideVariable] = cache,
                ["GITHUB_ACTIONS"] = null, ["CI"] = null,
            }, timeoutSeconds: 900);
        output.WriteLine(build.ToString());
        Assert.True(build.ExitCode == 0, build.ToString());
        Assert.Contains($"warning: cannot cross-compile the NativeAOT bootloader for linux-arm64 with {t["bin"]}/clang-99: cannot publish the bootloader for linux-arm64:", build.StdOut + build.StdErr);
        Assert.Contains("bootloader: the .NET 10", build.StdOut);
        using var doc = System.Text.Json.JsonDocument.Parse(File.ReadAllText(t["build.json"]));
        Assert.Equal("singlefile", doc.RootElement.GetProperty("bootloader").GetString());
        Assert.Equal(183, ElfFile.Read(doc.RootElement.GetProperty("executable").GetString()!).Machine);
        Assert.False(Directory.EnumerateFiles(Path.Combine(cache, "kits"), "kit.txt", SearchOption.AllDirectories)
            .Any(f => File.ReadAllText(f).Contains("kind=aot", StringComparison.Ordinal)), "a NativeAOT kit was left in the build cache");
    }

    [Fact]
    public void Numpy_from_debians_arm64_packages_as_target_site_packages()
    {
        var app = NumpyApp();
        AssertOnlyArm64Binaries(app, Arm64Target.Root, Arm64Target.SitePackages);
        // OpenBLAS is reached through the root's absolute alternatives links (/etc/alternatives inside the root)
        Assert.Contains(app.Result.Plan.Libraries, l => l.Name == "libopenblas.so.0" && l.Path.Contains("/openblas-pthread/", StringComparison.Ordinal));
        Assert.Contains(app.Result.Plan.Libraries, l => l.Name == "libgfortran.so.5");
        Assert.Empty(app.Result.Plan.MissingLibraries);
        Assert.Contains(app.Result.Files, f => f.Path == "app/numpy/core/_multiarray_umath.cpython-311-aarch64-linux-gnu.so");

        var frozen = Arm64Target.NewSandbox().Run(app.Executable, [], timeoutSeconds: 600);
        var python = Arm64Target.Reference(Path.GetDirectoryName(Apps.Entry("numpyapp", "numpy_app.py"))!, "numpy_app.py", [], withSite: true);
        output.WriteLine($"frozen ({frozen.Elapsed.TotalSeconds:0.0} s):\n{frozen.StdOut}python3 under qemu ({python.Elapsed.TotalSeconds:0.0} s):\n{python.StdOut}");
        Assert.True(frozen.ExitCode == 0, frozen.ToString());
        Assert.True(python.ExitCode == 0, python.ToString());
        Assert.Contains("version 1.24.2", python.StdOut);
        Assert.Equal(python.StdOut, frozen.StdOut);
    }

    [Fact]
    public void An_x86_64_library_of_this_machine_is_never_bundled_into_an_arm64_app()
    {
        // The numpy app from a copy of the Debian arm64 root that lacks libgfortran.so.5 (OpenBLAS needs it). This
        // machine has an x86-64 libgfortran.so.5 where a walk of the host would find it: on LD_LIBRARY_PATH, in its
        // ld.so.cache and, copied into the root's /usr/lib (a default folder of the arm64 ld.so, which skips a library
        // of another machine there and goes on searching), inside the sysroot itself.
        var host = "/usr/lib/x86_64-linux-gnu/libgfortran.so.5";
        Assert.True(File.Exists(host) && ElfFile.Read(host).Machine == 62, $"{host} (x86-64, libgfortran5) is installed with python3-numpy by .ci/run");
        using var t = new TempDir("arm-x64lib");
        var root = t["root"];
        var copy = Proc.Exec("cp", ["-al", Arm64Target.Root, root]);
        if (copy.ExitCode != 0) // another file system than the build cache's: a real copy
            copy = Proc.Exec("cp", ["-a", Arm64Target.Root, root], timeoutSeconds: 300);
        Assert.True(copy.ExitCode == 0, copy.ToString());
        foreach (var f in Directory.EnumerateFileSystemEntries(Path.Combine(root, "usr", "lib", "aarch64-linux-gnu"), "libgfortran.so.5*"))
            File.Delete(f);
        File.Copy(host, Path.Combine(root, "usr", "lib", "libgfortran.so.5"));

        var tool = Path.Combine(AppContext.BaseDirectory, "pyfreeze.dll");
        var entry = Apps.Entry("numpyapp", "numpy_app.py");
        var build = Proc.Exec("dotnet", [tool, "build", entry, "--target", "linux-arm64", "--runtime", root, "--target-site-packages", Arm64Target.SitePackages,
                "--python", Pythons.Debian, "--onedir", "--distpath", t["dist"], "--workpath", t["build"]],
            cwd: t.Path, env: new Dictionary<string, string?> { ["LD_LIBRARY_PATH"] = Path.GetDirectoryName(host) }, timeoutSeconds: 600);
        output.WriteLine(build.ToString());
        Assert.True(build.ExitCode == 0, build.ToString());
        Assert.Matches(@"warning: shared library libgfortran\.so\.5 \(needed by [^)]*libopenblasp-r0\.3\.21\.so\) was not found", build.StdOut);
        Assert.Contains("bootloader: the NativeAOT bootloader for linux-arm64", build.StdOut);

        var elves = Directory.EnumerateFiles(t["dist"], "*", SearchOption.AllDirectories).Where(f => BinaryInspector.Identify(f) == BinaryFormat.Elf).ToList();
        Assert.True(elves.Count > 20, $"only {elves.Count} ELF files in {t["dist"]}");
        Assert.All(elves, f => Assert.True(ElfFile.Read(f).Machine == 183, $"{f} is {ElfFile.Read(f).MachineName}, not aarch64"));
        Assert.DoesNotContain(elves, f => Path.GetFileName(f).StartsWith("libgfortran", StringComparison.Ordinal));
        Assert.Contains(elves, f => Path.GetFileName(f) == "libopenblas.so.0");

        // and the app fails where the warning said it would, naming the library, instead of loading a wrong one
        var exe = Path.Combine(t["dist"], "numpy_app", "numpy_app");
        var run = Arm64Target.NewSandbox().Run(exe, [], timeoutSeconds: 600);
        Assert.True(run.ExitCode != 0, run.ToString());
        Assert.Contains("libgfortran.so.5: cannot open shared object file", run.StdErr);
    }

    [Fact]
    public void Frozen_semantics_core_under_qemu_matches_arm64_python3()
    {
        var app = CoreApp();
        var dir = Arm64Target.Fixture("armcore");
        var box = Arm64Target.NewSandbox();
        string[] argv = ["all", "plain", "with space", "naïve ☃", "--flag=1", ""];
        var frozen = box.Run(app.Executable, argv, timeoutSeconds: 900);
        var python = Arm64Target.Reference(dir, "armcore.py", argv);
        output.WriteLine($"frozen ({frozen.Elapsed.TotalSeconds:0.0} s):\n{frozen}\npython3 under qemu ({python.Elapsed.TotalSeconds:0.0} s):\n{python}");
        Assert.True(python.ExitCode == 0, python.ToString());
        Assert.True(frozen.ExitCode == 0, frozen.ToString());
        var f = Values(frozen);
        var p = Values(python);
        Assert.True(p.Count >= 18, python.ToString());
        foreach (var (key, value) in p.Where(kv => !kv.Key.StartsWith("mode.", StringComparison.Ordinal)))
            Assert.True(f.TryGetValue(key, out var got) && got == value, $"{key}: python3 under qemu says {value}, the frozen app {(got is null ? "nothing" : got)}\n{frozen}");
        Assert.Equal("aarch64", f["machine"]);
        Assert.Equal("True", f["mode.frozen"]);
        Assert.Equal(app.Executable, f["mode.executable"]); // the executable by the path it was started by
        Assert.Equal("False", p["mode.frozen"]);
        Assert.Equal("/usr/bin/python3.11", p["mode.executable"]);
        Assert.True(frozen.StdErr == "", frozen.ToString()); // no leaked-resource warnings from the spawn children

        // exit codes and an uncaught exception: the same code, the same last line of the traceback
        foreach (var args in new[] { new[] { "exit", "0" }, ["exit", "3"], ["exit", "255"], ["raise"] })
        {
            var fr = box.Run(app.Executable, args, timeoutSeconds: 300);
            var py = Arm64Target.Reference(dir, "armcore.py", args);
            Assert.True(fr.ExitCode == py.ExitCode, $"{string.Join(' ', args)}: python3 exits {py.ExitCode}, the frozen app {fr.ExitCode}\n{fr}\n{py}");
            Assert.Equal(py.StdOut, fr.StdOut);
            Assert.Equal(py.StdErr.Trim().Split('\n').Last(), fr.StdErr.Trim().Split('\n').Last());
        }
    }

    [Fact]
    public void Sigterm_and_sigint_reach_the_frozen_app_under_qemu_as_under_arm64_python3()
    {
        var app = CoreApp();
        var cache = Arm64Target.NewSandbox().CacheDir;
        var script = Arm64Target.Fixture("armcore", "armcore.py");
        foreach (var (signal, code, text) in new[] { (15, 42, "got-sigterm 15"), (2, 43, "keyboard-interrupt") })
        {
            // the bootloader execs the interpreter: the pid started is the (emulated) Python process itself, as python3's is
            var frozen = Signal(app.Executable, ["signal"], signal, new Dictionary<string, string> { ["PYFREEZE_CACHE_DIR"] = cache });
            var python = Signal(Arm64Target.Qemu, Arm64Target.DirectReference(script, "signal"), signal, []);
            Assert.Equal((code, text), (python.Code, python.Text));
            Assert.Equal((python.Code, python.Text), (frozen.Code, frozen.Text));
        }
    }

    private static (int Code, string Text) Signal(string exe, string[] args, int signal, Dictionary<string, string> env)
    {
        // env --default-signal: SIGINT and SIGTERM at their defaults, as in a terminal's foreground job (a test run started
        // in the background inherits SIGINT ignored, and CPython then installs no KeyboardInterrupt handler)
        var psi = new ProcessStartInfo("env") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        psi.ArgumentList.Add("--default-signal=INT,TERM");
        psi.ArgumentList.Add(exe);
        foreach (var a in args)
            psi.ArgumentList.Add(a);
        foreach (var (k, v) in env)
            psi.Environment[k] = v;
        using var p = Process.Start(psi)!;
        var err = p.StandardError.ReadToEndAsync();
        Assert.Equal("ready", p.StandardOutput.ReadLine());
        Assert.Equal(0, Proc.Exec("kill", [$"-{signal}", p.Id.ToString()]).ExitCode);
        var rest = p.StandardOutput.ReadToEnd();
        Assert.True(p.WaitForExit(120_000), $"{exe} did not exit after signal {signal}");
        return (p.ExitCode, rest.Trim() + (err.Result.Length > 0 ? " | " + err.Result.Trim() : ""));
    }

    [Fact]
    public void Python_build_standalone_layout_with_a_shared_libpython()
    {
        var archive = Arm64Target.PbsArchive();
        var app = Arm64Target.Build("hello-pbs", Hello, runtime: archive);
        var interp = app.Result.Analysis.Interpreter;
        Assert.True(interp.Shared, "the interpreter links libpython3.11.so.1.0");
        Assert.EndsWith("/python/lib/libpython3.11.so.1.0", interp.Libpython);
        Assert.Equal("3.11.2", interp.VersionString);
        // the builtins come from libpython's PyInit_* symbols (the launcher defines none)
        Assert.Contains("_io", interp.BuiltinModules);
        Assert.Contains("posix", interp.BuiltinModules);
        Assert.Contains(app.Result.Files, f => f.Path == "python/lib/libpython3.11.so.1.0");
        var sysroot = Path.GetDirectoryName(Path.GetDirectoryName(Path.GetDirectoryName(interp.Libpython!)!)!)!;
        AssertOnlyArm64Binaries(app, sysroot);

        var args = new[] { "Ada", "Lovelace", "--lang", "de" };
        var frozen = Arm64Target.NewSandbox().Run(app.Executable, args, timeoutSeconds: 300);
        var python = Proc.Exec(Arm64Target.Qemu, ["-L", Arm64Target.Root, interp.RealExecutable, "-B", Hello, .. args], timeoutSeconds: 300);
        output.WriteLine($"frozen:\n{frozen}\npython-build-standalone-style python3.11 under qemu:\n{python}");
        Assert.True(frozen.ExitCode == 0, frozen.ToString());
        Assert.True(python.ExitCode == 0, python.ToString());
        Assert.Equal(python.StdOut.Replace("frozen=False", "frozen=True"), frozen.StdOut);
    }

    [Fact]
    public void Runtime_facts_read_from_its_files_are_what_arm64_python3_reports()
    {
        var runtime = LinuxTargetRuntime.FromFolder(Arm64Target.Root, PyFreeze.Rid.Parse(Arm64Target.Rid), null);
        const string probe = """
            import _ssl, importlib.machinery, platform, sys, sysconfig
            print("version=" + platform.python_version())
            print("builtins=" + ",".join(sorted(sys.builtin_module_names)))
            print("suffixes=" + ",".join(importlib.machinery.EXTENSION_SUFFIXES))
            print("soabi=" + sysconfig.get_config_var("SOABI"))
            print("multiarch=" + sys.implementation._multiarch)
            print("sysconfigdata=" + sysconfig._get_sysconfigdata_name())
            print("openssl=" + ",".join(_ssl.get_default_verify_paths()[1::2]))
            print("glibc=" + " ".join(platform.libc_ver()))
            print("prefix=" + sys.prefix)
            """;
        using var t = new TempDir("armfacts");
        t.Write("probe.py", probe);
        var run = Arm64Target.Reference(t.Path, "probe.py", []);
        Assert.True(run.ExitCode == 0, run.ToString());
        var v = Values(run);
        var facts = runtime.Linux!;
        Assert.Equal(v["version"], runtime.VersionString);
        Assert.Equal(v["builtins"], string.Join(',', facts.BuiltinModules.Order(StringComparer.Ordinal)));
        Assert.Equal(v["suffixes"], string.Join(',', facts.ExtensionSuffixes));
        Assert.Equal(v["soabi"], facts.Soabi);
        Assert.Equal(v["multiarch"], facts.Multiarch);
        Assert.Equal(v["sysconfigdata"], facts.Sysconfigdata);
        Assert.Equal(v["openssl"], string.Join(',', facts.OpensslPaths!));
        Assert.Equal(v["glibc"], facts.Glibc);
        Assert.Equal(Arm64Target.Root + v["prefix"], facts.Prefix);
        Assert.Equal(Arm64Target.Root, facts.Sysroot);
    }

    private static Dictionary<string, string> Values(Run run)
    {
        var d = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var line in run.StdOut.Split('\n'))
            if (line.IndexOf('=') is > 0 and var i)
                d[line[..i]] = line[(i + 1)..];
        return d;
    }
}
