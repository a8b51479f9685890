using PyFreeze.Build;
using PyFreeze.Diagnostics;
using PyFreeze.Tests.Infrastructure;

namespace PyFreeze.Tests.Cross;

/// <summary>
/// The boot module's side of a windowed app's errors on Windows (the bootloader's side runs under Wine in
/// <see cref="CrossWineTests"/>), with the real CPython of this machine: <c>_windowed_errors</c> called directly with
/// <c>sys.stderr = None</c> (what CPython gives a GUI-subsystem process), and a frozen Linux app started with the
/// variable the Windows bootloader sets and its stderr closed (CPython then sets <c>sys.stderr</c> to None too).
/// </summary>
public class CrossWindowedBootTests
{
    private static string BootSource()
    {
        var text = File.ReadAllText(Repo.Path_("src", "PyFreeze.Core", "Assemble", "boot.py"));
        const string call = "_pyfreeze_boot(_PYFREEZE_CONFIG)  # noqa: F821 (prepended by the build)\n";
        Assert.EndsWith(call, text); // the module's one statement with an effect, left out to import its functions
        return text[..^call.Length];
    }

    [Fact]
    public void Boot_windowed_wrapper_logs_uncaught_exceptions_and_a_missing_stderr()
    {
        using var t = new TempDir("winboot");
        t.Write("boot_functions.py", BootSource());
        t.Write("log/old.txt", "");
        File.WriteAllText(t["log/app-error.log"], "an earlier run's error\n");
        var script = t.Write("check.py", """
            import sys, warnings
            sys.path.insert(0, sys.argv[1])
            import boot_functions as boot
            log = sys.argv[2]
            sys.stderr = None  # a GUI-subsystem process: no console

            def fine():
                print("ran")
            boot._windowed_errors(fine, log + ".unused")
            import os
            print("unused log created:", os.path.exists(log + ".unused"))

            def exits():
                sys.exit(3)
            sys.stderr = None
            try:
                boot._windowed_errors(exits, log)
            except SystemExit as e:
                print("exit passes through:", e.code)

            def inner():
                warnings.warn("careful")
                return 1 / 0
            def app():
                inner()
            sys.stderr = None
            try:
                boot._windowed_errors(app, log)
            except SystemExit as e:
                print("exit code:", e.code)
            print("stderr is the log:", type(sys.stderr).__name__)
            """);
        var run = Proc.Exec(Pythons.Debian, ["-I", "-S", script, t.Path, t["log/app-error.log"]]);
        Assert.True(run.ExitCode == 0, run.ToString());
        Assert.Contains("ran", run.StdOut);
        Assert.Contains("unused log created: False", run.StdOut); // nothing written, no file
        Assert.Contains("exit passes through: 3", run.StdOut);
        Assert.Contains("exit code: 1", run.StdOut);
        Assert.Contains("stderr is the log: _ErrorLog", run.StdOut);
        Assert.Equal("", run.StdErr);
        var log = File.ReadAllText(t["log/app-error.log"]);
        Assert.StartsWith("an earlier run's error\n--- ", log); // appended, with a dated header
        Assert.Contains("UserWarning: careful", log); // warnings go to the missing stderr: the log
        Assert.Contains("Traceback (most recent call last):", log);
        Assert.Contains("in app\n", log);
        Assert.Contains("in inner\n", log);
        Assert.Contains("ZeroDivisionError: division by zero", log);
        Assert.Equal(1, log.Split("ZeroDivisionError").Length - 1); // once: the excepthook is not also fed the log
    }

    [Fact]
    public void Frozen_app_with_the_error_log_variable_logs_its_traceback_with_app_frames_only()
    {
        using var t = new TempDir("winbootapp");
        var entry = t.Write("gui/gui.py", """
            import os, sys, warnings
            print("variable visible:", "_PYFREEZE_ERROR_LOG" in os.environ, flush=True)
            print("stderr:", type(sys.stderr).__name__, flush=True)
            def main():
                warnings.warn("careful")
                raise RuntimeError("boom")
            main()
            """);
        var result = new BuildPipeline(new BuildSettings
        {
            Entry = entry, Python = Pythons.Debian, DistPath = t["dist"], WorkPath = t["build"], Windowed = true,
            Log = new Log(LogLevel.Warn, TextWriter.Null),
        }).Run();
        var log = t["logs/gui-error.log"];
        var env = new Dictionary<string, string?> { ["PYFREEZE_CACHE_DIR"] = t["cache"], ["_PYFREEZE_ERROR_LOG"] = log };

        // stderr closed: CPython sets sys.stderr to None, as for a GUI-subsystem process on Windows.
        var closed = Proc.Exec("/bin/sh", ["-c", "exec \"$0\" 2>&-", result.Executable], env: env);
        Assert.True(closed.ExitCode == 1, closed.ToString());
        Assert.Contains("variable visible: False", closed.StdOut); // removed from os.environ, as _PYFREEZE_EXECUTABLE is
        Assert.Contains("stderr: _ErrorLog", closed.StdOut); // CPython found no fd 2 and set None; the boot module the log
        var text = File.ReadAllText(log);
        Assert.Contains("UserWarning: careful", text);
        Assert.Contains("RuntimeError: boom", text);
        Assert.Contains("in main\n", text);
        Assert.DoesNotContain("pyfreeze-boot", text); // the boot module's frames are not the app's
        Assert.DoesNotContain("runpy", text);

        // With a stderr (a windowed app started with 2> file), the traceback is logged and printed as usual.
        File.Delete(log);
        var open = Proc.Exec(result.Executable, [], env: env);
        Assert.Equal(1, open.ExitCode);
        Assert.Contains("RuntimeError: boom", open.StdErr);
        Assert.Contains("RuntimeError: boom", File.ReadAllText(log));
        Assert.DoesNotContain("pyfreeze-boot", open.StdErr);

        // Without the variable (a console app, or any app off Windows), nothing changes: no log.
        File.Delete(log);
        var plain = Proc.Exec(result.Executable, [], env: new Dictionary<string, string?> { ["PYFREEZE_CACHE_DIR"] = t["cache"] });
        Assert.Equal(1, plain.ExitCode);
        Assert.Contains("RuntimeError: boom", plain.StdErr);
        Assert.False(File.Exists(log));
    }
}
