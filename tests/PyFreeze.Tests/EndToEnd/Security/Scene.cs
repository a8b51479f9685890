using PyFreeze.Tests.Infrastructure;

namespace PyFreeze.Tests.EndToEnd.Security;

/// <summary>A local account the security tests run frozen apps as (made once with useradd, no home, no login).</summary>
/// <param name="Name">The user name.</param>
/// <param name="Uid">Its user id.</param>
/// <param name="Gid">Its primary group id.</param>
public sealed record Account(string Name, int Uid, int Gid)
{
    /// <summary>root.</summary>
    public static readonly Account Root = new("root", 0, 0);

    /// <summary>The two unprivileged users: the attacker and the victim.</summary>
    public static Account Alice => Lazy.Value.Alice;

    /// <inheritdoc cref="Alice"/>
    public static Account Bob => Lazy.Value.Bob;

    private static readonly Lazy<(Account Alice, Account Bob)> Lazy = new(() => (Ensure("pfz-alice"), Ensure("pfz-bob")));

    /// <summary>Why these tests cannot run here, or null: they need root (to make users and run as them).</summary>
    public static string? Unavailable => Environment.UserName != "root" && Proc.Exec("id", ["-u"]).StdOut.Trim() != "0"
        ? "the security tests need root: they make two users with useradd and run apps as them with setpriv" : null;

    private static Account Ensure(string name)
    {
        if (Proc.Exec("id", ["-u", name]).ExitCode != 0)
        {
            var add = Proc.Exec("useradd", ["--no-create-home", "--shell", "/usr/sbin/nologin", "--user-group", name]);
            if (add.ExitCode != 0 && Proc.Exec("id", ["-u", name]).ExitCode != 0) // another test process may have made it meanwhile
                throw new InvalidOperationException($"useradd {name} failed: {add}");
        }
        return new Account(name, int.Parse(Proc.Exec("id", ["-u", name]).StdOut.Trim()), int.Parse(Proc.Exec("id", ["-g", name]).StdOut.Trim()));
    }
}

/// <summary>
/// One test's little machine: a shared temporary folder (<c>tmp/</c>, 1777 like /tmp, every app's TMPDIR), a folder
/// where planted code would leave its mark (<c>marks/</c>, 1777), and a home folder per account (0700, its own).
/// Apps run with a clean environment: PATH, HOME, TMPDIR and what the test adds.
/// </summary>
public sealed class Scene : IDisposable
{
    private readonly TempDir _dir = new("sec");

    /// <summary>Makes the folders.</summary>
    public Scene()
    {
        Chmod(_dir.Path, "0755");
        Tmp = MakeDir("tmp", "1777");
        Marks = MakeDir("marks", "1777");
    }

    /// <summary>The shared temporary folder.</summary>
    public string Tmp { get; }

    /// <summary>Where planted code writes <c>planted-UID</c>.</summary>
    public string Marks { get; }

    /// <summary>A path in the scene.</summary>
    public string this[string relative] => _dir[relative];

    /// <summary>The home folder of <paramref name="who"/> (made on first use, 0700, owned by them).</summary>
    public string Home(Account who)
    {
        var home = _dir[$"home-{who.Name}"];
        if (!Directory.Exists(home))
            MakeDir($"home-{who.Name}", "0700", who);
        return home;
    }

    /// <summary>Makes a folder with a mode and an owner.</summary>
    public string MakeDir(string relative, string mode, Account? owner = null)
    {
        var path = _dir[relative];
        Directory.CreateDirectory(path);
        Chmod(path, mode);
        if (owner is not null)
            Chown(path, owner);
        return path;
    }

    /// <summary>True when planted code ran (as anyone).</summary>
    public bool PlantedCodeRan => Directory.EnumerateFileSystemEntries(Marks).Any();

    /// <summary>
    /// Plants, as <paramref name="attacker"/> would, a copy of <paramref name="app"/>'s cache folder at
    /// <paramref name="copy"/> (…/run/NAME-HASH): the real completion marker (the hash is readable in the binary), a
    /// manifest that matches the plant, and an "interpreter" that writes a mark and says PLANTED. Everything from
    /// <paramref name="top"/> down becomes the attacker's.
    /// </summary>
    public void Plant(string copy, Apps.Built app, Account attacker, string top)
    {
        var bin = Path.Combine(copy, "python", "bin");
        Directory.CreateDirectory(bin);
        var interpreter = Path.Combine(bin, Path.GetFileName(app.Executable));
        File.WriteAllText(interpreter, $"#!/bin/sh\necho PLANTED\ntouch {Marks}/planted-$(id -u)\n");
        Chmod(interpreter, "0755");
        File.WriteAllText(Path.Combine(copy, ".pyfreeze-complete"), app.Result.Payload!.Sha256);
        File.WriteAllText(Path.Combine(copy, ".pyfreeze-manifest"),
            $"pyfreeze-manifest 1\nd python\nd python/bin\nf {new FileInfo(interpreter).Length} python/bin/{Path.GetFileName(app.Executable)}\nend 3\n");
        Chown(top, attacker);
    }

    /// <summary>Makes every folder above <paramref name="exe"/> enterable and the file readable by everyone, so the
    /// test users can run it.</summary>
    public static void Shareable(string exe)
    {
        Chmod(exe, "0755");
        for (var d = Path.GetDirectoryName(exe); d is not null && d != "/" && d != "/tmp"; d = Path.GetDirectoryName(d))
            Proc.Exec("chmod", ["o+rx", d]);
    }

    /// <summary>Runs <paramref name="exe"/> as <paramref name="who"/> with HOME (their home unless given), TMPDIR and
    /// <paramref name="env"/>; through setpriv for an unprivileged user.</summary>
    public Run RunAs(Account who, string exe, IEnumerable<string> args, IDictionary<string, string>? env = null, string? stdin = null)
    {
        var vars = new Dictionary<string, string> { ["PATH"] = "/usr/bin:/bin", ["HOME"] = Home(who), ["TMPDIR"] = Tmp };
        foreach (var (k, v) in env ?? new Dictionary<string, string>())
            vars[k] = v;
        var command = new List<string>();
        if (who.Uid != 0)
            command.AddRange(["setpriv", $"--reuid={who.Uid}", $"--regid={who.Gid}", "--clear-groups", "--"]);
        command.AddRange(["env", "-i", .. vars.Select(kv => $"{kv.Key}={kv.Value}"), exe, .. args]);
        return Proc.Exec(command[0], command.Skip(1), cwd: Tmp, stdin: stdin, timeoutSeconds: 120);
    }

    /// <summary>Runs a shell command as <paramref name="who"/> (the attacker's moves).</summary>
    public Run Shell(Account who, string script) => RunAs(who, "/bin/sh", ["-c", script]);

    /// <summary>The folders under <paramref name="dir"/> (names only), or none.</summary>
    public static string[] Entries(string dir) => Directory.Exists(dir) ? Directory.GetFileSystemEntries(dir).Select(p => Path.GetFileName(p)).Order().ToArray() : [];

    /// <summary>chmod.</summary>
    public static void Chmod(string path, string mode) => Check(Proc.Exec("chmod", [mode, path]));

    /// <summary>chown -R.</summary>
    public static void Chown(string path, Account who) => Check(Proc.Exec("chown", ["-R", $"{who.Uid}:{who.Gid}", path]));

    private static void Check(Run r)
    {
        if (r.ExitCode != 0)
            throw new InvalidOperationException(r.ToString());
    }

    /// <inheritdoc />
    public void Dispose() => _dir.Dispose();
}
