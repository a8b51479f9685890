using System.Diagnostics;
using PyFreeze.Tests.Infrastructure;

namespace PyFreeze.Tests.EndToEnd.Security;

/// <summary>
/// Old versions of an app in the cache (removed by the newer one, never while they run, kept with
/// PYFREEZE_KEEP_OLD=1), and the builder's inputs: FIFOs, names, symlinks in data folders, an output that would
/// replace an input, a full disk. Each bad input is one line and a non-zero exit, never an internal error.
/// </summary>
public class VersionsAndBuilderTests
{
    private static readonly string Tool = Path.Combine(AppContext.BaseDirectory, "pyfreeze.dll");

    /// <summary>Runs pyfreeze; a build without --log-level logs errors only, so stderr is what the user must read.</summary>
    private static Run Pyfreeze(string cwd, params string[] args) =>
        Proc.Exec("dotnet", [Tool, .. args, .. args[0] == "build" && !args.Contains("--log-level") ? new[] { "--log-level", "ERROR" } : []], cwd: cwd, timeoutSeconds: 300);

    private static void AssertOneLineError(Run run, string expected)
    {
        Assert.True(run.ExitCode is 1 or 2, run.ToString());
        var lines = run.StdErr.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.True(lines.Length == 1, run.ToString());
        Assert.Equal("pyfreeze: error: " + expected, lines[0]);
    }

    [SecurityFact]
    public void A_newer_version_removes_older_ones_when_they_do_not_run()
    {
        using var t = new TempDir("versions");
        var builds = new List<string>();
        foreach (var v in new[] { "1", "2" })
        {
            var entry = t.Write($"src{v}/ver.py", $"import sys\nprint('version {v}', flush=True)\nif sys.argv[1:] == ['wait']:\n    sys.stdin.readline()\n");
            builds.Add(Freezer.Build(entry, Pythons.Debian, t[$"dist{v}"]).Executable);
        }
        using var scene = new Scene();
        var exe = scene["ver"];
        var cache = new Dictionary<string, string> { ["PYFREEZE_CACHE_DIR"] = scene["cache"] };
        void Install(int v)
        {
            File.Copy(builds[v - 1], exe + ".new", true); // as an upgrade does: a new file renamed over the old one
            File.Move(exe + ".new", exe, true);
            Scene.Chmod(exe, "0755");
        }
        string[] Copies() => Scene.Entries(scene["cache/run"]);
        void Run(int v, IDictionary<string, string>? env = null)
        {
            var run = scene.RunAs(Account.Root, exe, [], env ?? cache);
            Assert.True(run.ExitCode == 0 && run.StdOut.Trim() == $"version {v}" && run.StdErr == "", run.ToString());
        }

        Install(1);
        Run(1);
        var v1 = Assert.Single(Copies());
        Install(2);
        Run(2);
        var v2 = Assert.Single(Copies()); // v1's copy went when v2 started
        Assert.NotEqual(v1, v2);

        Install(1);
        Run(1, new Dictionary<string, string>(cache) { ["PYFREEZE_KEEP_OLD"] = "1" });
        Assert.Equal(new[] { v1, v2 }.Order(), Copies());

        // v1 running (it holds its copy's lock through exec): v2 leaves it; once v1 ends, v2 removes it
        var psi = new ProcessStartInfo(exe, "wait") { UseShellExecute = false, RedirectStandardInput = true, RedirectStandardOutput = true };
        psi.Environment["PYFREEZE_CACHE_DIR"] = scene["cache"];
        psi.Environment["TMPDIR"] = scene.Tmp;
        using var running = Process.Start(psi)!;
        Assert.Equal("version 1", running.StandardOutput.ReadLine());
        Install(2);
        Run(2);
        Assert.Equal(new[] { v1, v2 }.Order(), Copies());
        running.StandardInput.WriteLine();
        Assert.True(running.WaitForExit(30000));
        Run(2);
        Assert.Equal([v2], Copies());

        // another app of the same name elsewhere is not an old version: its copy stays
        var other = scene["elsewhere/ver"];
        Directory.CreateDirectory(Path.GetDirectoryName(other)!);
        File.Copy(builds[0], other);
        Scene.Chmod(other, "0755");
        Assert.Equal(0, scene.RunAs(Account.Root, other, [], cache).ExitCode);
        Run(2);
        Assert.Equal(new[] { v1, v2 }.Order(), Copies());
    }

