using System.Diagnostics;
using System.Text;
using System.Text.Json;
using PyFreeze.Tests.Infrastructure;

namespace PyFreeze.Tests.EndToEnd;

/// <summary>
/// The one-file build, end to end: real interpreters, real bootloader, the frozen binary run with every Python on
/// the machine hidden. Each app runs twice; the second run must not unpack again.
/// </summary>
[Trait("Roots", "inside")] // also run inside the trixie and sid roots (Python 3.13, 3.14): see DebianRoots
public class OneFileTests
{
    public static IEnumerable<object[]> Pythons_() => Pythons.All();

    private static (Run First, Run Second, Sandbox Box) RunTwice(string exe, string[] args, IDictionary<string, string>? env = null)
    {
        var box = Apps.NewSandbox();
        var first = box.Run(exe, args, env);
        var unpacked = box.Unpacked();
        Assert.True(unpacked.Count == 1, $"one unpacked folder expected, found {unpacked.Count}\n{first}");
        var marker = Path.Combine(unpacked[0], ".pyfreeze-complete");
        var before = (Inode(unpacked[0]), File.GetLastWriteTimeUtc(marker), Directory.GetFileSystemEntries(Path.Combine(box.CacheDir, "run")).Length);
        var second = box.Run(exe, args, env);
        var after = (Inode(unpacked[0]), File.GetLastWriteTimeUtc(marker), Directory.GetFileSystemEntries(Path.Combine(box.CacheDir, "run")).Length);
        Assert.Equal(before, after); // same folder (no new unpack renamed into place), marker untouched, nothing new beside it
        return (first, second, box);
    }

    private static long Inode(string path)
    {
        var r = Proc.Exec("stat", ["-c", "%i", path]);
        return long.Parse(r.StdOut.Trim());
    }

    [Theory]
    [MemberData(nameof(Pythons_))]
    public void Hello_argv_exit_code_and_frozen_attributes(string python)
    {
        var app = Apps.Get("hello", "hello.py", python);
        var (first, second, _) = RunTwice(app.Executable, ["a b", "naïve ☃", "--flag"]);
        foreach (var run in new[] { first, second })
        {
            Assert.True(run.ExitCode == 3, run.ToString());
            Assert.Contains("argv: ['a b', 'naïve ☃', '--flag']", run.StdOut);
            Assert.Contains("frozen: True", run.StdOut);
            Assert.Contains("meipass-exists: True", run.StdOut);
            Assert.Contains("executable-is-app: hello", run.StdOut);
            Assert.Contains("spec: hello", run.StdOut);
            Assert.Equal("", run.StdErr);
        }
    }

    [Fact]
    public void Hello_keeps_undecodable_argv_bytes()
    {
        var app = Apps.Get("hello", "hello.py", Pythons.Debian);
        var box = Apps.NewSandbox();
        // bash passes the raw byte 0xff; CPython decodes it with surrogateescape and os.fsencode gives it back.
        var run = box.Run("/bin/bash", ["-c", "\"$0\" \"$(printf 'x\\377y')\" | od -An -c | tr -d ' \\n'", app.Executable],
            binds: [Path.GetDirectoryName(app.Executable)!]);
        Assert.True(run.ExitCode == 0, run.ToString());
        Assert.Contains("raw-arg1:x377y", run.StdOut); // the byte 0xff came through unchanged
    }

    [Theory]
    [MemberData(nameof(Pythons_))]
    public void Stdlib_extensions_and_bundled_libraries_work(string python)
    {
        var app = Apps.Get("stdlib", "stdlib_app.py", python);
        var (first, second, _) = RunTwice(app.Executable, []);
        foreach (var run in new[] { first, second })
        {
            Assert.True(run.ExitCode == 0, run.ToString());
            using var doc = JsonDocument.Parse(run.StdOut);
            var r = doc.RootElement;
            Assert.Equal(45, r.GetProperty("sqlite").GetInt32());
            Assert.Equal("OpenSSL", r.GetProperty("ssl").GetString());
            Assert.True(r.GetProperty("ssl_ctx").GetBoolean());
            Assert.Equal(5, r.GetProperty("ctypes_abs").GetInt32());
            Assert.Equal(800, r.GetProperty("lzma").GetInt32());
            Assert.Equal(1000, r.GetProperty("bz2").GetInt32());
            Assert.Equal("3.3", r.GetProperty("decimal").GetString());
            Assert.Equal(Sha256Prefix(), r.GetProperty("sha256").GetString());
        }
    }

