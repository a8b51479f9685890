using System.Diagnostics;
using PyFreeze.Cli;
using PyFreeze.Tests.Infrastructure;

namespace PyFreeze.Tests.Cli;

/// <summary>Tests that set the process's console and current folder (in-process runs of <c>pyfreeze</c>): they run
/// alone, after the parallel ones.</summary>
[CollectionDefinition(nameof(ConsoleAndCurrentFolder), DisableParallelization = true)]
public sealed class ConsoleAndCurrentFolder;

/// <summary>The <c>pyfreeze</c> command as users run it: help, version, and one clear line for every bad input.
/// <see cref="Program.Main"/> runs in this process, its console captured, in the given folder; only what needs the
/// command as a process of its own (a sandbox that hides files from it) starts <c>dotnet pyfreeze.dll</c>.</summary>
[Collection(nameof(ConsoleAndCurrentFolder))]
public class CliTests
{
    private static readonly string Tool = Path.Combine(AppContext.BaseDirectory, "pyfreeze.dll");

    /// <summary>Runs <c>pyfreeze ARGS</c> in process, in <paramref name="cwd"/>, with stdout and stderr captured.</summary>
    internal static Run Pyfreeze(string cwd, params string[] args)
    {
        var (stdout, stderr, folder) = (Console.Out, Console.Error, Environment.CurrentDirectory);
        var (o, e) = (new StringWriter(), new StringWriter());
        var clock = Stopwatch.StartNew();
        Console.SetOut(o);
        Console.SetError(e);
        Environment.CurrentDirectory = cwd;
        try
        {
            var code = Program.Main(args);
            return new Run(code, o.ToString(), e.ToString(), clock.Elapsed);
        }
        finally
        {
            Environment.CurrentDirectory = folder;
            Console.SetOut(stdout);
            Console.SetError(stderr);
        }
    }

    private static void AssertOneLineError(Run run, string expected, int? exitCode = null)
    {
        Assert.True(run.ExitCode != 0, run.ToString());
        if (exitCode is not null)
            Assert.Equal(exitCode, run.ExitCode);
        var lines = run.StdErr.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.True(lines.Length == 1, $"one line expected on stderr:\n{run.StdErr}");
        Assert.StartsWith("pyfreeze: error: ", lines[0]);
        Assert.Contains(expected, lines[0]);
        Assert.DoesNotContain("   at ", run.StdErr);
    }

    /// <summary>The real pipeline and the real python, in a bubblewrap that hides part of Tcl/Tk as on a machine where it
    /// is not (fully) installed: the build stops before writing anything, naming the packages.</summary>
    [PyFreeze.Tests.Binaries.FactRequires("tool:bwrap", "glob:/usr/lib/python3*/lib-dynload/_tkinter*.so", "/usr/share/tcltk")]
    public void Tkinter_built_where_Tcl_Tk_is_not_installed_stops_naming_the_packages()
    {
        using var t = new TempDir("cli");
        var empty = t.Write("empty", "");
        var entry = Repo.Path_("tests", "PyFreeze.Tests", "Fixtures", "apps", "tkapp", "tkapp.py");
        var libtk = Directory.GetDirectories("/usr/lib", "*-linux-gnu").Append("/usr/lib")
            .SelectMany(d => Directory.GetFiles(d, "libtk8*.so")).First();
        foreach (var (hide, expected) in new[]
        {
            (new[] { "--tmpfs", "/usr/share/tcltk" }, "the Tcl script library (init.tcl) of the build machine's Tcl was not found (TclError: Can't find a usable init.tcl"),
            (new[] { "--ro-bind", empty, libtk }, $"{Path.GetFileName(libtk)} (needed by _tkinter."),
        })
        {
            var run = Proc.Exec("bwrap", ["--dev-bind", "/", "/", .. hide, "--", "dotnet", Tool, "build", entry, "--python", Pythons.Debian,
                "--distpath", t["dist"], "--workpath", t["build"]], cwd: t.Path, timeoutSeconds: 300);
            Assert.True(run.ExitCode != 0, run.ToString());
            var last = run.StdErr.Split('\n', StringSplitOptions.RemoveEmptyEntries).Last();
            Assert.StartsWith("pyfreeze: error: " + expected, last);
            Assert.Contains("apt-get install tcl8.6 tk8.6 python3-tk", last);
            Assert.DoesNotContain("   at ", run.StdErr);
            Assert.False(Directory.Exists(t["dist"]) && Directory.EnumerateFileSystemEntries(t["dist"]).Any(), "nothing in dist/ after a failed build");
        }
    }

