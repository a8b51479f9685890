using System.Diagnostics;

namespace PyFreeze.Tests.Infrastructure;

/// <summary>
/// Runs a frozen executable with every Python on the machine hidden (../shared/tools/run-without-python, bubblewrap),
/// with its cache in a folder the test owns so first and second runs can be told apart.
/// </summary>
public sealed class Sandbox
{
    /// <summary>A sandbox whose cache root is <paramref name="cacheDir"/> (bound read-write).</summary>
    public Sandbox(string cacheDir) => CacheDir = cacheDir;

    /// <summary>The PYFREEZE_CACHE_DIR the app gets.</summary>
    public string CacheDir { get; }

    /// <summary>Runs <paramref name="exe"/> with Python hidden. <paramref name="env"/> adds variables inside;
    /// <paramref name="hide"/> hides more of the machine (folders become empty, files unreadable).</summary>
    public Run Run(string exe, IEnumerable<string>? args = null, IDictionary<string, string>? env = null, string? cwd = null,
        string? stdin = null, int timeoutSeconds = 120, IEnumerable<string>? binds = null, IEnumerable<string>? hide = null) =>
        Proc.Exec(Repo.RunWithoutPython, Arguments(exe, args, env, binds, hide), cwd: cwd ?? Path.GetDirectoryName(Path.GetFullPath(exe)),
            stdin: stdin, timeoutSeconds: timeoutSeconds);

    /// <summary>Starts <paramref name="exe"/> like <see cref="Run"/> without waiting; stdout and stderr are redirected.</summary>
    public Process Start(string exe, IEnumerable<string>? args = null, IDictionary<string, string>? env = null,
        IEnumerable<string>? binds = null, IEnumerable<string>? hide = null)
    {
        var psi = new ProcessStartInfo(Repo.RunWithoutPython)
        {
            RedirectStandardOutput = true, RedirectStandardError = true, RedirectStandardInput = true, UseShellExecute = false,
            WorkingDirectory = Path.GetDirectoryName(Path.GetFullPath(exe))!,
        };
        foreach (var a in Arguments(exe, args, env, binds, hide))
            psi.ArgumentList.Add(a);
        return Process.Start(psi)!;
    }

    private List<string> Arguments(string exe, IEnumerable<string>? args, IDictionary<string, string>? env, IEnumerable<string>? binds,
        IEnumerable<string>? hide)
    {
        if (!File.Exists(Repo.RunWithoutPython))
            throw new InvalidOperationException($"{Repo.RunWithoutPython} is missing: it proves frozen apps need no Python");
        Directory.CreateDirectory(CacheDir);
        var list = new List<string> { "--bind", CacheDir };
        // The executable's folder, unless it is a system folder the sandbox shows anyway (/bin/bash: /bin is a link to
        // /usr/bin on merged-/usr systems, and newer bubblewraps, as in the trixie and sid roots, refuse to mount on a link).
        var exeDir = Path.GetDirectoryName(Path.GetFullPath(exe))!;
        var realDir = new DirectoryInfo(exeDir).ResolveLinkTarget(returnFinalTarget: true)?.FullName ?? exeDir;
        if (!IsSystemFolder(exeDir) && !IsSystemFolder(realDir))
            list.AddRange(["--bind", exeDir]);
        foreach (var b in binds ?? [])
            list.AddRange(["--bind", b]);
        list.Add("--");
        // A link is hidden by covering what it points to: newer bubblewraps (the trixie and sid roots') refuse to mount on a link.
        var hidden = (hide ?? []).Where(p => File.Exists(p) || Directory.Exists(p))
            .Select(p => (Directory.Exists(p) ? new DirectoryInfo(p).ResolveLinkTarget(true) : new FileInfo(p).ResolveLinkTarget(true))?.FullName ?? p)
            .Distinct().ToList();
        if (hidden.Count > 0)
        {
            // A second bubblewrap inside the first: the same tree, with these covered.
            list.AddRange(["bwrap", "--dev-bind", "/", "/"]);
            foreach (var p in hidden)
                list.AddRange(Directory.Exists(p) ? ["--tmpfs", p] : ["--ro-bind", "/dev/null", p]);
            list.Add("--");
        }
        list.Add("env");
        list.Add($"PYFREEZE_CACHE_DIR={CacheDir}");
        foreach (var (k, v) in env ?? new Dictionary<string, string>())
            list.Add($"{k}={v}");
        list.Add(Path.GetFullPath(exe));
        list.AddRange(args ?? []);
        return list;
    }

    private static bool IsSystemFolder(string dir) =>
        dir is "/usr" or "/etc" or "/bin" or "/sbin" || dir.StartsWith("/usr/", StringComparison.Ordinal) || dir.StartsWith("/etc/", StringComparison.Ordinal);

    /// <summary>The unpacked folders in the cache (one per payload).</summary>
    public IReadOnlyList<string> Unpacked() => Directory.Exists(Path.Combine(CacheDir, "run"))
        ? Directory.GetDirectories(Path.Combine(CacheDir, "run")).Where(d => !Path.GetFileName(d).StartsWith('.')).ToList()
        : [];
}
