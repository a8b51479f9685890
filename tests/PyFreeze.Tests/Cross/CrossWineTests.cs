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
    };

    /// <summary>Runs a Windows program.</summary>
    public Run Exec(string exe, params string[] args) => Proc.Exec(Wine!, [exe, .. args], env: WineEnvironment(), timeoutSeconds: 300);

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
        var result = new BuildPipeline(new BuildOptions
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
        var onedir = new BuildPipeline(new BuildOptions
        {
            Entry = entry, Python = Pythons.Debian, DistPath = t["dist"], WorkPath = t["build"], Target = "win-x64", OneDir = true,
            Runtime = runtimes.PbsArchive(), Log = new Log(LogLevel.Warn, TextWriter.Null),
        }).Run();
        Assert.Equal(t["dist/wapp/wapp.exe"], onedir.Executable);
        var dirRun = wine.Exec(onedir.Executable, "exit=3");
        Assert.True(dirRun.ExitCode == 3, dirRun.ToString());
        Assert.Contains(dirRun.StdOut.Replace("\r", "").Split('\n'), l => l.StartsWith("dll=", StringComparison.Ordinal) && l.EndsWith(@"\wapp\python\python311.dll", StringComparison.OrdinalIgnoreCase) && !l.Contains("AppData", StringComparison.Ordinal));
    }
}
