using System.Diagnostics;
using System.Text.RegularExpressions;
using PyFreeze.Cli;
using PyFreeze.Tests.Binaries;
using PyFreeze.Tests.Infrastructure;

namespace PyFreeze.Tests.Cli;

/// <summary>
/// <c>pyfreeze build</c>'s progress as people see it: the real command as a process of its own, under a pseudo-terminal
/// (util-linux's <c>script</c>, which gives the command a pty for stdin, stdout and stderr and copies what it draws to a
/// file) and without one. On a terminal: the live display (cursor hidden, rows redrawn in place with the stages' counts),
/// then the cursor shown again and the summary; Ctrl-C (SIGINT) mid-build gives the cursor back too. Not a terminal, or
/// <c>CI</c> set: one plain line per stage. <c>--log-level WARN</c>: no progress at all.
/// </summary>
public class ProgressTests
{
    private static readonly string Tool = Path.Combine(AppContext.BaseDirectory, "pyfreeze.dll");
    private static readonly string[] Stages = ["probe", "analyze", "collect", "compile", "assemble", "emit", "report"];
    private const string HideCursor = "\u001b[?25l", ShowCursor = "\u001b[?25h";

    private static string Quote(string s) => "'" + s.Replace("'", "'\\''") + "'";

    /// <summary>The build, as a shell command. <c>env --default-signal=INT</c>: a test run started in the background
    /// (<c>nohup</c>, a CI runner's <c>&amp;</c>) inherits SIGINT ignored, and the .NET runtime keeps an ignored SIGINT
    /// ignored, so Ctrl-C would never reach the build; a terminal's foreground job has it at its default.</summary>
    private static string BuildCommand(TempDir t, string extra = "") =>
        $"cd {Quote(t.Path)} && exec env --default-signal=INT dotnet {Quote(Tool)} build {Quote(Repo.Path_("examples", "hello", "hello.py"))} --python {Pythons.Debian} " +
        $"--distpath dist --workpath build {extra}";

    /// <summary>Runs <paramref name="command"/> (a shell command) under a pty; returns the exit code and what was drawn.</summary>
    private static (int ExitCode, string Screen) UnderPty(TempDir t, string command, IDictionary<string, string?> env)
    {
        var typescript = t["typescript"];
        var run = Proc.Exec("script", ["-qec", command, typescript], env: env, timeoutSeconds: 600);
        return (run.ExitCode, File.ReadAllText(typescript));
    }

    /// <summary>The command's environment: <c>CI</c> as given, every CI service's variable removed (a CI runner sets
    /// them on the test process too), a colour terminal, a private build cache.</summary>
    private static Dictionary<string, string?> Env(string? ci, string cache)
    {
        var env = BuildProgressDisplay.CiServiceVariables.ToDictionary(v => v, _ => (string?)null);
        env["CI"] = ci;
        env["TERM"] = "xterm-256color";
        env["PYFREEZE_BUILD_CACHE"] = cache;
        return env;
    }

    [FactRequires("tool:script")]
    public void On_a_terminal_the_live_display_shows_the_stages_with_counts_and_ends_clean()
    {
        using var t = new TempDir("progress");
        var (code, screen) = UnderPty(t, BuildCommand(t), Env(null, t["cache"]));
        Assert.True(code == 0, screen);
        int hidden = screen.IndexOf(HideCursor, StringComparison.Ordinal), shown = screen.LastIndexOf(ShowCursor, StringComparison.Ordinal);
        Assert.True(hidden >= 0, "the live display hides the cursor:\n" + screen);
        Assert.True(shown > hidden, "the cursor is shown again after the display");
        Assert.Matches(@"\u001b\[\d+A", screen); // rows redrawn in place: cursor up
        string Plain(string s) => Regex.Replace(s, @"\u001b\[[0-9;?]*[A-Za-z]|\u001b[=>]", "");
        var drawn = Plain(screen[..shown]);
        // counts while the stages run (the cache is cold: the .pyc are compiled, so the count moves) and what each made
        Assert.Matches(@"analyze\s+\d+ modules", drawn);
        Assert.Matches(@"compile\s+\d+/\d+ \.pyc", drawn);
        Assert.Matches(@"assemble\s+payload \d+\.\d MB", drawn);
        foreach (var stage in Stages)
            Assert.Contains(stage, drawn);
        Assert.Matches(@"\d\d:\d\d:\d\d", drawn); // elapsed time
        // after the display: the summary, clean (no escape sequence, each line from the first column)
        var after = screen[(shown + ShowCursor.Length)..];
        Assert.StartsWith("Built dist/hello (", after.TrimStart('\r', '\n', ' '));
        Assert.Contains("  report: build/hello/report.html", after);
        Assert.DoesNotContain("\u001b", after);
        Assert.True(File.Exists(t["dist/hello"]));
    }

