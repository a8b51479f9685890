using System.Collections.Concurrent;
using PyFreeze.Build;

namespace PyFreeze.Tests.Infrastructure;

/// <summary>
/// Fixture apps (tests/PyFreeze.Tests/Fixtures/apps) built once per (app, python, options) for the whole test run,
/// each into its own folder, so several tests can share one build.
/// </summary>
public static class Apps
{
    private static readonly ConcurrentDictionary<string, Lazy<Built>> Builds = new();
    private static readonly string Root = TestRoots.ForThisRun("apps");

    /// <summary>A built app.</summary>
    public sealed record Built(string Executable, BuildResult Result, string Dir);

    /// <summary>Path of a fixture app's entry script.</summary>
    public static string Entry(string app, string script) => Repo.Path_("tests", "PyFreeze.Tests", "Fixtures", "apps", app, script);

    /// <summary>Builds (once) and returns the app.</summary>
    public static Built Get(string app, string script, string python, string variant = "", Func<BuildSettings, BuildSettings>? configure = null)
    {
        var key = $"{app}|{script}|{python}|{variant}";
        return Builds.GetOrAdd(key, _ => new Lazy<Built>(() =>
        {
            var dir = Path.Combine(Root, $"{app}-{Math.Abs(key.GetHashCode()):x}");
            Directory.CreateDirectory(dir);
            var result = Freezer.Build(Entry(app, script), python, Path.Combine(dir, "dist"), configure);
            return new Built(result.Executable, result, dir);
        })).Value;
    }

    /// <summary>A sandbox with a cache private to one test.</summary>
    public static Sandbox NewSandbox() => new(Path.Combine(Root, "caches", Guid.NewGuid().ToString("N")[..12]));
}
