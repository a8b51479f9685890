using System.Diagnostics;
using PyFreeze.Tests.Infrastructure;

namespace PyFreeze.Tests.EndToEnd.Security;

/// <summary>
/// What a frozen app does with command lines meant for multiprocessing's helpers, with a damaged unpacked copy, and
/// what it leaves behind: an argv (or argv and stdin) alone never runs code; damage is repaired with one line;
/// nothing stays in the temporary folder or the cache after runs and kills.
/// </summary>
public class RuntimeAttackTests
{
    private static Apps.Built Hello()
    {
        var app = Apps.Get("hello", "hello.py", Pythons.Debian);
        Scene.Shareable(app.Executable);
        return app;
    }

    private static Dictionary<string, string> Cache(Scene scene) => new() { ["PYFREEZE_CACHE_DIR"] = scene["cache"] };

    private static string CopyDir(Scene scene, Apps.Built app) => scene[$"cache/run/hello-{app.Result.Payload!.Sha256[..16]}"];

    private static void AssertHelloRan(Scene scene, Run run, string argvRepr)
    {
        Assert.True(run.ExitCode == 3, run.ToString());
        Assert.Contains($"argv: {argvRepr}", run.StdOut);
        Assert.False(scene.PlantedCodeRan, "the attacker's code ran");
    }

    [SecurityFact]
    public void Multiprocessing_command_lines_from_argv_alone_are_the_apps_own_arguments()
    {
        // The two reported exploits: a forkserver -c line whose main_path runs any file, and a spawn line whose
        // "pipe" is stdin, carrying a pickle that runs a command. Without this app's own multiprocessing parent they
        // are plain arguments, as `python3 hello.py ARGS` would see them.
        var app = Hello();
        using var scene = new Scene();
        var evil = scene["evil.py"];
        File.WriteAllText(evil, $"open('{scene.Marks}/planted-forkserver', 'w').close()\n");
        Scene.Chmod(evil, "0644");
        var forkserver = $"from multiprocessing.forkserver import main; main(0, 0, ['__main__'], **{{'main_path': '{evil}'}})";
        AssertHelloRan(scene, scene.RunAs(Account.Root, app.Executable, ["-c", forkserver], Cache(scene)), $"['-c', \"{forkserver}\"]");
        var issueForm = $"from multiprocessing.forkserver import main; main(0,0,['__main__'],main_path='{evil}')";
        AssertHelloRan(scene, scene.RunAs(Account.Root, app.Executable, ["-c", issueForm], Cache(scene)), $"['-c', \"{issueForm}\"]");
        var tracker = "from multiprocessing.resource_tracker import main;main(0)";
        AssertHelloRan(scene, scene.RunAs(Account.Bob, app.Executable, ["-c", tracker], Cache(scene)), $"['-c', '{tracker}']");
        // pickle protocol 0 of os.system("touch MARK"): what spawn_main would unpickle from the pipe (here stdin)
        var pickle = $"cos\nsystem\n(S'touch {scene.Marks}/planted-spawn'\ntR.";
        foreach (var who in new[] { Account.Root, Account.Bob })
            AssertHelloRan(scene, scene.RunAs(who, app.Executable, ["--multiprocessing-fork", "pipe_handle=0"], Cache(scene), stdin: pickle),
                "['--multiprocessing-fork', 'pipe_handle=0']");
    }

    [SecurityFact]
    public void Even_from_a_parent_that_names_itself_only_the_exact_helper_forms_run()
    {
        // A parent that sets the variable itself (it controls the environment, so it could run anything anyway) still
        // gets no -c beyond the stdlib's two forms, and no main_path outside the app: one line and exit 2.
        var app = Hello();
        using var scene = new Scene();
        var evil = scene["evil.py"];
        File.WriteAllText(evil, $"open('{scene.Marks}/planted', 'w').close()\n");
        foreach (var (code, reason) in new[]
        {
            ($"from multiprocessing.forkserver import main; main(0, 0, ['__main__'], **{{'main_path': '{evil}'}})", $"main_path '{evil}' is not a file of this app"),
            ($"import os; os.system('touch {scene.Marks}/planted')", "-c is accepted only for multiprocessing's resource tracker and forkserver"),
            ("from multiprocessing.forkserver import main; main(0, 0, [__import__('os').system('id')])", "not a call of main with literal arguments"),
        })
        {
            var script = "export _PYFREEZE_MP_PARENT=$$; \"$0\" -c \"$1\"; echo \"rc=$?\"";
            var run = scene.RunAs(Account.Root, "/bin/bash", ["-c", script, app.Executable, code], Cache(scene));
            Assert.Contains("rc=2", run.StdOut);
            var lines = run.StdErr.Split('\n', StringSplitOptions.RemoveEmptyEntries);
            Assert.True(lines.Length == 1, run.ToString());
            Assert.Equal($"hello: error: refused a multiprocessing command line from the parent process: {reason}", lines[0]);
            Assert.False(scene.PlantedCodeRan);
        }
    }

