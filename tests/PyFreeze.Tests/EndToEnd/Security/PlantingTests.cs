using PyFreeze.Tests.Infrastructure;

namespace PyFreeze.Tests.EndToEnd.Security;

/// <summary>Skipped, with the reason, where the security tests cannot make and use accounts (not root).</summary>
internal sealed class SecurityFactAttribute : FactAttribute
{
    public SecurityFactAttribute()
    {
        if (Account.Unavailable is { } why)
            Skip = why;
    }
}

/// <summary>
/// Another local user tries to make a frozen app run their code: by planting a finished-looking copy where the app
/// looks (the /tmp fallback, a shared cache root, the victim's HOME as root sees it), by a symlink, by renaming the
/// victim's copy aside, by holding the fallback's predictable name. Each time the victim's run must print the app's
/// own output (hello exits 3 after printing its argv), the planted code must leave no mark, and what the victim is
/// told is at most one line.
/// </summary>
public class PlantingTests
{
    private static Apps.Built Hello()
    {
        var app = Apps.Get("hello", "hello.py", Pythons.Debian);
        Scene.Shareable(app.Executable);
        return app;
    }

    private static string CopyName(Apps.Built app) => $"hello-{app.Result.Payload!.Sha256[..16]}";

    /// <summary>The app's own output, with at most the one note line <paramref name="note"/> on stderr.</summary>
    private static void AssertAppRan(Scene scene, Run run, string arg, string? note = null)
    {
        Assert.True(run.ExitCode == 3, run.ToString());
        Assert.Contains($"argv: ['{arg}']", run.StdOut);
        Assert.Contains("frozen: True", run.StdOut);
        Assert.DoesNotContain("PLANTED", run.StdOut);
        Assert.False(scene.PlantedCodeRan, "the planted code ran");
        var lines = run.StdErr.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        if (note is null)
        {
            Assert.True(lines.Length == 0, run.ToString());
            return;
        }
        Assert.True(lines.Length == 1, run.ToString());
        Assert.True(lines[0].StartsWith("hello: note: the cache is not usable (", StringComparison.Ordinal) && lines[0].Contains(note), run.ToString());
    }

    [SecurityFact]
    public void A_copy_planted_in_the_tmp_fallback_never_runs_for_root_or_a_user()
    {
        // The reported attack: the fallback's copy was trusted before the primary cache was even tried.
        var app = Hello();
        foreach (var victim in new[] { Account.Root, Account.Bob })
        {
            using var scene = new Scene();
            var fallback = scene[$"tmp/pyfreeze-{victim.Uid}"];
            scene.Plant(Path.Combine(fallback, "run", CopyName(app)), app, Account.Alice, fallback);
            Scene.Chmod(fallback, "0700");
            // a normal HOME: the primary cache is used, the fallback not even looked at
            AssertAppRan(scene, scene.RunAs(victim, app.Executable, ["x"]), "x");
            Assert.True(Directory.Exists(Path.Combine(scene.Home(victim), ".cache", "pyfreeze", "run", CopyName(app))));
            // no usable primary cache: the fallback's name is someone else's, so a fresh private folder is made, once
            var noCache = new Dictionary<string, string> { ["PYFREEZE_CACHE_DIR"] = "/proc/pyfreeze-cannot-be-made" };
            AssertAppRan(scene, scene.RunAs(victim, app.Executable, ["y"], noCache), "y", $"{fallback} belongs to uid {Account.Alice.Uid}");
            AssertAppRan(scene, scene.RunAs(victim, app.Executable, ["z"], noCache), "z");
            var fresh = Scene.Entries(scene.Tmp).Where(n => n.StartsWith($"pyfreeze-{victim.Uid}-", StringComparison.Ordinal)).ToList();
            Assert.Single(fresh);
        }
    }

    [SecurityFact]
    public void A_precreated_fallback_name_does_not_block_the_app()
    {
        // Holding /tmp/pyfreeze-UID (empty, or a file) must neither stop the victim (a denial of service) nor be used.
        var app = Hello();
        foreach (var squat in new[] { "dir", "file" })
        {
            using var scene = new Scene();
            var name = scene[$"tmp/pyfreeze-{Account.Bob.Uid}"];
            if (squat == "dir")
                scene.MakeDir($"tmp/pyfreeze-{Account.Bob.Uid}", "0777", Account.Alice);
            else
                File.WriteAllText(name, "");
            var noCache = new Dictionary<string, string> { ["PYFREEZE_CACHE_DIR"] = "/proc/pyfreeze-cannot-be-made" };
            var first = scene.RunAs(Account.Bob, app.Executable, ["x"], noCache);
            AssertAppRan(scene, first, "x", $"{name}");
            AssertAppRan(scene, scene.RunAs(Account.Bob, app.Executable, ["x2"], noCache), "x2");
            Assert.Single(Scene.Entries(scene.Tmp), n => n.StartsWith($"pyfreeze-{Account.Bob.Uid}-", StringComparison.Ordinal));
        }
    }

