using System.Text;
using PyFreeze.Analyze;
using PyFreeze.Analyze.Scanning;
using PyFreeze.Tests.Infrastructure;

namespace PyFreeze.Tests.Analyze;

/// <summary>The pure parts of issue 20's rules: <c>importlib.metadata</c> look-ups read from source, resolved against real
/// metadata folders (Fixtures/apps/deepapp/vendor), and submodule names as <c>pkgutil</c> lists them. No process.</summary>
[Trait("Lane", "Fast")]
public sealed class DeepRulesTests
{
    private static IReadOnlyList<MetadataCall> Calls(string source) => ImportScanner.Scan(Encoding.UTF8.GetBytes(source)).MetadataCalls;

    private static string Vendor => Apps.Entry("deepapp", "vendor");

    [Fact]
    public void Metadata_look_ups_with_literal_names_are_read_with_their_form()
    {
        var calls = Calls(
            "from importlib.metadata import distribution, entry_points, version\n" +
            "def main():\n" +
            "    ep = next(iter(distribution('clikit').entry_points.select(name='clikit')))\n" +
            "    print(version(\"dbkit\"), importlib.metadata.metadata('x'))\n" +
            "    for e in entry_points(group='console_scripts', name='clikit'): pass\n");
        Assert.Collection(calls,
            c => Assert.Equal(("distribution().entry_points", "clikit", false, ImportContext.Deferred), (c.Function, c.Name, c.Qualified, c.Context)),
            c => Assert.Equal(("version", "dbkit", false), (c.Function, c.Name, c.Qualified)),
            c => Assert.Equal(("metadata", "x", true), (c.Function, c.Name, c.Qualified)),
            c => Assert.Equal(("entry_points", "clikit", "console_scripts"), (c.Function, c.Name, c.Group)));
    }

    [Theory]
    [InlineData("self.version('1.0')")]          // a method of the app's own
    [InlineData("pkg_resources.get_distribution('x')")]
    [InlineData("def version(name='x'): pass")]
    [InlineData("version(name)")]                // not a literal
    [InlineData("entry_points()")]               // every entry point: nothing literal to follow
    public void Other_calls_are_not_metadata_look_ups(string source) => Assert.Empty(Calls(source));

    [Fact]
    public void Look_ups_resolve_to_the_distributions_modules_or_the_entry_points_target()
    {
        var installed = Distributions.In(Vendor, []);
        MetadataCall Call(string f, string? name, string? group = null) => new(f, name, group, true, ImportContext.TopLevel, 1);
        Assert.Equal(["clikit", "clikit.cli"], MetadataCallExpander.Resolve(Call("distribution().entry_points", "clikit"), installed));
        Assert.Equal(["dbkit"], MetadataCallExpander.Resolve(Call("version", "DBKit"), installed)); // PEP 503 names
        Assert.Equal(["clikit.cli"], MetadataCallExpander.Resolve(Call("entry_points", "clikit", "console_scripts"), installed));
        Assert.Null(MetadataCallExpander.Resolve(Call("version", "not-installed"), installed));
        Assert.Null(MetadataCallExpander.Resolve(Call("entry_points", "nope", "console_scripts"), installed));
    }

    [Theory]
    [InlineData("\"numpy.distutils\" in sys.modules", "numpy", true)] // setuptools/msvc.py: import numpy
    [InlineData("'numpy.distutils' in sys.modules", "numpy.distutils", true)]
    [InlineData("\"numpy\" in sys.modules", "numpy", true)]
    [InlineData("\"numpy\" in sys.modules", "numpy.linalg", false)] // a submodule may not be loaded yet
    [InlineData("\"numpyx\" in sys.modules", "numpy", false)]
    [InlineData("not (\"numpy\" in sys.modules)", "numpy", false)] // the else branch
    [InlineData("\"numpy\" not in sys.modules", "numpy", false)]
    [InlineData("\"numpy\" in sys.modules and x", "numpy", false)]
    [InlineData("\"numpy\" in modules", "numpy", false)]
    [InlineData(null, "numpy", false)]
    public void An_import_under_a_sys_modules_test_of_that_module_loads_nothing(string? condition, string module, bool nothing) =>
        Assert.Equal(nothing, SysModulesGuard.LoadsNothing(condition, module));

    [Fact]
    public void Entry_points_of_a_group_setuptools_reads_only_while_building_are_not_collected()
    {
        var installed = Distributions.In(Vendor, []);
        var call = new MetadataCall("entry_points", null, "distutils.commands", true, ImportContext.TopLevel, 1);
        Assert.Equal([], MetadataCallExpander.Resolve(call, installed)); // nothing to collect, and no warning (not null)
        foreach (var group in new[] { "distutils.commands", "distutils.setup_keywords", "egg_info.writers", "setuptools.finalize_distribution_options" })
            Assert.True(Distribution.IsBuildTimeGroup(group), group);
        foreach (var group in new[] { "console_scripts", "pygments.lexers", "flake8.extension", "pytest11", "distutils" })
            Assert.False(Distribution.IsBuildTimeGroup(group), group);
    }

    [Fact]
    public void Submodules_are_listed_whatever_their_names_and_test_folders_apart()
    {
        var finder = new PathFinder([".cpython-311-x86_64-linux-gnu.so", ".abi3.so", ".so"], [".py"], [".pyc"]);
        ModuleNode Package(string name) =>
            new(name, ModuleKind.Package) { SearchLocations = [Path.Combine([Vendor, .. name.Split('.')])] };
        Assert.Equal(["0001_initial", "0002_add_ratio"], PackageExpander.Submodules(Package("dbkit.migrations"), finder));
        var dbkit = Package("dbkit");
        Assert.Equal(["commands", "dialects", "ext", "migrations"], PackageExpander.Submodules(dbkit, finder));
        Assert.Equal(["conftest", "tests"], PackageExpander.TestFolders(dbkit, finder)); // pytest's conftest.py too
        Assert.True(PackageExpander.IsTestEntry("conftest", folder: false));
        Assert.False(PackageExpander.IsTestEntry("conftest", folder: true)); // a package of that name is the package's own
        Assert.False(PackageExpander.IsTestEntry("test", folder: false)); // a module named test is collected (a Django command)
        Assert.False(PackageExpander.IsModuleName("a.b"));
        Assert.True(PackageExpander.IsModuleName("0001_initial"));
    }
}