    [Fact]
    [Trait("Lane", "Fast")]
    public void Version_and_help()
    {
        var v = Pyfreeze(Path.GetTempPath(), "--version");
        Assert.Equal(0, v.ExitCode);
        Assert.Matches(@"^\d+\.\d+\.\d+", v.StdOut.Trim());
        var h = Pyfreeze(Path.GetTempPath(), "--help");
        Assert.Equal(0, h.ExitCode);
        Assert.Contains("analyze", h.StdOut);
        Assert.Contains("build", h.StdOut);
        var b = Pyfreeze(Path.GetTempPath(), "build", "--help");
        foreach (var opt in new[] { "--name", "--distpath", "--workpath", "--onefile", "--onedir", "--python", "--target", "--optimize", "--clean", "--log-level", "--paths", "--hidden-import", "--exclude-module" })
            Assert.Contains(opt, b.StdOut);
    }

    [Fact]
    public void Analyze_prints_a_summary_json_and_dot()
    {
        using var t = new TempDir("cli");
        var app = t.Write("app.py", "import json\nimport no_such_module_xyz\ntry:\n    import msvcrt\nexcept ImportError:\n    pass\n");
        var run = Pyfreeze(t.Path, "analyze", app, "--python", Pythons.Debian, "--json", "graph.json", "--dot", "graph.dot");
        Assert.True(run.ExitCode == 0, run.ToString());
        Assert.Contains("no_such_module_xyz", run.StdOut);
        Assert.Contains("app.py:2", run.StdOut);
        Assert.Contains("Not needed on linux", run.StdOut);
        using var doc = System.Text.Json.JsonDocument.Parse(File.ReadAllText(t["graph.json"]));
        var modules = doc.RootElement.GetProperty("modules").EnumerateArray().ToList();
        Assert.Contains(modules, m => m.GetProperty("name").GetString() == "json" && m.GetProperty("kind").GetString() == "package");
        Assert.Contains(modules, m => m.GetProperty("name").GetString() == "no_such_module_xyz" && m.GetProperty("kind").GetString() == "missing");
        Assert.Contains(modules, m => m.GetProperty("name").GetString() == "sys" && m.GetProperty("kind").GetString() == "builtin");
        var edges = doc.RootElement.GetProperty("edges").EnumerateArray().ToList();
        Assert.Contains(edges, e => e.GetProperty("from").GetString() == "__main__" && e.GetProperty("to").GetString() == "msvcrt" && e.GetProperty("kind").GetString() == "optional");
        Assert.StartsWith("digraph", File.ReadAllText(t["graph.dot"]));
    }

    [Fact]
    public void Analyze_json_to_stdout()
    {
        using var t = new TempDir("cli");
        var app = t.Write("app.py", "import os\n");
        var run = Pyfreeze(t.Path, "analyze", app, "--python", Pythons.Debian, "--json", "-");
        Assert.True(run.ExitCode == 0, run.ToString());
        using var doc = System.Text.Json.JsonDocument.Parse(run.StdOut);
        Assert.True(doc.RootElement.GetProperty("modules").GetArrayLength() > 10);
    }

    [Fact]
    public void Bad_entries_get_one_line_and_a_nonzero_exit()
    {
        using var t = new TempDir("cli");
        AssertOneLineError(Pyfreeze(t.Path, "analyze", "missing.py", "--python", Pythons.Debian), "missing.py: no such file");
        Directory.CreateDirectory(t["adir"]);
        AssertOneLineError(Pyfreeze(t.Path, "analyze", "adir", "--python", Pythons.Debian), "is a folder without __main__.py");
        File.WriteAllBytes(t["binary.py"], [0x7f, 0x45, 0x4c, 0x46, 0, 0, 1, 2]);
        AssertOneLineError(Pyfreeze(t.Path, "analyze", "binary.py", "--python", Pythons.Debian), "not a Python source file");
        t.Write("bad.py", "import os\ndef f(:\n    pass\n");
        AssertOneLineError(Pyfreeze(t.Path, "analyze", "bad.py", "--python", Pythons.Debian), "bad.py:2: SyntaxError");
        AssertOneLineError(Pyfreeze(t.Path, "build", "bad.py", "--python", Pythons.Debian), "bad.py:2: SyntaxError");
        Assert.False(Directory.Exists(t["dist"]) && Directory.EnumerateFileSystemEntries(t["dist"]).Any(), "nothing in dist/ after a failed build");
    }

