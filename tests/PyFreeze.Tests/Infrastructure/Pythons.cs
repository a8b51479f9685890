namespace PyFreeze.Tests.Infrastructure;

/// <summary>The CPython interpreters end-to-end tests run against: Debian's (static libpython, dist-packages)
/// and pyenv's 3.11.7 (shared libpython) when present.</summary>
public static class Pythons
{
    /// <summary>Debian's /usr/bin/python3.</summary>
    public const string Debian = "/usr/bin/python3";

    /// <summary>pyenv's 3.11.7, the shared-libpython build on these machines.</summary>
    public static readonly string Pyenv = Path.Combine(Environment.GetEnvironmentVariable("HOME") ?? "/root", ".pyenv", "versions", "3.11.7", "bin", "python3.11");

    /// <summary>Debian's python3 for dist-packages apps.</summary>
    public static IEnumerable<object[]> All()
    {
        yield return [Debian];
        if (File.Exists(Pyenv))
            yield return [Pyenv];
    }

    /// <summary>Another installed pyenv version (e.g. "3.12.1"), or null.</summary>
    public static string? PyenvVersion(string version)
    {
        var dir = Path.Combine(Environment.GetEnvironmentVariable("HOME") ?? "/root", ".pyenv", "versions", version, "bin");
        var minor = string.Join('.', version.Split('.').Take(2));
        var exe = Path.Combine(dir, "python" + minor);
        return File.Exists(exe) ? exe : null;
    }
}
