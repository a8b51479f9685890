using System.Reflection;
using System.Text.RegularExpressions;
using PyFreeze.Tests.Infrastructure;
using YamlDotNet.RepresentationModel;

namespace PyFreeze.Tests.Release;

/// <summary>PyFreeze's own workflows (.github/workflows/release.yml and ci.yml), parsed with YamlDotNet: one job per RID on
/// that RID's runner, and each step has what it needs (the kit published natively, ./release.sh, the installed wheel
/// freezing hello, the release with SHA256SUMS and provenance on v* tags only).</summary>
[Trait("Lane", "Fast")]
public class WorkflowTests
{
    private static readonly Dictionary<string, string> Runners = new()
    {
        ["linux-x64"] = "ubuntu-24.04", ["linux-arm64"] = "ubuntu-24.04-arm", ["win-x64"] = "windows-latest", ["osx-arm64"] = "macos-14",
    };

    private static YamlMappingNode Workflow(string name) => Yaml.Load(Repo.Path_(".github", "workflows", name));

    private static IReadOnlyList<YamlNode> Steps(YamlNode job)
    {
        var steps = job.At("steps").Items();
        foreach (var s in steps)
        {
            Assert.True(s.Get("uses") is not null ^ s.Get("run") is not null, "each step either uses an action or runs a command");
            if (s.Get("uses") is { } uses)
                Assert.Matches(@"^actions/[a-z-]+@v\d+$", uses.Text());
        }
        return steps;
    }

    private static string Runs(YamlNode job) => string.Join("\n", Steps(job).Select(s => s.Get("run")?.Text() ?? ""));

    private static YamlNode Uses(YamlNode job, string action) =>
        Steps(job).First(s => s.Get("uses")?.Text().StartsWith(action + "@", StringComparison.Ordinal) == true);

    private static void AssertOneJobPerRidOnItsRunner(YamlNode job)
    {
        var rows = job.At("strategy", "matrix", "include").Items();
        Assert.Equal(Runners.OrderBy(r => r.Key), rows.Select(r => new KeyValuePair<string, string>(r.At("rid").Text(), r.At("os").Text())).OrderBy(r => r.Key));
        Assert.Equal("${{ matrix.os }}", job.At("runs-on").Text());
        foreach (var row in rows)
            Assert.NotEmpty(PyFreeze.Release.Wheel.PlatformTag(row.At("rid").Text())); // release.sh makes a wheel for each
    }

    [Fact]
    public void Release_workflow_builds_kits_natively_packages_and_tests_on_each_runner_and_publishes_on_tags()
    {
        var wf = Workflow("release.yml");
        Assert.Contains("v*", wf.At("on", "push", "tags").Items().Select(Yaml.Text));
        Assert.Equal("read", wf.At("permissions", "contents").Text());

        var kits = wf.At("jobs", "kits");
        AssertOneJobPerRidOnItsRunner(kits);
        Assert.Contains("dotnet publish bootloader/PyFreeze.Bootloader.csproj -c Release -r ${{ matrix.rid }}", Runs(kits));
        Assert.Contains("-p:PyFreezeKitDir=", Runs(kits));
        Assert.Equal("kit-${{ matrix.rid }}", Uses(kits, "actions/upload-artifact").At("with", "name").Text());

        var package = wf.At("jobs", "package");
        AssertOneJobPerRidOnItsRunner(package);
        Assert.Equal("kits", package.At("needs").Text());
        Assert.Equal("kit-*", Uses(package, "actions/download-artifact").At("with", "pattern").Text());
        Uses(package, "actions/setup-python");
        var runs = Runs(package);
        Assert.Contains("./release.sh --rid ${{ matrix.rid }} artifacts/release", runs);
        Assert.Contains("SOURCE_DATE_EPOCH=$(git log -1 --format=%ct)", runs);
        Assert.Contains("-m pip install --no-index artifacts/release/pyfreeze-*.whl", runs);
        Assert.Contains("-m pyfreeze --version", runs);
        Assert.Contains("build \"$GITHUB_WORKSPACE/examples/hello/hello.py\" --python", runs);
        Assert.Contains("*\"Bonjour, Ada\"*", runs);

        var publish = wf.At("jobs", "publish");
        Assert.Equal("package", publish.At("needs").Text());
        Assert.Equal("startsWith(github.ref, 'refs/tags/v')", publish.At("if").Text());
        Assert.Equal("write", publish.At("permissions", "contents").Text());
        Assert.Equal("write", publish.At("permissions", "id-token").Text());
        Assert.Equal("write", publish.At("permissions", "attestations").Text());
        Assert.Equal("dist/*", Uses(publish, "actions/attest-build-provenance").At("with", "subject-path").Text());
        Assert.Equal("true", Uses(publish, "actions/download-artifact").At("with", "merge-multiple").Text());
        var publishRuns = Runs(publish);
        Assert.Contains("sha256sum -- *.whl *.nupkg *.zip > SHA256SUMS", publishRuns);
        Assert.Contains("gh release create \"$GITHUB_REF_NAME\" dist/*", publishRuns);
        Assert.Contains("<Version>", publishRuns); // the tag must be the version
    }

    [Fact]
    public void Ci_workflow_tests_on_each_runner_with_filters_that_name_real_tests()
    {
        var test = Workflow("ci.yml").At("jobs", "test");
        AssertOneJobPerRidOnItsRunner(test);
        var runs = Runs(test);
        Assert.Contains("dotnet build PyFreeze.sln", runs);
        Assert.Contains("*\"Bonjour, Ada\"*", runs);
        // the fast lane (tests that start no process, so no Debian python3 is needed) of the named classes
        var filter = Regex.Match(runs, "--filter \"Lane=Fast&\\(([^\"]+)\\)\"");
        Assert.True(filter.Success, "the unit tests are the fast lane's: --filter \"Lane=Fast&(…)\"");
        var fast = typeof(WorkflowTests).Assembly.GetTypes()
            .SelectMany(t => t.GetMethods().Where(m => m.GetCustomAttributes<FactAttribute>().Any()).Select(m => (Type: t, Method: m)))
            .Where(x => x.Type.GetCustomAttributesData().Concat(x.Method.GetCustomAttributesData())
                .Any(a => a.AttributeType == typeof(TraitAttribute) && a.ConstructorArguments.Select(c => c.Value as string).SequenceEqual(["Lane", "Fast"])))
            .Select(x => $"{x.Type.FullName}.{x.Method.Name}").ToList();
        foreach (var term in filter.Groups[1].Value.Split('|'))
        {
            Assert.StartsWith("FullyQualifiedName~", term);
            Assert.Contains(fast, n => n.Contains(term["FullyQualifiedName~".Length..], StringComparison.Ordinal));
        }
    }
}