    private static string Sha256Prefix() => Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData("pyfreeze"u8))[..12];

    [Theory]
    [MemberData(nameof(Pythons_))]
    public void Own_package_with_relative_imports(string python)
    {
        var app = Apps.Get("pkgapp", "main.py", python);
        var (first, second, _) = RunTwice(app.Executable, []);
        foreach (var run in new[] { first, second })
        {
            Assert.True(run.ExitCode == 0, run.ToString());
            Assert.Contains("core+helpers+2", run.StdOut);
            Assert.Contains("deep: helpers:2", run.StdOut);
        }
    }

    [Theory]
    [MemberData(nameof(Pythons_))]
    public void Numpy_from_debian(string python)
    {
        // Debian's numpy lives in dist-packages; the pyenv interpreter reaches it through --paths (same ABI).
        var app = Apps.Get("numpyapp", "numpy_app.py", python, configure: o => python == Pythons.Debian ? o
            : new PyFreeze.Build.BuildSettings { Entry = o.Entry, Python = o.Python, DistPath = o.DistPath, WorkPath = o.WorkPath, Log = o.Log, Paths = ["/usr/lib/python3/dist-packages"] });
        var (first, second, _) = RunTwice(app.Executable, []);
        foreach (var run in new[] { first, second })
        {
            Assert.True(run.ExitCode == 0, run.ToString());
            Assert.Contains("sum 66.0", run.StdOut);
            Assert.Contains("linalg 8.0", run.StdOut);
            Assert.Contains("testing ok", run.StdOut);
        }
    }

    [Theory]
    [MemberData(nameof(Pythons_))]
    public void Multiprocessing_spawn_pool_without_freeze_support(string python)
    {
        var app = Apps.Get("mppool", "mp_pool.py", python);
        var run = Apps.NewSandbox().Run(app.Executable, ["spawn"], timeoutSeconds: 120);
        Assert.True(run.ExitCode == 0, run.ToString());
        Assert.Contains("spawn 285", run.StdOut);
        Assert.Contains("queue-from-child True", run.StdOut);
        Assert.Contains("exitcode 0", run.StdOut);
    }

    [Theory]
    [MemberData(nameof(Pythons_))]
    public void Subprocess_of_sys_executable_and_user_environment(string python)
    {
        var app = Apps.Get("subproc", "subproc_app.py", python);
        var run = Apps.NewSandbox().Run(app.Executable, []);
        Assert.True(run.ExitCode == 0, run.ToString());
        Assert.Contains("child-frozen True", run.StdOut);
        Assert.Contains("child-exit 7", run.StdOut);
        Assert.Contains("child-ld <unset>", run.StdOut);
        Assert.Contains("parent-ld <unset>", run.StdOut);
        Assert.Contains("env-clean True", run.StdOut);
        Assert.Contains("ls 0", run.StdOut);
    }

    [Fact]
    public void Subprocess_gets_the_users_own_library_path_back()
    {
        var app = Apps.Get("subproc", "subproc_app.py", Pythons.Debian);
        var run = Apps.NewSandbox().Run(app.Executable, [], env: new Dictionary<string, string> { ["LD_LIBRARY_PATH"] = "/opt/mine" });
        Assert.True(run.ExitCode == 0, run.ToString());
        Assert.Contains("parent-ld /opt/mine", run.StdOut);
        Assert.Contains("child-ld /opt/mine", run.StdOut);
    }

    [Theory]
    [MemberData(nameof(Pythons_))]
    public void Sigterm_reaches_the_apps_handler_and_sigint_is_keyboard_interrupt(string python)
    {
        var app = Apps.Get("sigterm", "sigterm_app.py", python);
        var cache = Apps.NewSandbox().CacheDir;
        foreach (var (signal, expectCode, expectText) in new[] { (15, 42, "got-sigterm 15"), (2, 43, "keyboard-interrupt") })
        {
            // env --default-signal execs the app with SIGINT and SIGTERM at their defaults: a test run started from a
            // background job inherits SIGINT ignored, and CPython (like python3) then installs no KeyboardInterrupt handler.
            var psi = new ProcessStartInfo("env") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
            psi.ArgumentList.Add("--default-signal=INT,TERM");
            psi.ArgumentList.Add(app.Executable);
            psi.Environment["PYFREEZE_CACHE_DIR"] = cache;
            using var p = Process.Start(psi)!;
            var line = p.StandardOutput.ReadLine();
            Assert.Equal("ready", line);
            // The bootloader exec'd the interpreter: the pid we started is the Python process itself.
            Assert.Equal(0, Proc.Exec("kill", [$"-{signal}", p.Id.ToString()]).ExitCode);
            var rest = p.StandardOutput.ReadToEnd();
            Assert.True(p.WaitForExit(30000));
            Assert.True(p.ExitCode == expectCode, $"exit {p.ExitCode}: {rest} {p.StandardError.ReadToEnd()}");
            Assert.Contains(expectText, rest);
        }
    }

    [Theory]
    [MemberData(nameof(Pythons_))]
    public void Unhandled_exception_prints_the_apps_traceback_and_exits_1(string python)
    {
        var app = Apps.Get("crash", "crash_app.py", python);
        var run = Apps.NewSandbox().Run(app.Executable, []);
        Assert.Equal(1, run.ExitCode);
        Assert.StartsWith("Traceback (most recent call last):", run.StdErr);
        Assert.Contains("ValueError: boom from the frozen app", run.StdErr);
        Assert.Contains("crash_app.py\", line 2, in inner", run.StdErr);
        Assert.DoesNotContain("pyfreeze-boot", run.StdErr);
        Assert.DoesNotContain("runpy", run.StdErr);
    }

    [Fact]
    public void Files_the_apps_code_names_beside_it_come_along()
    {
        var app = Apps.Get("appdata", "tool.py", Pythons.Debian);
        var run = Apps.NewSandbox().Run(app.Executable, []);
        Assert.True(run.ExitCode == 0, run.ToString());
        Assert.Contains("hi from config 7 x=1", run.StdOut);
        Assert.Contains("unrelated-collected False", run.StdOut); // only what the code names
        Assert.DoesNotContain(app.Result.Files, f => f.Path.Contains(".git", StringComparison.Ordinal));
    }

    [Theory]
    [MemberData(nameof(Pythons_))]
    public void A_package_folder_runs_like_python_dash_m(string python)
    {
        // pyfreeze build mycli  ==  python -m mycli: __main__.py runs inside the package, so its relative imports work
        var entry = Path.Combine(Path.GetDirectoryName(Apps.Entry("pkgentry", "x"))!, "mycli");
        using var t = new TempDir("pkgentry");
        var result = Freezer.Build(entry, python, t["dist"]);
        Assert.EndsWith("/mycli", result.Executable);
        var run = Apps.NewSandbox().Run(result.Executable, ["a", "b"]);
        Assert.Equal(5, run.ExitCode);
        Assert.Contains("mycli 1.2 __main__ mycli mycli.__main__", run.StdOut);
        Assert.Contains("args ['a', 'b']", run.StdOut);
    }

    [Fact]
    public void A_packages_main_file_as_the_entry_runs_its_package()
    {
        // pyfreeze build mycli/__main__.py: as a plain script its relative imports would fail; it stands for the package
        var entry = Path.Combine(Path.GetDirectoryName(Apps.Entry("pkgentry", "x"))!, "mycli", "__main__.py");
        using var t = new TempDir("pkgentry");
        var result = Freezer.Build(entry, Pythons.Debian, t["dist"]);
        Assert.EndsWith("/mycli", result.Executable);
        var run = Apps.NewSandbox().Run(result.Executable, ["c"]);
        Assert.Equal(5, run.ExitCode);
        Assert.Contains("mycli 1.2 __main__ mycli mycli.__main__", run.StdOut);
    }
}
