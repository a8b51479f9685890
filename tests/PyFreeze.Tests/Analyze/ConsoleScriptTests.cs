using PyFreeze.Analyze;
using PyFreeze.Tests.Infrastructure;

namespace PyFreeze.Tests.Analyze;

/// <summary>
/// Console-script wrappers (setuptools' easy_install template, Debian's /usr/bin scripts) import nothing of the app;
/// the analyzer follows the entry point their header names. Unit tests of the header and the lookup, and an end-to-end
/// build of Debian's own /usr/bin/pygmentize run with Python hidden.
/// </summary>
public class ConsoleScriptTests
{
    private const string Wrapper = """
        #!/usr/bin/python3
        # EASY-INSTALL-ENTRY-SCRIPT: 'Pygments==2.14.0','console_scripts','pygmentize'
        import re
        import sys
        """;

    [Fact]
    public void The_header_names_distribution_group_and_entry_point()
    {
        var w = ConsoleScripts.Parse(Wrapper.Replace("\r", ""));
        Assert.Equal(new ConsoleScripts.Wrapper("Pygments", "console_scripts", "pygmentize"), w);
        Assert.Equal("tool", ConsoleScripts.Parse("# EASY-INSTALL-ENTRY-SCRIPT: 'tool[extra]>=1','gui_scripts','t'\n")!.Distribution);
    }

    [Theory]
    [InlineData("import sys\nprint(1)\n")]
    [InlineData("#!/usr/bin/python3\nx = 1\n\n\n\n\n# EASY-INSTALL-ENTRY-SCRIPT: 'a==1','console_scripts','a'\n")] // past the header lines
    [InlineData("# EASY-INSTALL-SCRIPT: 'a==1','a'\n")] // the older script-copying form names no entry point
    public void Other_scripts_are_not_wrappers(string text) => Assert.Null(ConsoleScripts.Parse(text));

    [Fact]
    public void The_target_comes_from_the_distributions_entry_points_by_normalized_name()
    {
        var dists = new[]
        {
            new Distribution
            {
                MetadataPath = "/sp/other-1.0.dist-info", Root = "/sp", Name = "other", TopLevel = new HashSet<string> { "other" },
                EntryPointModules = ["other.cli"], EntryPoints = [("console_scripts", "pygmentize", "other.cli:main")],
            },
            new Distribution
            {
                MetadataPath = "/sp/Pygments-2.14.0.dist-info", Root = "/sp", Name = "Pygments", TopLevel = new HashSet<string> { "pygments" },
                EntryPointModules = ["pygments.cmdline"], EntryPoints = [("console_scripts", "pygmentize", "pygments.cmdline:main [extra]")],
            },
        };
        Assert.Equal("pygments.cmdline", ConsoleScripts.Resolve(new("pygments", "console_scripts", "pygmentize"), dists));
        Assert.Null(ConsoleScripts.Resolve(new("Pygments", "gui_scripts", "pygmentize"), dists));
        Assert.Null(ConsoleScripts.Resolve(new("absent", "console_scripts", "pygmentize"), dists));
    }

    [Fact]
    public void Debians_pygmentize_script_freezes_and_runs_with_python_hidden()
    {
        using var t = new TempDir("console-script");
        var script = t.Write("bin/pygmentize", File.ReadAllText("/usr/bin/pygmentize"));
        var result = Freezer.Build(script, Pythons.Debian, t["dist"]);
        Assert.Contains(result.Analysis.Graph.Modules, m => m.Name == "pygments.cmdline" && m.Reached);
        var run = Apps.NewSandbox().Run(result.Executable, ["-l", "python", "-f", "html"], stdin: "def f(x):\n    return x + 1\n");
        Assert.True(run.ExitCode == 0, run.ToString());
        Assert.Contains("<span class=\"k\">def</span>", run.StdOut);
        // the wrapper reads the distribution's entry points at run time: its metadata came along
        Assert.Contains(result.Files, f => f.Path.Contains("Pygments", StringComparison.OrdinalIgnoreCase) && f.Path.Contains("entry_points.txt"));
    }

    /// <summary>Debian's /usr/bin/flask names its own package in a literal (<c>load_entry_point(…, 'flask')</c>): built
    /// where Debian installed it (a folder of programs) and from a copy elsewhere, the script is compiled as the entry
    /// and never also copied as data to <c>app/flask</c>, where the package's folder is; the app unpacks and runs.</summary>
    [Theory] // python3-flask: .ci/run installs it
    [InlineData(false)]
    [InlineData(true)]
    public void Debians_flask_script_named_like_its_package_freezes_and_runs_with_python_hidden(bool copied)
    {
        using var t = new TempDir("console-script");
        var script = copied ? t.Write("bin/flask", File.ReadAllText("/usr/bin/flask")) : "/usr/bin/flask";
        var result = Freezer.Build(script, Pythons.Debian, t["dist"]);
        Assert.DoesNotContain(result.Files, f => f.Path == "app/flask");
        Assert.Contains(result.Files, f => f.Path == "app/flask/__init__.pyc");
        var run = Apps.NewSandbox().Run(result.Executable, ["--version"]);
        Assert.True(run.ExitCode == 0, run.ToString());
        Assert.Matches(@"Flask 2\.\d", run.StdOut);
    }

    /// <summary>Debian's /usr/bin/f2py imports <c>numpy.f2py</c>, which numpy's hook excludes from numpy's own imports:
    /// once the app reached it, its modules' imports of each other (<c>from . import crackfortran</c>) are followed.</summary>
    [Fact] // python3-numpy: .ci/run installs it
    public void Debians_f2py_script_gets_the_numpy_tool_its_hook_excludes_from_numpy()
    {
        using var t = new TempDir("console-script");
        var result = Freezer.Build("/usr/bin/f2py", Pythons.Debian, t["dist"]);
        Assert.Contains(result.Files, f => f.Path == "app/numpy/f2py/crackfortran.pyc");
        var run = Apps.NewSandbox().Run(result.Executable, ["-v"]);
        Assert.True(run.ExitCode == 0, run.ToString());
        Assert.Matches(@"^\d+\.\d+\.\d+", run.StdOut);
    }
    /// <summary>Debian's /usr/bin/pybabel imports setuptools, whose <c>setuptools.dist</c> looks up the
    /// <c>distutils.commands</c> entry points of every distribution (only inside <c>setup()</c>): Sphinx's
    /// <c>build_sphinx</c> command is not collected, and with it none of Sphinx; nor numpy, which setuptools.msvc imports
    /// only when numpy.distutils is loaded already (the app was 48 MB).</summary>
    [Fact] // python3-babel and python3-sphinx: .ci/run installs them
    public void Debians_pybabel_does_not_bring_the_setup_commands_of_other_distributions()
    {
        using var t = new TempDir("console-script");
        var result = Freezer.Build("/usr/bin/pybabel", Pythons.Debian, t["dist"]);
        Assert.DoesNotContain(result.Files, f => f.Path.StartsWith("app/sphinx/", StringComparison.Ordinal));
        // setuptools/msvc.py imports numpy only under `if "numpy.distutils" in sys.modules:` (SysModulesGuard)
        Assert.DoesNotContain(result.Files, f => f.Path.StartsWith("app/numpy/", StringComparison.Ordinal));
        Assert.Contains(result.Files, f => f.Path == "app/setuptools/dist.pyc");
        var run = Apps.NewSandbox().Run(result.Executable, ["--version"]);
        Assert.True(run.ExitCode == 0, run.ToString());
        Assert.Matches(@"^pybabel \d+\.\d+", run.StdOut);
    }
}
