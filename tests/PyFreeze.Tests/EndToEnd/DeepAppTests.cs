using PyFreeze.Analyze;
using PyFreeze.Collect;
using PyFreeze.Probe;
using PyFreeze.Tests.Infrastructure;

namespace PyFreeze.Tests.EndToEnd;

/// <summary>
/// Fixtures/apps/deepapp: packages laid out like real ones (a SQLAlchemy-like dialect picked from a URL, Django-like
/// numbered migrations and a <c>test</c> command, a program reached only through another distribution's entry point),
/// frozen with no flags and run with Python hidden, each line compared with what <c>python3 deepapp.py</c> prints.
/// One build and one run for the class.
/// </summary>
public sealed class DeepAppRun
{
    /// <summary>Builds and runs the app, and runs it under python3.</summary>
    public DeepAppRun()
    {
        var app = Apps.Get("deepapp", "deepapp.py", Pythons.Debian);
        Build = app.Result;
        Frozen = Apps.NewSandbox().Run(app.Executable, []);
        Python = Proc.Exec(Pythons.Debian, ["-B", "-W", "ignore", Apps.Entry("deepapp", "deepapp.py")], cwd: Path.GetTempPath());
    }

    /// <summary>The build.</summary>
    public PyFreeze.Build.BuildResult Build { get; }

    /// <summary>The frozen run.</summary>
    public Run Frozen { get; }

    /// <summary>python3 deepapp.py, the reference.</summary>
    public Run Python { get; }

    /// <summary>The value printed for KEY by a run.</summary>
    public static string? Value(Run run, string key) => run.StdOut.Split('\n')
        .Select(l => l.Split('=', 2)).FirstOrDefault(p => p.Length == 2 && p[0] == key)?[1];
}

/// <summary>Issue 20's general causes, one check each, against python3's output.</summary>
public class DeepAppTests(DeepAppRun r) : IClassFixture<DeepAppRun>
{
    private void Same(string key)
    {
        Assert.True(r.Python.ExitCode == 0, r.Python.ToString());
        var python = DeepAppRun.Value(r.Python, key);
        Assert.True(python is not null && !python.StartsWith("ERROR", StringComparison.Ordinal), $"python3: {key}={python}\n{r.Python}");
        Assert.True(r.Frozen.ExitCode == 0, r.Frozen.ToString());
        Assert.Equal(python, DeepAppRun.Value(r.Frozen, key));
    }

    [Fact]
    public void A_dialect_loaded_by_a_computed_name_gets_its_stdlib_driver_imported_in_a_classmethod() => Same("dialect");

    [Fact]
    public void A_dialect_loaded_by_a_computed_name_gets_its_sibling_helper_imported_in_a_try() => Same("dialect_helper");

    [Fact]
    public void Numbered_migration_modules_found_by_pkgutil_are_collected_with_their_imports() => Same("migrations");

    [Fact]
    public void A_management_command_named_test_is_collected() => Same("command");

    [Fact]
    public void Importlib_metadata_version_of_a_collected_distribution_works() => Same("version");

    [Fact]
    public void A_program_loaded_through_its_distributions_entry_points_is_collected_with_its_metadata() => Same("entry_point");
}

/// <summary>What the analysis of deepapp records as left out, and why (<see cref="AnalysisResult.LeftOut"/>).</summary>
public class DeepAppAnalysisTests
{
    private static AnalysisResult Analyze()
    {
        var interp = InterpreterProbe.Run(Pythons.Debian);
        return AppAnalysis.Run(interp, Apps.Entry("deepapp", "deepapp.py"), [], [], [], Collector.RuntimeImports(interp)).Result;
    }

    [Fact]
    public void A_test_folder_nothing_imports_is_left_out_by_the_test_folder_rule()
    {
        var result = Analyze();
        Assert.Null(result.Graph.Find("dbkit.tests.test_dialects"));
        var left = Assert.Single(result.LeftOut, l => l.Module == "dbkit.tests");
        Assert.Equal("test-folder", left.Rule);
        Assert.Equal("dbkit", left.Importer);
        // nor pytest's conftest.py inside the package (pytest loads it by path; the package never imports it)
        Assert.Null(result.Graph.Find("dbkit.conftest"));
        Assert.Equal("test-folder", Assert.Single(result.LeftOut, l => l.Module == "dbkit.conftest").Rule);
        // their pytest imports were never followed
        Assert.Null(result.Graph.Find("pytest"));
    }