    private static void AssertPlainLines(string output)
    {
        // .NET's console sets the keypad mode of a terminal it runs on (ESC[?1h ESC=); nothing else may be drawn
        output = output.Replace("\u001b[?1h\u001b=", "").Replace("\u001b[?1l\u001b>", "");
        Assert.DoesNotContain("\u001b", output);
        var lines = output.Split('\n').Select(l => l.TrimEnd('\r')).ToList();
        var stageLines = lines.Where(l => Regex.IsMatch(l, @"^[a-z]+ +\d+\.\d\d s  ")).ToList();
        Assert.Equal(Stages, stageLines.Select(l => l.Split(' ')[0]));
        Assert.Matches(@"^probe +\d+\.\d\d s  CPython 3\.11\.\d+, linux-x64 \(/usr/bin/python3\.11\)$", stageLines[0]);
        Assert.Matches(@"^analyze +\d+\.\d\d s  \d+ modules$", stageLines[1]);
        Assert.Matches(@"^compile +\d+\.\d\d s  (\d+)/\1 \.pyc \(\d+ compiled, \d+ from the build cache\)$", stageLines[3]);
        Assert.Matches(@"^assemble +\d+\.\d\d s  payload \d+\.\d MB written \(\d+\.\d MB unpacked, \d+ files\)$", stageLines[4]);
        Assert.Matches(@"^emit +\d+\.\d\d s  dist/hello \(\d+\.\d MB\)$", stageLines[5]);
        // the stage lines come before the summary
        Assert.True(lines.IndexOf(stageLines[^1]) < lines.FindIndex(l => l.StartsWith("Built ", StringComparison.Ordinal)), output);
        // nothing said twice: the interpreter, the module count and the times are the stage lines', the bootloader one line
        Assert.DoesNotContain(lines, l => l.StartsWith("Python 3", StringComparison.Ordinal) || l.StartsWith("Analyzed ", StringComparison.Ordinal)
            || l.StartsWith("Bootloader: ", StringComparison.Ordinal) || l.StartsWith("  time: ", StringComparison.Ordinal));
        Assert.Single(lines, l => l.StartsWith("  bootloader", StringComparison.Ordinal));
    }

    [Fact]
    public void Without_a_terminal_one_plain_line_per_stage_on_stdout_and_errors_alone_on_stderr()
    {
        using var t = new TempDir("progress");
        var run = Proc.Exec("/bin/sh", ["-c", BuildCommand(t)], env: Env(null, t["cache"]), timeoutSeconds: 600);
        Assert.True(run.ExitCode == 0, run.ToString());
        AssertPlainLines(run.StdOut);
        Assert.DoesNotMatch(@"(?m)^(probe|analyze|compile) +\d", run.StdErr);
        // --json -: the JSON alone on stdout, the progress lines with the summary on stderr
        var json = Proc.Exec("/bin/sh", ["-c", BuildCommand(t, "--json -")], env: Env(null, t["cache"]), timeoutSeconds: 600);
        Assert.True(json.ExitCode == 0, json.ToString());
        using (System.Text.Json.JsonDocument.Parse(json.StdOut)) { }
        AssertPlainLines(json.StdErr);
        // a build that fails after the probe (--strict and a missing import): the error is one line on stderr, the
        // stage that ran is on stdout
        t.Write("strict.py", "import no_such_module_abc\n");
        var bad = Proc.Exec("/bin/sh", ["-c", BuildCommand(t, "--strict").Replace(Quote(Repo.Path_("examples", "hello", "hello.py")), "strict.py")], env: Env(null, t["cache"]));
        Assert.NotEqual(0, bad.ExitCode);
        var errLines = bad.StdErr.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Single(errLines, l => l.Contains("error", StringComparison.Ordinal));
        Assert.StartsWith("pyfreeze: error: ", errLines[^1]);
        Assert.Contains("no_such_module_abc", errLines[^1]);
        Assert.DoesNotMatch(@"(?m)^(probe|analyze) +\d", bad.StdErr);
        Assert.Matches(@"^probe +\d+\.\d\d s  CPython", bad.StdOut);
    }

