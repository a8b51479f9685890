using System.Collections.Concurrent;

namespace PyFreeze.Tests.Infrastructure;

/// <summary>
/// The Debian roots with newer CPythons (tests/roots: trixie = Python 3.13, sid = Python 3.14), for the root lane.
/// Tests marked <c>[Trait("Roots", "inside")]</c> are also run inside each root by .ci/run (there, <see cref="Pythons.Debian"/> is
/// that root's python3); tests marked <c>[Trait("Roots", "host")]</c> run on this machine and drive a root from outside
/// (a binary built inside trixie, run on this machine's older glibc). Filter them with <c>--filter "Roots!=host"</c>.
/// </summary>
public static class DebianRoots
{
    private static readonly ConcurrentDictionary<string, Lazy<string>> Made = new();

    /// <summary>The folder name of the root this test process runs inside (<c>trixie-…</c>), or null on the host
    /// (set by tests/roots/in-root).</summary>
    public static string? Inside { get; } = Environment.GetEnvironmentVariable("PYFREEZE_IN_ROOT") is { Length: > 0 } r ? r : null;

    /// <summary>The root of <paramref name="suite"/>, made (once, cached by content) by tests/roots/make-root.</summary>
    /// <exception cref="InvalidOperationException">make-root failed (its stderr says why: no mmdebstrap, no network).</exception>
    public static string Get(string suite) => Made.GetOrAdd(suite, s => new Lazy<string>(() =>
    {
        var run = Proc.Exec(Repo.Path_("tests", "roots", "make-root"), [s], timeoutSeconds: 1800);
        if (run.ExitCode != 0)
            throw new InvalidOperationException($"tests/roots/make-root {s} failed:\n{run}");
        return run.StdOut.Trim().Split('\n').Last();
    })).Value;

    /// <summary>Runs <paramref name="command"/> inside <paramref name="root"/> (tests/roots/in-root) with
    /// <paramref name="binds"/> bound at their own paths.</summary>
    public static Run Exec(string root, IEnumerable<string> binds, IEnumerable<string> command, int timeoutSeconds = 600)
    {
        var args = new List<string>();
        foreach (var b in binds)
            args.AddRange(["--bind", b]);
        args.Add(root);
        args.AddRange(command);
        return Proc.Exec(Repo.Path_("tests", "roots", "in-root"), args, timeoutSeconds: timeoutSeconds);
    }

    /// <summary>The pyfreeze command (the CLI this test run built), as <c>dotnet pyfreeze.dll</c>.</summary>
    public static string[] Pyfreeze => ["dotnet", Path.Combine(AppContext.BaseDirectory, "pyfreeze.dll")];
}
