using System.Text;
using PyFreeze.Build;
using PyFreeze.Diagnostics;
using PyFreeze.Tests.Infrastructure;

namespace PyFreeze.Tests.Cross;

/// <summary>Runs Windows programs under Wine with a prefix made once per machine (the first <c>wineboot</c> costs
/// ~20 s) and no Wine debug output.</summary>
public sealed class WineFixture
{
    /// <summary>wine64 (on PATH, or where Debian's wine64 package puts it), or null.</summary>
    public static readonly string? Wine = WindowsRuntimeFixture.FindOnPath("wine64") ?? (File.Exists("/usr/lib/wine/wine64") ? "/usr/lib/wine/wine64" : null);

    /// <summary>The shared prefix (C: drive, user profile) of these tests.</summary>
    public string Prefix { get; } = Path.Combine(Path.GetTempPath(), "pyfreeze-tests", $"wineprefix-{Environment.UserName}");

    private Dictionary<string, string?> WineEnvironment() => new()
    {
        ["WINEPREFIX"] = Prefix,
        ["WINEDEBUG"] = "-all",
        ["WINEDLLOVERRIDES"] = "mscoree,mshtml=", // no Mono or Gecko installer prompts
        ["LANG"] = "C.UTF-8",
        ["DISPLAY"] = null,
        ["PYTHONUNBUFFERED"] = null, // would add -u to the argv the stand-in echoes (a test sets it on purpose)
        ["PYFREEZE_NO_MESSAGEBOX"] = "1", // a windowed app's error box would wait for a click that never comes
    };

    /// <summary>Runs a Windows program.</summary>
    public Run Exec(string exe, params string[] args) => Proc.Exec(Wine!, [exe, .. args], env: WineEnvironment(), timeoutSeconds: 300);

    /// <summary>Runs a Windows program with more environment variables (a null value removes one).</summary>
    public Run ExecWith(IReadOnlyDictionary<string, string?> env, string exe, params string[] args)
    {
        var all = WineEnvironment();
        foreach (var (k, v) in env)
            all[k] = v;
        return Proc.Exec(Wine!, [exe, .. args], env: all, timeoutSeconds: 300);
    }

    /// <summary>The Windows path Wine gives a Unix path (its Z: drive maps /).</summary>
    public static string WindowsPath(string unixPath) => "Z:" + Path.GetFullPath(unixPath).Replace('/', '\\');

    /// <summary>Starts a Windows program, waits for the line <paramref name="ready"/> on its stdout, sends SIGINT
    /// (which Wine delivers to the console control handlers as CTRL_C_EVENT) and returns its exit code and stdout.</summary>
    public (int ExitCode, string StdOut) InterruptAfter(string ready, string exe, params string[] args)
    {
        var psi = new System.Diagnostics.ProcessStartInfo(Wine!) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        psi.ArgumentList.Add(exe);
        foreach (var a in args)
            psi.ArgumentList.Add(a);
        foreach (var (k, v) in WineEnvironment())
            if (v is null) psi.Environment.Remove(k); else psi.Environment[k] = v;
        using var p = System.Diagnostics.Process.Start(psi)!;
        var err = p.StandardError.ReadToEndAsync();
        var seen = new StringBuilder();
        var readLine = Task.Run(() =>
        {
            string? line;
            while ((line = p.StandardOutput.ReadLine()) is not null)
            {
                seen.AppendLine(line);
                if (line.TrimEnd('\r') == ready)
                    return true;
            }
            return false;
        });
        if (!readLine.Wait(TimeSpan.FromSeconds(120)) || !readLine.Result)
        {
            p.Kill(true);
            throw new InvalidOperationException($"no '{ready}' line from {exe}:\n{seen}");
        }
        Proc.Exec("kill", ["-INT", p.Id.ToString(System.Globalization.CultureInfo.InvariantCulture)]);
        var rest = p.StandardOutput.ReadToEndAsync();
        if (!p.WaitForExit(60_000))
        {
            p.Kill(true);
            throw new TimeoutException($"{exe} did not exit after SIGINT");
        }
        return (p.ExitCode, seen + rest.Result + err.Result);
    }
}