    [SecurityFact]
    public void A_shared_cache_root_is_not_used_even_when_set()
    {
        // PYFREEZE_CACHE_DIR pointing at a folder others can write (1777, like /tmp) or another user's: a copy planted
        // there, a symlink to the attacker's folder, or a run/ of the attacker's must never run.
        var app = Hello();
        foreach (var how in new[] { "1777", "alice-owned", "symlinked-copy" })
        {
            using var scene = new Scene();
            var shared = how == "alice-owned" ? scene.MakeDir("shared", "0755", Account.Alice) : scene.MakeDir("shared", "1777");
            var copy = Path.Combine(shared, "run", CopyName(app));
            if (how == "symlinked-copy")
            {
                var evil = scene.MakeDir("evil", "0755");
                scene.Plant(Path.Combine(evil, "copy"), app, Account.Alice, evil);
                scene.MakeDir("shared/run", "0755", Account.Alice);
                File.CreateSymbolicLink(copy, Path.Combine(evil, "copy"));
            }
            else
            {
                scene.Plant(copy, app, Account.Alice, Path.Combine(shared, "run"));
            }
            var env = new Dictionary<string, string> { ["PYFREEZE_CACHE_DIR"] = shared };
            var alices = $"{shared} belongs to uid {Account.Alice.Uid}";
            AssertAppRan(scene, scene.RunAs(Account.Bob, app.Executable, ["x"], env), "x", how == "alice-owned" ? alices : $"{shared} belongs to uid 0");
            AssertAppRan(scene, scene.RunAs(Account.Root, app.Executable, ["r"], env), "r", how == "alice-owned" ? alices : $"{shared} is writable by others (mode 1777)");
            Assert.True(Directory.Exists(scene[$"tmp/pyfreeze-{Account.Bob.Uid}/run/{CopyName(app)}"]), "unpacked into the private fallback");
        }
    }

    [SecurityFact]
    public void Symlinks_in_the_users_own_cache_are_not_followed()
    {
        // run/NAME-HASH or run/ itself a symlink to someone else's folder (however it got there): never followed. The
        // symlinked copy is replaced by a real unpack; a symlinked run/ makes the cache unusable (fallback, one note).
        var app = Hello();
        using var scene = new Scene();
        var evil = scene.MakeDir("evil", "0755");
        scene.Plant(Path.Combine(evil, "copy"), app, Account.Alice, evil);
        var cache = scene.MakeDir("bobcache", "0700", Account.Bob);
        scene.MakeDir("bobcache/run", "0700", Account.Bob);
        var link = Path.Combine(cache, "run", CopyName(app));
        File.CreateSymbolicLink(link, Path.Combine(evil, "copy"));
        Proc.Exec("chown", ["-h", $"{Account.Bob.Uid}:{Account.Bob.Gid}", link]);
        var env = new Dictionary<string, string> { ["PYFREEZE_CACHE_DIR"] = cache };
        AssertAppRan(scene, scene.RunAs(Account.Bob, app.Executable, ["x"], env), "x");
        Assert.Null(new DirectoryInfo(link).LinkTarget); // now a real folder: the unpack
        Assert.True(File.Exists(Path.Combine(link, ".pyfreeze-manifest")));

        Directory.Delete(Path.Combine(cache, "run"), true);
        File.CreateSymbolicLink(Path.Combine(cache, "run"), evil);
        Proc.Exec("chown", ["-h", $"{Account.Bob.Uid}:{Account.Bob.Gid}", Path.Combine(cache, "run")]);
        AssertAppRan(scene, scene.RunAs(Account.Bob, app.Executable, ["y"], env), "y", $"{cache}/run is a symlink or not a folder");
    }

    [SecurityFact]
    public void Renaming_the_victims_copy_aside_and_planting_another_is_not_possible()
    {
        // The victim's cache root inside a shared sticky folder is fine (no one else can rename it); in a shared folder
        // without the sticky bit it is not used, because anyone could swap it.
        var app = Hello();
        using var scene = new Scene();
        scene.MakeDir("sticky", "1777");
        var root = scene.MakeDir("sticky/bob", "0700", Account.Bob);
        var env = new Dictionary<string, string> { ["PYFREEZE_CACHE_DIR"] = root };
        AssertAppRan(scene, scene.RunAs(Account.Bob, app.Executable, ["x"], env), "x");
        var rename = scene.Shell(Account.Alice, $"mv {root} {scene["sticky/aside"]} && mkdir -p {root}/run");
        Assert.NotEqual(0, rename.ExitCode); // the sticky bit: only bob may rename his folder
        AssertAppRan(scene, scene.RunAs(Account.Bob, app.Executable, ["y"], env), "y");

        var open = scene.MakeDir("open", "0777");
        var openRoot = scene.MakeDir("open/bob", "0700", Account.Bob);
        var swapped = scene.Shell(Account.Alice, $"mv {openRoot} {scene["open/aside"]}");
        Assert.Equal(0, swapped.ExitCode); // without it, alice can: so bob's run must not trust it
        scene.Plant(Path.Combine(openRoot, "run", CopyName(app)), app, Account.Bob, openRoot); // what alice puts there, made to look like bob's
        AssertAppRan(scene, scene.RunAs(Account.Bob, app.Executable, ["z"], new Dictionary<string, string> { ["PYFREEZE_CACHE_DIR"] = openRoot }),
            "z", $"{open} is writable by others (mode 0777) and not a sticky system folder");
    }

    [SecurityFact]
    public void Root_with_another_users_HOME_does_not_run_their_code()
    {
        var app = Hello();
        using var scene = new Scene();
        var home = scene.Home(Account.Alice);
        var cache = Path.Combine(home, ".cache");
        scene.Plant(Path.Combine(cache, "pyfreeze", "run", CopyName(app)), app, Account.Alice, cache);
        var run = scene.RunAs(Account.Root, app.Executable, ["x"], new Dictionary<string, string> { ["HOME"] = home });
        AssertAppRan(scene, run, "x", $"{home} belongs to uid {Account.Alice.Uid}");
        // and root wrote nothing into alice's home
        var rootOwned = Proc.Exec("find", [home, "-uid", "0"]);
        Assert.Equal("", rootOwned.StdOut.Trim());
    }
}
