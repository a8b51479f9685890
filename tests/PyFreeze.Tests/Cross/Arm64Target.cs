using System.Collections.Concurrent;
using PyFreeze.Build;
using PyFreeze.Diagnostics;
using PyFreeze.Tests.Infrastructure;

namespace PyFreeze.Tests.Cross;

/// <summary>
/// The linux-arm64 target as the end-to-end tests meet it: a real arm64 CPython 3.11 from Debian's archive
/// (<c>Fixtures/arm64/debian-arm64-runtime.sh</c>, made once and kept in the build cache), qemu-user registered with
/// binfmt_misc so the kernel runs arm64 executables (the frozen app, the interpreter its bootloader execs, Debian's
/// arm64 python3 as the reference), and builds shared by the tests of one run. Nothing here is skipped: a machine
/// without qemu, its binfmt registration, the arm64 glibc or Debian's arm64 package lists fails the tests with the
/// reason (<c>.ci/run</c> sets all of them up).
/// </summary>
public static class Arm64Target
{
    /// <summary>The RID.</summary>
    public const string Rid = "linux-arm64";

    /// <summary>The binfmt_misc entry .ci/run registers.</summary>
    public const string Binfmt = "/proc/sys/fs/binfmt_misc/qemu-aarch64";

    /// <summary>qemu-user for aarch64 (Debian's qemu-user-static).</summary>
    public const string Qemu = "/usr/bin/qemu-aarch64-static";

    private static readonly Lazy<string> Folder = new(MakeRuntime);
    private static readonly Lazy<string> Pbs = new(MakePbsArchive);
    private static readonly ConcurrentDictionary<string, Lazy<Apps.Built>> Builds = new();
    private static readonly string RunRoot = TestRoots.ForThisRun("arm64");

    /// <summary>The runtime folder (see the script): <c>root/</c>, <c>site/</c>, <c>packages.txt</c>.</summary>
    public static string RuntimeFolder => Folder.Value;

    /// <summary>The Debian arm64 root: <c>--runtime</c>.</summary>
    public static string Root => Path.Combine(RuntimeFolder, "root");

    /// <summary>Debian's python3-numpy for arm64: <c>--target-site-packages</c>.</summary>
    public static string SitePackages => Path.Combine(RuntimeFolder, "site", "usr", "lib", "python3", "dist-packages");

    /// <summary>A path under <c>tests/PyFreeze.Tests/Fixtures/arm64</c>.</summary>
    public static string Fixture(params string[] parts) => Repo.Path_(["tests", "PyFreeze.Tests", "Fixtures", "arm64", .. parts]);

    /// <summary>Fails, with what to install or run, unless this machine runs arm64 executables through binfmt_misc
    /// (with the F flag, so they also run inside bubblewrap) and has an arm64 glibc and libstdc++ (the target system's
    /// part: glibc is never bundled, and the .NET single-file host, the bootloader without the cross toolchain, links
    /// libstdc++).</summary>
    /// <exception cref="InvalidOperationException">What is missing.</exception>
    public static void RequireQemu()
    {
        if (!File.Exists(Qemu))
            throw new InvalidOperationException($"{Qemu} is missing: apt-get install qemu-user-static (.ci/run installs it)");
        if (!File.Exists(Binfmt))
            throw new InvalidOperationException($"{Binfmt} is missing: arm64 executables cannot run here; mount binfmt_misc (mount -t binfmt_misc binfmt_misc /proc/sys/fs/binfmt_misc) and register {Qemu} with the F flag, as .ci/run does");
        var entry = File.ReadAllText(Binfmt);
        if (!entry.StartsWith("enabled", StringComparison.Ordinal))
            throw new InvalidOperationException($"{Binfmt} is disabled: echo 1 > {Binfmt}");
        var flags = entry.Split('\n').FirstOrDefault(l => l.StartsWith("flags:", StringComparison.Ordinal)) ?? "";
        if (!flags.Contains('F'))
            throw new InvalidOperationException($"{Binfmt} is registered without the F flag ({flags.Trim()}): the interpreter must be opened at registration so arm64 programs run inside bubblewrap; re-register it as .ci/run does");
        if (!File.Exists("/lib/ld-linux-aarch64.so.1"))
            throw new InvalidOperationException("no arm64 glibc on this machine (/lib/ld-linux-aarch64.so.1): apt-get install libc6:arm64 libstdc++6:arm64");
        if (!File.Exists("/usr/lib/aarch64-linux-gnu/libstdc++.so.6"))
            throw new InvalidOperationException("no arm64 libstdc++ on this machine, which the .NET single-file host needs: apt-get install libstdc++6:arm64");
    }