/// <summary>A [Fact] skipped (with the reason) when wine64 is not installed.</summary>
internal sealed class FactRequiresWineAttribute : FactAttribute
{
    public FactRequiresWineAttribute()
    {
        if (WineFixture.Wine is null)
            Skip = "wine64 is not installed (apt-get install wine64)";
        else if (WindowsRuntimeFixture.FindOnPath(WindowsRuntimeFixture.Gcc) is null)
            Skip = $"{WindowsRuntimeFixture.Gcc} is not installed (apt-get install gcc-mingw-w64-x86-64)";
    }
}

/// <summary>
/// The win-x64 executable end to end under Wine, against the stand-in python DLL (whose <c>Py_Main</c> echoes what it
/// got): the bootloader unpacks the payload once into <c>%LOCALAPPDATA%\pyfreeze</c>, loads <c>python311.dll</c> and the
/// DLL it imports from there (with icon and version resources written into the host), passes argv as wide strings (spaces and non-ASCII intact), lets Ctrl-C reach the python DLL's console handler
/// and returns Py_Main's exit code.
/// </summary>
public class CrossWineTests(WindowsRuntimeFixture runtimes) : IClassFixture<WindowsRuntimeFixture>
{
    [FactRequiresWine]
    public void Cross_win_x64_exe_runs_its_bootloader_under_wine()
    {
        using var t = new TempDir("xwine");
        var entry = t.Write("wapp/wapp.py", "import json\nprint(json.dumps([1]))\n");
        File.WriteAllBytes(t["wapp.ico"], CrossWindowsBuildTests.Ico()); // resources written into the host must not break it
        var result = new BuildPipeline(new BuildSettings
        {
            Entry = entry,
            Python = Pythons.Debian,
            DistPath = t["dist"],
            WorkPath = t["build"],
            Target = "win-x64",
            Runtime = runtimes.PbsArchive(),
            Icon = t["wapp.ico"],
            Company = "Example Corp",
            ProductVersion = "2.0.1",
            Log = new Log(LogLevel.Warn, TextWriter.Null),
        }).Run();
        var wine = new WineFixture();
        IEnumerable<string> Unpacked() => Directory.Exists(Path.Combine(wine.Prefix, "drive_c", "users"))
            ? Directory.EnumerateDirectories(Path.Combine(wine.Prefix, "drive_c", "users"))
                .Select(u => Path.Combine(u, "AppData", "Local", "pyfreeze", "run")).Where(Directory.Exists)
                .SelectMany(d => Directory.EnumerateDirectories(d, "wapp-*")).ToList()
            : [];
        foreach (var old in Unpacked())
            Directory.Delete(old, true);

        // First run: unpack, load the DLLs, pass the arguments, return the exit code.
        const string nonAscii = "héllo wörld ✓ 日本";
        var run = wine.Exec(result.Executable, "two words", nonAscii, "exit=7");
        Assert.True(run.ExitCode == 7, run.ToString());
        var lines = run.StdOut.Replace("\r", "").Split('\n');
        var dll = lines.Single(l => l.StartsWith("dll=", StringComparison.Ordinal))[4..];
        Assert.Matches(@"(?i)^C:\\users\\[^\\]+\\AppData\\Local\\pyfreeze\\run\\wapp-[0-9a-f]{16}\\python\\python311\.dll$", dll);
        Assert.Contains("dep=42", lines); // pyfreeze_standin_dep.dll, imported by the python DLL, was bundled and found
        var argv = lines.Where(l => l.StartsWith("argv[", StringComparison.Ordinal)).Select(l => l[(l.IndexOf('=') + 1)..]).ToList();
        Assert.Equal(["-I", "-S", "-B"], argv[1..4]);
        Assert.EndsWith(@"\python\boot.pyc", argv[4]);
        Assert.Contains("exists=" + argv[4], lines); // the payload is unpacked where Py_Main is told to look
        Assert.Equal(["two words", nonAscii, "exit=7"], argv[^3..]);
        Assert.EndsWith("wapp.exe", argv[^4], StringComparison.OrdinalIgnoreCase); // argv[0] of the app
        Assert.Contains(lines, l => l.StartsWith("executable=", StringComparison.Ordinal) && l.EndsWith("wapp.exe", StringComparison.OrdinalIgnoreCase));
        var unpacked = Assert.Single(Unpacked());
        Assert.True(File.Exists(Path.Combine(unpacked, ".pyfreeze-complete")));
        Assert.True(File.Exists(Path.Combine(unpacked, "python", "python311._pth")));

        // Second run: the unpacked copy is reused (same folder, marker untouched), exit code 0.
        var marker = File.GetLastWriteTimeUtc(Path.Combine(unpacked, ".pyfreeze-complete"));
        var again = wine.Exec(result.Executable);
        Assert.True(again.ExitCode == 0, again.ToString());
        Assert.Contains("dll=" + dll, again.StdOut.Replace("\r", "").Split('\n'));
        Assert.Equal(marker, File.GetLastWriteTimeUtc(Path.Combine(unpacked, ".pyfreeze-complete")));

        // Ctrl-C: the handler the python DLL registers (CPython's SIGINT set-up does so) gets it; the exit code is its.
        var (code, output) = wine.InterruptAfter("ready", result.Executable, "wait-ctrl-c");
        Assert.True(code == 130, $"exit {code}\n{output}");
        Assert.Contains("ctrl-c", output);

        // --onedir: the same bootloader runs the files beside it, no cache.
        var onedir = new BuildPipeline(new BuildSettings
        {
            Entry = entry, Python = Pythons.Debian, DistPath = t["dist"], WorkPath = t["build"], Target = "win-x64", OneDir = true,
            Runtime = runtimes.PbsArchive(), Log = new Log(LogLevel.Warn, TextWriter.Null),
        }).Run();
        Assert.Equal(t["dist/wapp/wapp.exe"], onedir.Executable);
        var dirRun = wine.Exec(onedir.Executable, "exit=3");
        Assert.True(dirRun.ExitCode == 3, dirRun.ToString());
        Assert.Contains(dirRun.StdOut.Replace("\r", "").Split('\n'), l => l.StartsWith("dll=", StringComparison.Ordinal) && l.EndsWith(@"\wapp\python\python311.dll", StringComparison.OrdinalIgnoreCase) && !l.Contains("AppData", StringComparison.Ordinal));
    }

