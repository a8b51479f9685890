using System.Collections.Concurrent;
using PyFreeze.Build;
using PyFreeze.Tests.Infrastructure;

namespace PyFreeze.Tests.EndToEnd.Semantics;

/// <summary>
/// The fixture apps of the frozen-semantics suite (tests/PyFreeze.Tests/Fixtures/semantics), each built once per test
/// run (with Debian's python3 unless a test asks for another) and shared by every test that runs it: <c>core</c> (the standard library's semantics,
/// one command per check) and <c>thirdparty</c> (real Debian packages, frozen with no flags).
/// </summary>
public static class SemanticApps
{
    private static readonly ConcurrentDictionary<string, Lazy<Apps.Built>> Builds = new();
    private static readonly string Root = TestRoots.ForThisRun("semantics");

    /// <summary>Relative path (under <c>sys._MEIPASS</c>) of the shared library the core app ships with --add-binary.</summary>
    public const string ShippedLibrary = "vendor/libpfzdemo.so";

    /// <summary>Path of a file of a semantics fixture app.</summary>
    public static string Fixture(params string[] parts) => Repo.Path_(["tests", "PyFreeze.Tests", "Fixtures", "semantics", .. parts]);

    /// <summary>The core app (semcore.py) built by <paramref name="python"/> with <c>--optimize <paramref name="optimize"/></c>;
    /// the default build also ships a copy of the system's zlib as <see cref="ShippedLibrary"/> (an app's own .so, loaded with ctypes).
    /// A stand-in tzdata package is on the build's path (--paths), for the zoneinfo hook to collect.</summary>
    public static Apps.Built Core(int optimize = 0, string python = Pythons.Debian) => Get($"core-O{optimize}-{python}", Fixture("core", "semcore.py"), python, dir =>
    {
        var extra = new List<string>();
        if (optimize == 0)
        {
            var lib = Path.Combine(dir, "libpfzdemo.so");
            File.Copy(SystemZlib(), lib, true);
            extra.Add($"{lib}:vendor");
        }
        return o => new BuildSettings
        {
            Entry = o.Entry, Python = o.Python, DistPath = o.DistPath, WorkPath = o.WorkPath, Log = o.Log,
            Optimize = optimize, AddBinary = extra, Paths = [Fixture("tzpkg")],
        };
    });

    /// <summary>The third-party app (semthird.py), built with no flags.</summary>
    public static Apps.Built ThirdParty() => Get("thirdparty", Fixture("thirdparty", "semthird.py"), Pythons.Debian, _ => o => o);

    /// <summary>A sandbox whose cache is private to one test.</summary>
    public static Sandbox NewSandbox() => new(Path.Combine(Root, "caches", Guid.NewGuid().ToString("N")[..12]));

    private static Apps.Built Get(string key, string entry, string python, Func<string, Func<BuildSettings, BuildSettings>> configure) =>
        Builds.GetOrAdd(key, _ => new Lazy<Apps.Built>(() =>
        {
            var dir = Path.Combine(Root, $"{Path.GetFileNameWithoutExtension(entry)}-{Math.Abs(key.GetHashCode()):x}");
            Directory.CreateDirectory(dir);
            var result = Freezer.Build(entry, python, Path.Combine(dir, "dist"), configure(dir));
            return new Apps.Built(result.Executable, result, dir);
        })).Value;

    private static string SystemZlib() =>
        new[] { "/usr/lib/x86_64-linux-gnu/libz.so.1", "/lib/x86_64-linux-gnu/libz.so.1", "/usr/lib64/libz.so.1", "/usr/lib/libz.so.1" }
            .FirstOrDefault(File.Exists) ?? throw new InvalidOperationException("no system libz.so.1 to ship as an app's own library");

    /// <summary>The <c>key=value</c> lines an app printed, by key (the last value wins).</summary>
    public static Dictionary<string, string> Values(Run run)
    {
        var d = new Dictionary<string, string>();
        foreach (var line in run.StdOut.Split('\n'))
        {
            var i = line.IndexOf('=');
            if (i > 0)
                d[line[..i]] = line[(i + 1)..];
        }
        return d;
    }

    /// <summary>Asserts the run exited 0 and returns its values.</summary>
    public static Dictionary<string, string> Ok(Run run)
    {
        Assert.True(run.ExitCode == 0, run.ToString());
        return Values(run);
    }

    /// <summary>Asserts <paramref name="values"/> has <paramref name="key"/> = <paramref name="expected"/>, showing the whole run otherwise.</summary>
    public static void Has(IReadOnlyDictionary<string, string> values, string key, string expected, Run? run = null)
    {
        Assert.True(values.TryGetValue(key, out var actual), $"no '{key}=' line\n{(object?)run ?? string.Join('\n', values.Select(kv => $"{kv.Key}={kv.Value}"))}");
        Assert.Equal(expected, actual);
    }
}
