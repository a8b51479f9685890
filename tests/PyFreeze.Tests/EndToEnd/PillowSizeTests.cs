using PyFreeze.Tests.Infrastructure;

namespace PyFreeze.Tests.EndToEnd;

/// <summary>A Pillow app (Fixtures/apps/pilxml) frozen with no flags and run with Python hidden carries no lxml: whole-package
/// collection of defusedxml once added defusedxml.lxml and through it lxml, libxml2 and libicudata (~35 MB) to every
/// Pillow app (src/PyFreeze.Core/Hooks/builtin/defusedxml.json; found by bench/unseen.py, bench/unseen.md).</summary>
public class PillowSizeTests
{
    [Fact]
    public void Pillow_app_runs_like_python3_and_carries_no_lxml()
    {
        var app = Apps.Get("pilxml", "pilxml.py", Pythons.Debian);
        var frozen = Apps.NewSandbox().Run(app.Executable, []);
        var python = Proc.Exec(Pythons.Debian, ["-B", Apps.Entry("pilxml", "pilxml.py")], cwd: Path.GetTempPath());
        Assert.True(python.ExitCode == 0, python.ToString());
        Assert.True(frozen.ExitCode == 0, frozen.ToString());
        Assert.Equal(python.StdOut, frozen.StdOut);
        Assert.Contains("lxml=False", frozen.StdOut);
        Assert.DoesNotContain(app.Result.Files, f => f.Path.StartsWith("app/lxml/", StringComparison.Ordinal) || f.Path.Contains("libicudata"));
        Assert.DoesNotContain(app.Result.Files, f => f.Path.StartsWith("app/defusedxml/lxml", StringComparison.Ordinal));
        Assert.Contains(app.Result.Files, f => f.Path.StartsWith("app/defusedxml/ElementTree", StringComparison.Ordinal));
    }
}