    /// <summary>Fails, naming what is missing and the Debian packages to install, unless this linux-x64 machine has the
    /// cross toolchain that compiles the linux-arm64 bootloader with NativeAOT (<see cref="PyFreeze.Emit.CrossAotToolchain"/>;
    /// <c>.ci/run</c> installs it): without it the apps get the .NET single-file host, which these tests must not
    /// take for the NativeAOT bootloader.</summary>
    /// <exception cref="InvalidOperationException">What is missing.</exception>
    public static PyFreeze.Emit.CrossAotToolchain RequireCrossAot() =>
        PyFreeze.Emit.CrossAotToolchain.Installed(out var missing)
        ?? throw new InvalidOperationException($"no cross toolchain for the NativeAOT linux-arm64 bootloader: {missing}; apt-get install {PyFreeze.Emit.CrossAotToolchain.DebianPackages} (.ci/run installs them)");

    private static string MakeRuntime()
    {
        RequireQemu();
        var script = Fixture("debian-arm64-runtime.sh");
        var run = Proc.Exec("bash", [script], timeoutSeconds: 900);
        if (run.ExitCode != 0)
            throw new InvalidOperationException($"{script} failed: {run.StdErr.Trim()}");
        var folder = run.StdOut.Trim().Split('\n').Last();
        if (!File.Exists(Path.Combine(folder, "root", "usr", "bin", "python3.11")))
            throw new InvalidOperationException($"{script} printed {folder}, which holds no root/usr/bin/python3.11");
        return folder;
    }

    /// <summary>Builds <paramref name="entry"/> for linux-arm64 with Debian's python3 compiling the bytecode, once per
    /// key for the test run.</summary>
    /// <param name="key">Names the build (and its folder).</param>
    /// <param name="entry">The entry script.</param>
    /// <param name="runtime"><c>--runtime</c>: the Debian root when null.</param>
    /// <param name="configure">More options.</param>
    public static Apps.Built Build(string key, string entry, string? runtime = null, Func<BuildSettings, BuildSettings>? configure = null) =>
        Builds.GetOrAdd(key, _ => new Lazy<Apps.Built>(() =>
        {
            var dir = Path.Combine(RunRoot, key);
            Directory.CreateDirectory(dir);
            var options = new BuildSettings
            {
                Entry = entry,
                Python = Pythons.Debian,
                Target = Rid,
                Runtime = runtime ?? Root,
                DistPath = Path.Combine(dir, "dist"),
                WorkPath = Path.Combine(dir, "build"),
                Log = new Log(LogLevel.Warn, TextWriter.Null),
            };
            var result = new BuildPipeline(configure is null ? options : configure(options)).Run();
            return new Apps.Built(result.Executable, result, dir);
        })).Value;

    /// <summary>A sandbox (every Python hidden) with a cache private to one test.</summary>
    public static Sandbox NewSandbox() => new(Path.Combine(RunRoot, "caches", Guid.NewGuid().ToString("N")[..12]));

    /// <summary>Runs Debian's arm64 python3 under qemu as on the target: inside the root (bubblewrap makes it <c>/</c>,
    /// so its absolute links resolve as on an arm64 Debian machine), with <paramref name="scriptDir"/> as <c>/tmp/app</c>
    /// and <see cref="SitePackages"/> on PYTHONPATH when <paramref name="withSite"/>; the environment is the sandbox's.</summary>
    /// <param name="scriptDir">The app's folder.</param>
    /// <param name="script">The script's file name in it.</param>
    /// <param name="args">Its arguments.</param>
    /// <param name="withSite">Put Debian's arm64 numpy on the path.</param>
    public static Run Reference(string scriptDir, string script, IEnumerable<string> args, bool withSite = false)
    {
        var bwrap = new List<string>
        {
            "--ro-bind", Root, "/", "--proc", "/proc", "--dev", "/dev", "--tmpfs", "/tmp", "--ro-bind", scriptDir, "/tmp/app",
            "--clearenv", "--setenv", "PATH", "/usr/bin:/bin", "--setenv", "LANG", "C.UTF-8", "--setenv", "HOME", "/tmp",
        };
        if (withSite)
            bwrap.AddRange(["--ro-bind", SitePackages, "/tmp/site", "--setenv", "PYTHONPATH", "/tmp/site"]);
        bwrap.AddRange(["--chdir", "/tmp/app", "--", "/usr/bin/python3.11", "-B", "/tmp/app/" + script, .. args]);
        return Proc.Exec("bwrap", bwrap, timeoutSeconds: 600);
    }

    /// <summary>The arguments that start Debian's arm64 python3 as a plain process under qemu (its files through
    /// <c>-L</c>), for tests that signal the interpreter's own process.</summary>
    public static string[] DirectReference(string script, params string[] args) =>
        ["-L", Root, Path.Combine(Root, "usr", "bin", "python3.11"), "-B", script, .. args];