    [Fact]
    public void Bad_interpreters_get_one_line()
    {
        using var t = new TempDir("cli");
        var app = t.Write("app.py", "print(1)\n");
        AssertOneLineError(Pyfreeze(t.Path, "analyze", app, "--python", "/no/such/python"), "/no/such/python: no such file");
        AssertOneLineError(Pyfreeze(t.Path, "analyze", app, "--python", "/bin/ls"), "not a working Python interpreter");
        var py27 = Path.Combine(Environment.GetEnvironmentVariable("HOME")!, ".pyenv/versions/2.7.18/bin/python");
        if (File.Exists(py27))
            AssertOneLineError(Pyfreeze(t.Path, "analyze", app, "--python", py27), "CPython 2.7.18; PyFreeze needs CPython 3.9–3.14");
        var py38 = Path.Combine(Environment.GetEnvironmentVariable("HOME")!, ".pyenv/versions/3.8.18/bin/python3.8");
        if (File.Exists(py38))
            AssertOneLineError(Pyfreeze(t.Path, "analyze", app, "--python", py38), "CPython 3.8.18; PyFreeze needs CPython 3.9–3.14");
    }

    [Fact]
    public void Unreadable_module_and_symlink_loop_get_one_line()
    {
        using var t = new TempDir("cli");
        t.Write("pkg/__init__.py", "from . import broken\n");
        File.CreateSymbolicLink(t["pkg/broken.py"], "/no/such/target.py"); // unreadable even for root
        var app = t.Write("app.py", "import pkg\n");
        AssertOneLineError(Pyfreeze(t.Path, "analyze", app, "--python", Pythons.Debian), "broken.py: cannot be read");
        Directory.CreateSymbolicLink(t["loop"], t["loop"]);
        var app2 = t.Write("app2.py", "import os\n");
        AssertOneLineError(Pyfreeze(t.Path, "analyze", app2, "--python", Pythons.Debian, "--paths", t["loop"]), "loop");
    }

    [Fact]
    public void Bad_build_options_get_one_line_and_leave_dist_empty()
    {
        using var t = new TempDir("cli");
        var app = t.Write("app.py", "print(1)\n");
        AssertOneLineError(Pyfreeze(t.Path, "build", app, "--python", Pythons.Debian, "--target", "solaris-sparc"), "linux-x64, win-x64, osx-arm64");
        AssertOneLineError(Pyfreeze(t.Path, "build", app, "--python", Pythons.Debian, "--name", "a/b"), "--name a/b");
        AssertOneLineError(Pyfreeze(t.Path, "build", app, "--python", Pythons.Debian, "--distpath", "/proc/pyfreeze-dist"), "--distpath /proc/pyfreeze-dist");
        AssertOneLineError(Pyfreeze(t.Path, "build", app, "--python", Pythons.Debian, "--report", "/proc/pyfreeze-report/r.html"), "--report /proc/pyfreeze-report: cannot write there");
        Assert.False(Directory.Exists(t["dist"]) && Directory.EnumerateFileSystemEntries(t["dist"]).Any());
    }

    [Fact]
    public void Usage_errors_get_one_line_and_exit_2()
    {
        using var t = new TempDir("cli");
        var app = t.Write("app.py", "print(1)\n");
        AssertOneLineError(Pyfreeze(t.Path, "build", app, "--bogus"), "'--bogus'; see pyfreeze build --help", 2);
        AssertOneLineError(Pyfreeze(t.Path, "build", app, "--windowed", "--console"), "--windowed and --console exclude each other", 2);
        AssertOneLineError(Pyfreeze(t.Path, "build", app, "--log-level", "LOUD"), "--log-level LOUD: use one of DEBUG, INFO, WARN, ERROR", 2);
        AssertOneLineError(Pyfreeze(t.Path, "build"), "ENTRY", 2);
        Assert.Empty(Pyfreeze(t.Path, "build", app, "--bogus").StdOut);
        // PyInstaller habits are accepted: -y (never asks anyway), -c (console, the default), its log level names
        var run = Pyfreeze(t.Path, "build", app, "--python", Pythons.Debian, "-y", "-c", "--log-level", "FATAL");
        Assert.True(run.ExitCode == 0, run.ToString());
        Assert.True(File.Exists(t["dist/app"]));
    }

    [Fact]
    public void Missing_top_level_import_warns_and_strict_fails()
    {
        using var t = new TempDir("cli");
        var app = t.Write("app.py", "import no_such_module_abc\nprint(1)\n");
        var run = Pyfreeze(t.Path, "build", app, "--python", Pythons.Debian);
        Assert.True(run.ExitCode == 0, run.ToString());
        Assert.Contains("warning: missing module no_such_module_abc", run.StdErr);
        Assert.Contains("__main__ (line 1)", run.StdErr);
        Assert.True(File.Exists(t["dist/app"]));
        AssertOneLineError(Pyfreeze(t.Path, "build", app, "--python", Pythons.Debian, "--strict", "--name", "strict", "--log-level", "ERROR"), "no_such_module_abc");
        Assert.False(File.Exists(t["dist/strict"]));
    }
}
