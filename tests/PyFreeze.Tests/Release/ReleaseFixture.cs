using PyFreeze.Tests.Infrastructure;

namespace PyFreeze.Tests.Release;

/// <summary>The release tests that build the real artifacts share one <c>./release.sh</c> run (two, to compare bytes).
/// They take minutes: set <c>PYFREEZE_SKIP_RELEASE_TESTS=1</c> to skip them.</summary>
[CollectionDefinition("release")]
public sealed class ReleaseCollection : ICollectionFixture<ReleaseFixture>;

/// <summary>A fact that needs the release build: skipped, saying why, when <c>PYFREEZE_SKIP_RELEASE_TESTS=1</c> or a
/// tool it runs is missing.</summary>
internal sealed class ReleaseFactAttribute : FactAttribute
{
    public ReleaseFactAttribute(params string[] tools)
    {
        if (Environment.GetEnvironmentVariable("PYFREEZE_SKIP_RELEASE_TESTS") == "1")
            Skip = "PYFREEZE_SKIP_RELEASE_TESTS=1: the tests that run ./release.sh (several minutes) are skipped";
        else if (tools.Append("bwrap").Select(t => $"tool:{t}").Select(PyFreeze.Tests.Binaries.Requirements.Missing).FirstOrDefault(m => m is not null) is { } why)
            Skip = why;
    }
}

/// <summary><c>./release.sh</c> run twice into two folders of this test run (lazily: only when a test asks).</summary>
public sealed class ReleaseFixture
{
    private readonly Lazy<(string First, string Second)> _runs = new(() =>
    {
        var root = TestRoots.ForThisRun("release");
        var first = Path.Combine(root, "first");
        var second = Path.Combine(root, "second");
        foreach (var dir in new[] { first, second })
        {
            var run = Proc.Exec(Repo.Path_("release.sh"), [dir], cwd: Repo.Root, timeoutSeconds: 3600);
            if (run.ExitCode != 0)
                throw new InvalidOperationException($"./release.sh failed:\n{run}");
        }
        return (first, second);
    });

    /// <summary>The first run's OUTDIR.</summary>
    public string Out => _runs.Value.First;

    /// <summary>The second run's OUTDIR.</summary>
    public string SecondOut => _runs.Value.Second;

    /// <summary>The version the checkout releases.</summary>
    public static string Version => PyFreeze.Emit.InstalledPackage.ThisVersion;

    /// <summary>The wheel for this machine.</summary>
    public string Wheel => Path.Combine(Out, PyFreeze.Release.Wheel.FileName(Version, PyFreeze.Rid.HostName));

    /// <summary>The .NET tool package.</summary>
    public string ToolPackage => Path.Combine(Out, PyFreeze.Release.ToolPackage.FileName(Version));

    /// <summary>The .NET install holding the SDK (hidden by <see cref="WithoutSdk"/>).</summary>
    public static string DotnetRoot => PyFreeze.Emit.HostPacks.SdkRoot();

    /// <summary>bwrap arguments that run a command with the .NET SDK (and the NuGet package cache, and this checkout's
    /// built kits) hidden under empty folders, as on a machine that never had them.</summary>
    public static List<string> WithoutSdk(params string[] alsoHide)
    {
        var args = new List<string> { "--dev-bind", "/", "/", "--tmpfs", DotnetRoot };
        var nuget = Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".nuget");
        foreach (var dir in alsoHide.Append(nuget).Append(Repo.Path_("artifacts", "kits")))
            if (Directory.Exists(dir))
                args.AddRange(["--tmpfs", dir]);
        args.Add("--");
        return args;
    }
}