    /// <summary>A python-build-standalone-shaped <c>install_only</c> archive for aarch64, made once from the Debian root:
    /// <c>python/bin/python3.11</c> (a launcher built here with clang for aarch64, linked to libpython3.11.so.1.0 with
    /// RPATH <c>$ORIGIN/../lib</c>), <c>python/lib/libpython3.11.so.1.0</c> (Debian's real shared libpython) with the
    /// libraries it and the standard extension modules link, and the standard library in <c>python/lib/python3.11/</c>.
    /// python-build-standalone itself is not reachable offline; its layout is what is tested.</summary>
    /// <exception cref="InvalidOperationException">clang-14, lld or libc6-dev-arm64-cross is missing.</exception>
    public static string PbsArchive() => Pbs.Value;

    private static readonly string[] GlibcNames =
        ["libc.so", "libm.so", "libpthread.so", "libdl.so", "librt.so", "libutil.so", "libresolv.so", "libanl.so", "libnss_", "libBrokenLocale.so", "libthread_db.so", "libc_malloc_debug.so", "libmemusage.so", "libpcprofile.so", "libmvec.so", "ld-linux"];

    private static string MakePbsArchive()
    {
        var dir = Path.Combine(RunRoot, "pbs");
        var tree = Path.Combine(dir, "tree");
        Directory.CreateDirectory(Path.Combine(tree, "python", "bin"));
        var crt = "/usr/aarch64-linux-gnu/lib";
        if (!File.Exists(Path.Combine(crt, "crt1.o")))
            throw new InvalidOperationException($"{crt}/crt1.o is missing: apt-get install libc6-dev-arm64-cross (the aarch64 start files the launcher is linked with)");
        if (WindowsRuntimeFixture.FindOnPath(MacRuntimeFixture.Clang) is null)
            throw new InvalidOperationException($"{MacRuntimeFixture.Clang} is not installed (apt-get install clang-14 lld-14)");
        var libDir = Path.Combine(Root, "usr", "lib", "aarch64-linux-gnu");
        var launcher = Path.Combine(tree, "python", "bin", "python3.11");
        var cc = Proc.Exec(MacRuntimeFixture.Clang,
        [
            "--target=aarch64-linux-gnu", "-fuse-ld=lld", "-nostdlib", "-O1", "-o", launcher,
            Path.Combine(crt, "crt1.o"), Path.Combine(crt, "crti.o"), Fixture("python_launcher.c"), Path.Combine(crt, "crtn.o"),
            "-L" + libDir, "-l:libpython3.11.so.1.0", Path.Combine(crt, "libc.so.6"), Path.Combine(crt, "libc_nonshared.a"),
            "-Wl,--disable-new-dtags", "-Wl,-rpath,$ORIGIN/../lib", "-Wl,--dynamic-linker=/lib/ld-linux-aarch64.so.1",
        ], timeoutSeconds: 120);
        if (cc.ExitCode != 0)
            throw new InvalidOperationException($"linking the aarch64 launcher failed: {cc}");
        var entries = new List<(string Name, string? File, byte[]? Bytes)> { ("python/bin/python3.11", launcher, null) };
        // libpython and every non-glibc library of the root's library folders, as python/lib/SONAME (python-build-standalone
        // links its dependencies statically; here they sit beside libpython, where $ORIGIN/../lib finds them)
        foreach (var folder in new[] { libDir, Path.Combine(Root, "lib", "aarch64-linux-gnu") })
            foreach (var f in Directory.EnumerateFileSystemEntries(folder).Order(StringComparer.Ordinal))
            {
                var name = Path.GetFileName(f);
                if (!name.StartsWith("lib", StringComparison.Ordinal) || !name.Contains(".so.", StringComparison.Ordinal) || GlibcNames.Any(g => name.StartsWith(g, StringComparison.Ordinal))
                    || name.StartsWith("libblas", StringComparison.Ordinal) || name.StartsWith("liblapack", StringComparison.Ordinal) || name.StartsWith("libopenblas", StringComparison.Ordinal))
                    continue;
                var real = new FileInfo(f).ResolveLinkTarget(true)?.FullName ?? f;
                if (File.Exists(real) && entries.All(e => e.Name != "python/lib/" + name))
                    entries.Add(("python/lib/" + name, real, null));
            }
        var stdlib = Path.Combine(Root, "usr", "lib", "python3.11");
        foreach (var f in Directory.EnumerateFiles(stdlib, "*", SearchOption.AllDirectories).Order(StringComparer.Ordinal))
        {
            var rel = Path.GetRelativePath(stdlib, f).Replace('\\', '/');
            if (rel.Split('/')[0] is "test" or "idlelib" or "turtledemo" or "tkinter" or "lib2to3" or "ensurepip" || rel.Contains("__pycache__"))
                continue;
            entries.Add(("python/lib/python3.11/" + rel, f, null));
        }
        var archive = Path.Combine(dir, "cpython-3.11.2+20230207-aarch64-unknown-linux-gnu-install_only.tar.gz");
        WindowsRuntimeFixture.WriteTarGz(archive, entries);
        return archive;
    }
}