    [FactRequiresWine]
    public void Cross_win_x64_windowed_errors_go_to_a_log_and_pythonunbuffered_adds_u()
    {
        using var t = new TempDir("xwinerr");
        var entry = t.Write("wgui/wgui.py", "import json\n");
        BuildResult Build(bool windowed, bool onedir = false) => new BuildPipeline(new BuildSettings
        {
            Entry = entry, Python = Pythons.Debian, DistPath = t[onedir ? "distdir" : windowed ? "distgui" : "distcon"], WorkPath = t["build"],
            Target = "win-x64", Runtime = runtimes.PbsArchive(), Windowed = windowed, OneDir = onedir,
            Log = new Log(LogLevel.Warn, TextWriter.Null),
        }).Run();
        var gui = Build(windowed: true);
        var console = Build(windowed: false);
        var wine = new WineFixture();
        var cache = t["cache"];
        var log = Path.Combine(cache, "logs", "wgui-error.log");
        var env = new Dictionary<string, string?>
        {
            ["PYFREEZE_CACHE_DIR"] = WineFixture.WindowsPath(cache), // the log lives under the cache root: here, in t
            ["PYFREEZE_NO_MESSAGEBOX"] = "1", // the box's text goes to stderr instead
            ["PYTHONUNBUFFERED"] = null,
        };
        static string[] Lines(Run r) => r.StdOut.Replace("\r", "").Split('\n');

        // An uncaught exception of a windowed app: its traceback is appended to the log, exit code 1, and the end of it
        // is shown (here on stderr, as PYFREEZE_NO_MESSAGEBOX asks) with the log's path.
        var fail = wine.ExecWith(env, gui.Executable, "--standin-fail");
        Assert.True(fail.ExitCode == 1, fail.ToString());
        var named = Lines(fail).Single(l => l.StartsWith("error_log=", StringComparison.Ordinal))[10..];
        Assert.Equal(WineFixture.WindowsPath(log), named, ignoreCase: true);
        Assert.True(File.Exists(log), fail.ToString());
        var text = File.ReadAllText(log);
        Assert.StartsWith("Traceback (most recent call last):", text);
        Assert.Contains("ZeroDivisionError: division by zero (stand-in)", text);
        Assert.Contains("message box suppressed by PYFREEZE_NO_MESSAGEBOX", fail.StdErr);
        Assert.Contains("ZeroDivisionError: division by zero (stand-in)", fail.StdErr);
        Assert.Contains("The full error is in " + named, fail.StdErr);
        Assert.DoesNotContain(Lines(fail), l => l.StartsWith("argv[", StringComparison.Ordinal) && l.EndsWith("=-u", StringComparison.Ordinal));

        // Without PYFREEZE_NO_MESSAGEBOX the box is asked for (MessageBoxW through user32; Wine with no display
        // returns at once): nothing on stderr, the exit code unchanged.
        var boxed = wine.ExecWith(new Dictionary<string, string?>(env) { ["PYFREEZE_NO_MESSAGEBOX"] = null }, gui.Executable, "--standin-fail");
        Assert.True(boxed.ExitCode == 1, boxed.ToString());
        Assert.DoesNotContain("message box suppressed", boxed.StdErr);
        Assert.DoesNotContain("ZeroDivisionError", boxed.StdErr);
        File.WriteAllText(log, text);

        // The log is appended to, never overwritten; a run that adds nothing shows nothing, whatever its exit code.
        var again = wine.ExecWith(env, gui.Executable, "--standin-fail");
        Assert.Equal(1, again.ExitCode);
        Assert.Equal(2, File.ReadAllText(log).Split("Traceback (most recent call last):").Length - 1);
        var quiet = wine.ExecWith(env, gui.Executable, "exit=3");
        Assert.True(quiet.ExitCode == 3, quiet.ToString());
        Assert.DoesNotContain("message box", quiet.StdErr);
        Assert.Equal(2, File.ReadAllText(log).Split("Traceback (most recent call last):").Length - 1);

        // A console app has a console: no log is named or written.
        File.Delete(log);
        var con = wine.ExecWith(env, console.Executable, "--standin-fail");
        Assert.True(con.ExitCode == 1, con.ToString());
        Assert.DoesNotContain(Lines(con), l => l.StartsWith("error_log=", StringComparison.Ordinal));
        Assert.False(File.Exists(log));
        Assert.DoesNotContain("message box", con.StdErr);

        // PYTHONUNBUFFERED (ignored by CPython under -I) becomes -u, placed before the boot module; empty means unset.
        var unbuffered = wine.ExecWith(new Dictionary<string, string?>(env) { ["PYTHONUNBUFFERED"] = "1" }, console.Executable);
        Assert.True(unbuffered.ExitCode == 0, unbuffered.ToString());
        var argv = Lines(unbuffered).Where(l => l.StartsWith("argv[", StringComparison.Ordinal)).Select(l => l[(l.IndexOf('=') + 1)..]).ToList();
        Assert.Equal(["-I", "-S", "-B", "-u"], argv[1..5]);
        Assert.EndsWith(@"\python\boot.pyc", argv[5]);
        foreach (var value in new[] { "", null })
        {
            var buffered = wine.ExecWith(new Dictionary<string, string?>(env) { ["PYTHONUNBUFFERED"] = value }, console.Executable);
            var plain = Lines(buffered).Where(l => l.StartsWith("argv[", StringComparison.Ordinal)).Select(l => l[(l.IndexOf('=') + 1)..]).ToList();
            Assert.Equal(["-I", "-S", "-B"], plain[1..4]);
            Assert.EndsWith(@"\python\boot.pyc", plain[4]);
            Assert.DoesNotContain("-u", plain);
        }

        // A failure of the bootloader itself in a windowed app (its python DLL is gone) is logged and shown too.
        var dir = Build(windowed: true, onedir: true);
        File.Delete(Path.Combine(Path.GetDirectoryName(dir.Executable)!, "python", "python311.dll"));
        var broken = wine.ExecWith(env, dir.Executable);
        Assert.True(broken.ExitCode == 255, broken.ToString());
        Assert.Contains("cannot load the bundled python library", File.ReadAllText(log));
        Assert.Contains("message box suppressed by PYFREEZE_NO_MESSAGEBOX", broken.StdErr);
    }
}