    [FactRequires("tool:script")]
    public void With_CI_set_a_terminal_gets_the_plain_lines()
    {
        using var t = new TempDir("progress");
        var (code, screen) = UnderPty(t, BuildCommand(t), Env("1", t["cache"]));
        Assert.True(code == 0, screen);
        AssertPlainLines(screen);
    }

    /// <summary>A CI service that sets only its own variable (Azure Pipelines: <c>TF_BUILD</c>, no <c>CI</c>) gets the
    /// plain lines too, not a display Spectre.Console would half-draw.</summary>
    [FactRequires("tool:script")]
    public void With_only_a_CI_services_own_variable_set_a_terminal_gets_the_plain_lines()
    {
        using var t = new TempDir("progress");
        var env = Env(null, t["cache"]);
        env["TF_BUILD"] = "True";
        var (code, screen) = UnderPty(t, BuildCommand(t), env);
        Assert.True(code == 0, screen);
        AssertPlainLines(screen);
    }

    [FactRequires("tool:script")]
    public void At_log_level_WARN_nothing_extra_is_shown()
    {
        using var t = new TempDir("progress");
        var (code, screen) = UnderPty(t, BuildCommand(t, "--log-level WARN"), Env(null, t["cache"]));
        Assert.True(code == 0, screen);
        Assert.DoesNotContain("\u001b", screen.Replace("\u001b[?1h\u001b=", "").Replace("\u001b[?1l\u001b>", ""));
        foreach (var stage in Stages)
            Assert.DoesNotMatch($@"(?m)^\s*{stage}\b", screen);
        Assert.DoesNotContain("Built ", screen);
        Assert.True(File.Exists(t["dist/hello"]));
    }

    /// <summary>Ctrl-C during the build (SIGINT to the command, as the terminal sends it): the process ends and the
    /// terminal has its cursor back.</summary>
    [FactRequires("tool:script")]
    public void Ctrl_C_mid_build_leaves_the_cursor_shown()
    {
        using var t = new TempDir("progress");
        var typescript = t["typescript"];
        var psi = new ProcessStartInfo("script", ["-qfec", BuildCommand(t), typescript]) { UseShellExecute = false, RedirectStandardInput = true, RedirectStandardOutput = true };
        foreach (var (k, v) in Env(null, t["cache"]))
            if (v is null) psi.Environment.Remove(k); else psi.Environment[k] = v;
        using var script = Process.Start(psi)!;
        _ = script.StandardOutput.ReadToEndAsync();
        var clock = Stopwatch.StartNew();
        int? dotnet = null;
        while (clock.Elapsed < TimeSpan.FromSeconds(120) && !script.HasExited)
        {
            // the command (exec'd by script's shell) is script's child; wait until the display is drawn
            dotnet ??= Directory.EnumerateDirectories("/proc").Select(d => Path.GetFileName(d)).Where(n => n.All(char.IsAsciiDigit))
                .Select(int.Parse).FirstOrDefault(pid => ParentOf(pid) == script.Id) is var p and > 0 ? p : null;
            if (dotnet is not null && File.Exists(typescript) && File.ReadAllText(typescript).Contains("analyze"))
                break;
            Thread.Sleep(50);
        }
        Assert.True(dotnet is not null && !script.HasExited, "the build was not seen running:\n" + (File.Exists(typescript) ? File.ReadAllText(typescript) : ""));
        var kill = Proc.Exec("kill", ["-INT", dotnet!.Value.ToString()]);
        Assert.True(kill.ExitCode == 0, kill.ToString());
        Assert.True(script.WaitForExit(60_000), "the build did not stop on SIGINT");
        var screen = File.ReadAllText(typescript);
        Assert.NotEqual(0, script.ExitCode);
        Assert.DoesNotContain("Built ", screen);
        int hidden = screen.LastIndexOf(HideCursor, StringComparison.Ordinal), shown = screen.LastIndexOf(ShowCursor, StringComparison.Ordinal);
        Assert.True(hidden >= 0 && shown > hidden, "the cursor is shown again after Ctrl-C:\n" + screen[^Math.Min(400, screen.Length)..]);
    }

    private static int ParentOf(int pid)
    {
        try
        {
            var stat = File.ReadAllText($"/proc/{pid}/stat");
            return int.Parse(stat[(stat.LastIndexOf(')') + 2)..].Split(' ')[1]);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or FormatException)
        {
            return -1;
        }
    }
}