    [Fact]
    public void A_mypy_plugin_the_app_does_not_load_is_left_out_by_the_dev_tool_plugin_rule()
    {
        var result = Analyze();
        Assert.Null(result.Graph.Find("dbkit.ext.mypy_plugin"));
        Assert.True(result.Graph.Find("dbkit.ext") is { Kind: ModuleKind.Package }); // the rest of the package stays
        var left = Assert.Single(result.LeftOut, l => l.Module == "dbkit.ext.mypy_plugin");
        Assert.Equal("dev-tool-plugin", left.Rule);
        Assert.Contains("mypy", left.Detail, StringComparison.Ordinal);
        Assert.Null(result.Graph.Find("mypy"));
    }

    [Fact]
    public void A_plugin_of_a_tool_the_app_imports_is_kept()
    {
        // Debian's python3-mypy, installed by .ci/run
        using var tmp = new TempDir("devtool");
        var entry = tmp["uses_mypy.py"];
        File.WriteAllText(entry, "import dbkit\nimport mypy.plugin\n");
        var interp = InterpreterProbe.Run(Pythons.Debian);
        var result = AppAnalysis.Run(interp, entry, [Apps.Entry("deepapp", "vendor")], [], [], Collector.RuntimeImports(interp)).Result;
        Assert.True(result.Graph.Find("dbkit.ext.mypy_plugin") is { Kind: ModuleKind.Source });
        Assert.DoesNotContain(result.LeftOut, l => l.Module == "dbkit.ext.mypy_plugin");
    }

    [Fact]
    public void Collect_submodules_restores_the_test_folder_and_the_plugin()
    {
        var interp = InterpreterProbe.Run(Pythons.Debian);
        var result = AppAnalysis.Run(interp, Apps.Entry("deepapp", "deepapp.py"), [], [], [], Collector.RuntimeImports(interp),
            collectSubmodules: ["dbkit"]).Result;
        Assert.True(result.Graph.Find("dbkit.tests.test_dialects") is { Kind: ModuleKind.Source });
        Assert.True(result.Graph.Find("dbkit.ext.mypy_plugin") is { Kind: ModuleKind.Source });
        Assert.DoesNotContain(result.LeftOut, l => l.Module.StartsWith("dbkit.", StringComparison.Ordinal));
    }

    [Fact]
    public void A_metadata_look_up_no_installed_distribution_answers_is_a_warning_naming_it()
    {
        using var tmp = new TempDir("metawarn");
        var entry = tmp["meta.py"];
        File.WriteAllText(entry, "from importlib.metadata import version\nprint(version('pyfreeze-no-such-dist'))\n");
        var interp = InterpreterProbe.Run(Pythons.Debian);
        var (_, distributions) = AppAnalysis.Run(interp, entry, [], [], [], Collector.RuntimeImports(interp));
        var warning = Assert.Single(distributions.Problems, p => p.Contains("pyfreeze-no-such-dist", StringComparison.Ordinal));
        Assert.StartsWith(entry + ":2: importlib.metadata.version(\"pyfreeze-no-such-dist\")", warning, StringComparison.Ordinal);
    }

    [Fact]
    public void Modules_whatever_their_names_are_in_the_graph_and_their_imports_followed()
    {
        var graph = Analyze().Graph;
        foreach (var name in new[] { "dbkit.migrations.0001_initial", "dbkit.migrations.0002_add_ratio", "dbkit.commands.test", "dbkit.dialects._sqlite_names" })
            Assert.True(graph.Find(name) is { Kind: ModuleKind.Source, Reached: false }, name);
        foreach (var name in new[] { "sqlite3", "_sqlite3", "fractions", "statistics", "difflib" })
            Assert.True(graph.Find(name) is { Kind: not ModuleKind.Missing }, name);
    }
}
