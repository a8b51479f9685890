using PyFreeze.Tests.Infrastructure;

namespace PyFreeze.Tests.EndToEnd;

/// <summary>
/// Tracebacks of frozen apps (Fixtures/apps/tracebacks), run with every Python hidden from a folder that holds decoy
/// <c>tbapp.py</c> and <c>tbpkg/mod.py</c> of other content: code objects name their absolute path in the unpacked app,
/// so linecache never reads the decoys. Bytecode only (the default): <c>inspect.getsource</c> raises OSError, the
/// traceback has file and line but no text, and a real traceback renderer (Debian's python3-rich) does not crash;
/// <c>--include-source</c>: getsource returns the real text and both tracebacks show the real lines, as under python3.
/// </summary>
public class TracebackTests
{
    private const string RealLine = "return 1 / x  # the real failing line of tbpkg";

    private static Apps.Built Build(bool includeSource) => Apps.Get("tracebacks", "tbapp.py", Pythons.Debian,
        includeSource ? "source" : "", s => s with { IncludeSource = includeSource });

    /// <summary>A folder with decoys of the app's own relative file names, each line saying DECOY.</summary>
    private static TempDir Decoys()
    {
        var t = new TempDir("tb-decoy");
        var lines = string.Concat(Enumerable.Range(1, 60).Select(i => $"DECOY line {i}\n"));
        t.Write("tbapp.py", lines);
        t.Write("tbpkg/__init__.py", lines);
        t.Write("tbpkg/mod.py", lines);
        return t;
    }

    private static string Unpacked(Sandbox sandbox) => Assert.Single(sandbox.Unpacked());

    private static void AssertNoDecoy(Run run) => Assert.False(run.StdOut.Contains("DECOY") || run.StdErr.Contains("DECOY"), run.ToString());

    /// <summary>Nothing was compiled or written into the unpacked app: its files are exactly the payload's.</summary>
    private static void AssertNothingWritten(Apps.Built app, string unpacked)
    {
        var shipped = app.Result.Files.Select(f => f.Path).Where(p => p.StartsWith("app/", StringComparison.Ordinal)).ToHashSet();
        var app_ = Path.Combine(unpacked, "app");
        var onDisk = Directory.EnumerateFiles(app_, "*", SearchOption.AllDirectories)
            .Select(f => "app/" + Path.GetRelativePath(app_, f).Replace('\\', '/')).ToHashSet();
        Assert.Empty(onDisk.Except(shipped));
    }

    [Fact]
    public void Bytecode_only_shows_the_frozen_path_never_a_same_named_file_of_the_cwd()
    {
        var app = Build(includeSource: false);
        Assert.DoesNotContain(app.Result.Files, f => f.Path.EndsWith(".py", StringComparison.Ordinal) && f.Path.StartsWith("app/", StringComparison.Ordinal));
        using var decoys = Decoys();
        var sandbox = Apps.NewSandbox();
        var run = sandbox.Run(app.Executable, ["plain"], cwd: decoys.Path, binds: [decoys.Path]);
        Assert.True(run.ExitCode == 0, run.ToString());
        var root = Path.Combine(Unpacked(sandbox), "app");
        var mod = Path.Combine(root, "tbpkg", "mod.py");
        Assert.Contains($"MOD_FILE {mod}\n", run.StdOut);
        Assert.Contains($"MAIN_FILE {Path.Combine(root, "tbapp.py")}\n", run.StdOut);
        Assert.Contains($"CACHED {Path.Combine(root, "tbpkg", "mod.pyc")} True\n", run.StdOut);
        Assert.Contains("NOSOURCE OSError could not get source code", run.StdOut);
        Assert.Contains($"WARNING {mod}:6: UserWarning: tbpkg careful\n", run.StdOut);
        Assert.Contains($"File \"{mod}\", line 7, in fail\nZeroDivisionError", run.StdOut.Replace("  ", ""));
        AssertNoDecoy(run);
        AssertNothingWritten(app, Unpacked(sandbox));
    }

    [Fact]
    public void Bytecode_only_a_traceback_renderer_reading_linecache_does_not_crash_or_read_the_cwd()
    {
        var app = Build(includeSource: false);
        using var decoys = Decoys();
        var sandbox = Apps.NewSandbox();
        var run = sandbox.Run(app.Executable, ["render"], cwd: decoys.Path, binds: [decoys.Path]);
        Assert.True(run.ExitCode == 1, run.ToString());
        var mod = Path.Combine(Unpacked(sandbox), "app", "tbpkg", "mod.py");
        Assert.Contains("RENDER ZeroDivisionError division by zero\n", run.StdOut);
        Assert.Contains($"FRAME {mod}:7 fail: (no source)\n", run.StdOut);
        AssertNoDecoy(run);
    }