    [SecurityFact]
    public void A_damaged_copy_is_repaired_with_one_line()
    {
        // Deleted: a bundled .so, a stdlib .pyc, the entry's .pyc, the interpreter, the boot module; half-truncated: the
        // files the dynamic loader maps (a bundled .so: SIGBUS before; the interpreter), which the quick check sizes
        // (bootloader/FolderStamp.cs; a .pyc rewritten in place is the deep check's, below). Each time: the app's own
        // output, one line naming the damage, the copy whole again.
        var app = Hello();
        foreach (var rel in new[] { "python/lib/libz.so.1", "python/lib/python3.11/_strptime.pyc", "app/hello.pyc", "python/bin/hello", "python/boot.pyc" })
        foreach (var how in new[] { "delete", "truncate" })
        {
            if (how == "truncate" && rel.EndsWith(".pyc", StringComparison.Ordinal))
                continue;
            using var scene = new Scene();
            var copy = CopyDir(scene, app);
            AssertHelloRan(scene, scene.RunAs(Account.Root, app.Executable, ["first"], Cache(scene)), "['first']");
            var file = Path.Combine(copy, rel);
            var size = new FileInfo(file).Length;
            if (how == "delete")
                File.Delete(file);
            else
                using (var f = new FileStream(file, FileMode.Open))
                    f.SetLength(size / 2);
            var run = scene.RunAs(Account.Root, app.Executable, ["again"], Cache(scene));
            AssertHelloRan(scene, run, "['again']");
            var lines = run.StdErr.Split('\n', StringSplitOptions.RemoveEmptyEntries);
            Assert.True(lines.Length == 1, $"{how} {rel}: {run}");
            var problem = how == "delete" ? $"{rel}: no such file or directory" : $"{rel} has {size / 2} bytes, not {size}";
            Assert.Equal($"hello: note: the unpacked copy {copy} is damaged ({problem}); unpacking it again", lines[0]);
            Assert.Equal(size, new FileInfo(file).Length);
            var third = scene.RunAs(Account.Root, app.Executable, ["third"], Cache(scene));
            AssertHelloRan(scene, third, "['third']");
            Assert.Equal("", third.StdErr);
            Assert.Equal([$"hello-{app.Result.Payload!.Sha256[..16]}"], Scene.Entries(scene["cache/run"]));
        }
    }

    [SecurityFact]
    public void Same_size_damage_is_found_by_the_deep_check()
    {
        var app = Hello();
        using var scene = new Scene();
        AssertHelloRan(scene, scene.RunAs(Account.Root, app.Executable, ["first"], Cache(scene)), "['first']");
        var file = Path.Combine(CopyDir(scene, app), "python/lib/python3.11/_strptime.pyc");
        var bytes = File.ReadAllBytes(file);
        bytes[^1] ^= 0xff;
        File.WriteAllBytes(file, bytes);
        var quick = scene.RunAs(Account.Root, app.Executable, ["quick"], Cache(scene));
        Assert.Equal("", quick.StdErr); // the warm check looks at folders and the mapped files' sizes only
        var deep = scene.RunAs(Account.Root, app.Executable, ["deep"], new Dictionary<string, string>(Cache(scene)) { ["PYFREEZE_VERIFY"] = "1" });
        AssertHelloRan(scene, deep, "['deep']");
        Assert.Equal($"hello: note: the unpacked copy {CopyDir(scene, app)} is damaged (python/lib/python3.11/_strptime.pyc differs from the payload); unpacking it again",
            deep.StdErr.Trim());
        Assert.NotEqual(bytes, File.ReadAllBytes(file));
    }

    [SecurityFact]
    public void Ten_runs_leave_nothing_in_the_temporary_folder()
    {
        // .NET's debugger pipes and diagnostics socket (three files a start), and no fallback folder nobody needed.
        var app = Hello();
        using var scene = new Scene();
        for (int i = 0; i < 10; i++)
            AssertHelloRan(scene, i % 2 == 0 ? scene.RunAs(Account.Root, app.Executable, [$"r{i}"], Cache(scene))
                : scene.RunAs(Account.Alice, app.Executable, [$"r{i}"]), $"['r{i}']"); // alice: her own ~/.cache
        Assert.Empty(Scene.Entries(scene.Tmp));
        Assert.Single(Scene.Entries(Path.Combine(scene.Home(Account.Alice), ".cache", "pyfreeze", "run")));
        Assert.Single(Scene.Entries(scene["cache/run"]));
    }

    [SecurityFact]
    public void Ten_kills_during_the_first_run_leave_one_good_copy()
    {
        // kill -9 at ten moments of the unpack; the next start removes the temporary folders of the dead runs (their
        // lock is free and their process gone) and runs; the cache then holds the one copy.
        var app = Apps.Get("stdlib", "stdlib_app.py", Pythons.Debian); // a bigger payload: a longer unpack to hit
        Scene.Shareable(app.Executable);
        using var scene = new Scene();
        var cache = scene.MakeDir("cache", "0700");
        for (int i = 0; i < 10; i++)
        {
            var psi = new ProcessStartInfo(app.Executable) { UseShellExecute = false, RedirectStandardOutput = true, RedirectStandardError = true };
            psi.Environment["PYFREEZE_CACHE_DIR"] = cache;
            psi.Environment["TMPDIR"] = scene.Tmp;
            using var p = Process.Start(psi)!;
            Thread.Sleep(40 + 25 * i);
            p.Kill();
            p.WaitForExit();
            foreach (var done in Scene.Entries(Path.Combine(cache, "run")).Where(n => !n.StartsWith('.')))
                Directory.Delete(Path.Combine(cache, "run", done), true); // a kill that came after the rename: start over
        }
        var leftovers = Scene.Entries(Path.Combine(cache, "run")).Count(n => n.EndsWith(".tmp", StringComparison.Ordinal));
        var run = scene.RunAs(Account.Root, app.Executable, [], new Dictionary<string, string> { ["PYFREEZE_CACHE_DIR"] = cache });
        Assert.True(run.ExitCode == 0, run.ToString());
        Assert.Contains("\"sqlite\": 45", run.StdOut);
        var after = Scene.Entries(Path.Combine(cache, "run"));
        Assert.True(after.Length == 1 && !after[0].StartsWith('.'), $"{leftovers} temporary folders before, left: {string.Join(", ", after)}");
    }
}