    [SecurityFact]
    public void Bad_data_folder_inputs_are_one_line_or_skipped()
    {
        using var t = new TempDir("inputs");
        t.Write("app.py", "import os, sys\nd = os.path.join(sys._MEIPASS, 'd')\nprint(sorted(os.listdir(d)))\n");
        var fifo = t.Write("fifo/a.txt", "a");
        Assert.Equal(0, Proc.Exec("mkfifo", [t["fifo/pipe"]]).ExitCode);
        Assert.Equal(0, Proc.Exec("python3", ["-c", "import socket,sys; socket.socket(socket.AF_UNIX).bind(sys.argv[1])", t["fifo/sock"]]).ExitCode);
        var build = Pyfreeze(t.Path, "build", "app.py", "--python", Pythons.Debian, "--add-data", "fifo:d", "--log-level", "WARN");
        Assert.True(build.ExitCode == 0, build.ToString());
        Assert.Contains($"warning: {t["fifo/pipe"]}: not a regular file (a FIFO, socket or device); skipped", build.StdErr);
        Assert.Contains($"warning: {t["fifo/sock"]}: not a regular file (a FIFO, socket or device); skipped", build.StdErr);
        var run = Proc.Exec(t["dist/app"], [], env: new Dictionary<string, string?> { ["PYFREEZE_CACHE_DIR"] = t["cache"] });
        Assert.Equal("['a.txt']", run.StdOut.Trim());
        _ = fifo;

        t.Write("back/a\\b.txt", "x");
        AssertOneLineError(Pyfreeze(t.Path, "build", "app.py", "--python", Pythons.Debian, "--add-data", "back:d", "-n", "b1"),
            $"--add-data {t["back/a\\b.txt"]}: a name with a backslash or a control character cannot go into the app; rename it");

        Directory.CreateDirectory(t["loop"]);
        File.CreateSymbolicLink(t["loop/one"], "two");
        File.CreateSymbolicLink(t["loop/two"], "one");
        AssertOneLineError(Pyfreeze(t.Path, "build", "app.py", "--python", Pythons.Debian, "--add-data", "loop:d", "-n", "b2"),
            $"--add-data {t["loop/one"]}: a symlink loop; remove it or put the file there");

        Directory.CreateDirectory(t["up"]);
        File.CreateSymbolicLink(t["up/self"], ".");
        AssertOneLineError(Pyfreeze(t.Path, "build", "app.py", "--python", Pythons.Debian, "--add-data", "up:d", "-n", "b3"),
            $"--add-data {t["up/self"]}: a symlink loop (it points to {t["up"]}, a folder that holds it); remove it");

        Directory.CreateDirectory(t["etc"]);
        File.CreateSymbolicLink(t["etc/etc"], "/etc");
        AssertOneLineError(Pyfreeze(t.Path, "build", "app.py", "--python", Pythons.Debian, "--add-data", "etc:d", "-n", "b4"),
            $"--add-data {t["etc/etc"]}: a symlink to /etc, outside {t["etc"]}; copy the file into the folder or add it with its own --add-data");
        Assert.False(File.Exists(t["dist/b4"]));

        Directory.CreateDirectory(t["inside"]);
        t.Write("inside/real.txt", "real");
        File.CreateSymbolicLink(t["inside/link.txt"], "real.txt");
        var ok = Pyfreeze(t.Path, "build", "app.py", "--python", Pythons.Debian, "--add-data", "inside:d", "-n", "b5");
        Assert.True(ok.ExitCode == 0, ok.ToString());
        Assert.Equal("['link.txt', 'real.txt']", Proc.Exec(t["dist/b5"], [], env: new Dictionary<string, string?> { ["PYFREEZE_CACHE_DIR"] = t["cache"] }).StdOut.Trim());
    }

    [SecurityFact]
    public void A_sibling_with_a_nul_byte_and_an_output_that_is_an_input()
    {
        using var t = new TempDir("inputs");
        var source = "import sibling\nprint('hi')\n";
        t.Write("app.py", source);
        File.WriteAllBytes(t["sibling.py"], "s = 'a\0b'\n"u8.ToArray());
        // python3 app.py: SyntaxError in sibling (source code cannot contain null bytes); the build warns and goes on
        var build = Pyfreeze(t.Path, "build", "app.py", "--python", Pythons.Debian, "--log-level", "WARN");
        Assert.True(build.ExitCode == 0, build.ToString());
        Assert.Contains($"warning: {t["sibling.py"]}: ", build.StdErr);
        Assert.DoesNotContain("internal error", build.StdErr);

        AssertOneLineError(Pyfreeze(t.Path, "build", "app.py", "-n", "app.py", "--distpath", "."),
            $"{t["app.py"]}: the output would replace {t["app.py"]}, an input of this build; choose another --name or --distpath");
        Assert.Equal(source, File.ReadAllText(t["app.py"]));
        AssertOneLineError(Pyfreeze(t.Path, "build", "app.py", "-n", "sibling.py", "--distpath", "."),
            $"{t["sibling.py"]}: the output would replace {t["sibling.py"]}, an input of this build; choose another --name or --distpath");
        AssertOneLineError(Pyfreeze(t.Path, "build", "app.py", "--onedir", "-n", Path.GetFileName(t.Path), "--distpath", ".."),
            $"{t.Path}: the output would replace {t["app.py"]}, an input of this build; choose another --name or --distpath");
        Assert.Equal(source, File.ReadAllText(t["app.py"]));
    }

    [SecurityFact]
    public void A_full_disk_during_the_build_leaves_nothing_in_dist()
    {
        using var t = new TempDir("fulldisk");
        t.Write("app.py", "print('hi')\n");
        var script = $"dotnet {Tool} build app.py --python {Pythons.Debian} --distpath /mnt/full/dist --workpath {t["build"]} --log-level ERROR; echo \"rc=$?\"; ls -A /mnt/full/dist";
        var run = Proc.Exec("bwrap", ["--dev-bind", "/", "/", "--size", "4000000", "--tmpfs", "/mnt/full", "--chdir", t.Path, "--", "/bin/bash", "-c", script],
            timeoutSeconds: 300);
        Assert.Contains("rc=1", run.StdOut);
        Assert.Equal("rc=1", run.StdOut.Trim()); // and nothing listed in dist/
        var lines = run.StdErr.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.True(lines.Length == 1 && lines[0].StartsWith("pyfreeze: error: ", StringComparison.Ordinal), run.ToString());
        Assert.Equal("pyfreeze: error: /mnt/full/dist/app: cannot write the executable (no space left on device); free some space or choose another --distpath", lines[0]);
    }
}