    /// <summary>Debian's rich 13.3.1 (python3-rich) cannot draw a frame without source past line 4 of its file: its
    /// Syntax raises StopIteration on empty code with a line range (under python3 too, for any module shipped as .pyc
    /// only; later rich skips such frames). Python then prints the original traceback itself: the frozen path and
    /// line, never the decoy's text.</summary>
    [Fact]
    public void Bytecode_only_rich_shows_the_frozen_path_and_never_the_cwd_file()
    {
        var app = Build(includeSource: false);
        using var decoys = Decoys();
        var sandbox = Apps.NewSandbox();
        var run = sandbox.Run(app.Executable, ["rich"], cwd: decoys.Path, binds: [decoys.Path]);
        Assert.True(run.ExitCode == 1, run.ToString());
        var mod = Path.Combine(Unpacked(sandbox), "app", "tbpkg", "mod.py");
        Assert.Contains("ZeroDivisionError: division by zero", run.StdErr);
        Assert.Contains(run.StdErr.Contains("Original exception was") ? $"File \"{mod}\", line 7, in fail" : "mod.py:7 in fail", run.StdErr);
        Assert.DoesNotContain(RealLine, run.StdErr);
        AssertNoDecoy(run);
    }

    [Fact]
    public void Include_source_shows_the_real_source_as_python3_does()
    {
        var app = Build(includeSource: true);
        Assert.Contains(app.Result.Files, f => f.Path == "app/tbpkg/mod.py");
        Assert.Contains(app.Result.Files, f => f.Path == "app/tbpkg/__pycache__/mod.cpython-311.pyc");
        Assert.DoesNotContain(app.Result.Files, f => f.Path == "app/tbpkg/mod.pyc");
        Assert.DoesNotContain(app.Result.Files, f => f.Path.StartsWith("python/", StringComparison.Ordinal) && f.Path.EndsWith(".py", StringComparison.Ordinal));
        using var decoys = Decoys();
        var sandbox = Apps.NewSandbox();
        var run = sandbox.Run(app.Executable, ["plain"], cwd: decoys.Path, binds: [decoys.Path]);
        Assert.True(run.ExitCode == 0, run.ToString());
        var mod = Path.Combine(Unpacked(sandbox), "app", "tbpkg", "mod.py");
        Assert.Contains($"MOD_FILE {mod}\n", run.StdOut);
        Assert.Contains($"CACHED {Path.Combine(Unpacked(sandbox), "app", "tbpkg", "__pycache__", "mod.cpython-311.pyc")} True\n", run.StdOut);
        Assert.Contains("SOURCE 'def fail(x):\\n    warnings.warn(\"tbpkg careful\")\\n    " + RealLine + "\\n'", run.StdOut);
        Assert.Contains($"WARNING {mod}:6: UserWarning: tbpkg careful\n  warnings.warn(\"tbpkg careful\")\n", run.StdOut);
        Assert.Contains($"File \"{mod}\", line 7, in fail\n    {RealLine}\n", run.StdOut);
        AssertNoDecoy(run);

        var rich = sandbox.Run(app.Executable, ["rich"], cwd: decoys.Path, binds: [decoys.Path]);
        Assert.True(rich.ExitCode == 1, rich.ToString());
        Assert.Contains(RealLine, rich.StdErr);
        Assert.Contains("ZeroDivisionError: division by zero", rich.StdErr);
        AssertNoDecoy(rich);
        var render = sandbox.Run(app.Executable, ["render"], cwd: decoys.Path, binds: [decoys.Path]);
        Assert.Contains($"FRAME {mod}:7 fail: {RealLine}\n", render.StdOut);
        AssertNoDecoy(render);
        AssertNothingWritten(app, Unpacked(sandbox));

        // python3 itself, from the fixture's folder: the same source lines in the same places.
        var fixture = Path.GetDirectoryName(Apps.Entry("tracebacks", "tbapp.py"))!;
        var python = Proc.Exec(Pythons.Debian, ["-B", "tbapp.py", "rich"], cwd: fixture);
        Assert.Equal(1, python.ExitCode);
        var real = Path.Combine(fixture, "tbpkg", "mod.py");
        static string WithoutCached(string s) => string.Join('\n', s.Split('\n').Where(l => !l.StartsWith("CACHED ", StringComparison.Ordinal)));
        Assert.Equal(WithoutCached(python.StdOut.Replace(real, mod).Replace(Path.Combine(fixture, "tbapp.py"), Path.Combine(Unpacked(sandbox), "app", "tbapp.py"))),
            WithoutCached(run.StdOut));
        Assert.Contains(RealLine, python.StdErr);
    }
}
