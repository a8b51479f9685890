using PyFreeze.Analyze;
using PyFreeze.Tests.Infrastructure;

namespace PyFreeze.Tests.Analyze;

/// <summary>Distribution metadata: the unconditional requirements a mypyc-compiled distribution's helper imports from C.</summary>
[Trait("Lane", "Fast")]
public class DistributionsTests
{
    [Fact]
    public void Requires_lists_unconditional_requirements_of_dist_info_and_egg_info()
    {
        using var dir = new TempDir("dists");
        dir.Write("mypy-1.0.dist-info/METADATA", """
            Metadata-Version: 2.1
            Name: mypy
            Version: 1.0
            Requires-Dist: typing-extensions (>=3.10)
            Requires-Dist: mypy-extensions>=1.0.0
            Requires-Dist: tomli>=1.1.0 ; python_version < "3.11"
            Requires-Dist: psutil>=4.0 ; extra == "dmypy"

            Requires-Dist: not-a-header
            """.Replace("\r", ""));
        dir.Write("tool-2.egg-info/PKG-INFO", "Name: tool\nVersion: 2\n");
        dir.Write("tool-2.egg-info/requires.txt", "six>=1\nattrs\n\n[extra]\nrich\n");
        var dists = Distributions.In(dir.Path, []);
        Assert.Equal(["typing-extensions", "mypy-extensions"], dists.Single(d => d.Name == "mypy").Requires);
        Assert.Equal(["six", "attrs"], dists.Single(d => d.Name == "tool").Requires);
    }

    [Fact]
    public void Plugin_modules_leave_out_scripts_and_setup_time_groups()
    {
        using var dir = new TempDir("dists");
        dir.Write("Markdown-3.4.dist-info/METADATA", "Metadata-Version: 2.1\nName: Markdown\nVersion: 3.4\n");
        dir.Write("Markdown-3.4.dist-info/entry_points.txt", """
            [console_scripts]
            markdown_py = markdown.__main__:run

            [markdown.extensions]
            codehilite = markdown.extensions.codehilite:CodeHiliteExtension

            [distutils.commands]
            build_md = markdown.setup_cmd:Build

            [setuptools.finalize_distribution_options]
            md = markdown.setup_opts:finalize
            """.Replace("\r", ""));
        var dist = Distributions.In(dir.Path, []).Single();
        Assert.Equal([("markdown.extensions", "markdown.extensions.codehilite")], dist.PluginModules);
        Assert.Contains("markdown.__main__", dist.EntryPointModules);
        Assert.Equal(["markdown"], Distribution.GroupHosts("markdown.extensions"));
        Assert.Equal(["pytest11", "pytest"], Distribution.GroupHosts("pytest11"));
        Assert.Equal(["flake8", "flake"], Distribution.GroupHosts("flake8.extension"));
        Assert.Equal(["jupyter_client"], Distribution.GroupHosts("jupyter-client.kernel_provisioners"));
    }
}
