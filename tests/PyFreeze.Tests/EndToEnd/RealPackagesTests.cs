using PyFreeze.Tests.Infrastructure;

namespace PyFreeze.Tests.EndToEnd;

/// <summary>
/// One app (Fixtures/apps/realpkgs) using real Debian packages that once failed frozen with no flags, built once and run
/// once with Python hidden; each check names the fix it guards. Add a check to the app rather than a new app, so the
/// class stays one build and one run.
/// </summary>
public sealed class RealPackagesRun
{
    /// <summary>Builds and runs the app.</summary>
    public RealPackagesRun()
    {
        var app = Apps.Get("realpkgs", "realpkgs.py", Pythons.Debian);
        // The system's PROJ data and libmagic database are hidden: the app must carry its own.
        Frozen = Apps.NewSandbox().Run(app.Executable, [], hide: ["/usr/share/proj", "/usr/lib/file", "/usr/share/misc/magic.mgc", "/usr/share/misc/magic"]);
        Values = Parse(Frozen);
        Python = Proc.Exec(Pythons.Debian, ["-B", Apps.Entry("realpkgs", "realpkgs.py")], cwd: Path.GetTempPath());
        PythonValues = Parse(Python);
    }

    private static Dictionary<string, string> Parse(Run run) => run.StdOut.Split('\n', StringSplitOptions.RemoveEmptyEntries)
        .Select(l => l.Split('=', 2)).Where(p => p.Length == 2).ToDictionary(p => p[0], p => p[1]);

    /// <summary>python3 realpkgs.py, the reference.</summary>
    public Run Python { get; }

    /// <summary>Its KEY=VALUE lines.</summary>
    public Dictionary<string, string> PythonValues { get; }

    /// <summary>The frozen run.</summary>
    public Run Frozen { get; }

    /// <summary>Its KEY=VALUE lines.</summary>
    public Dictionary<string, string> Values { get; }
}

/// <summary>Real packages frozen with no flags, each check as python3 prints it. The literal values are what Debian 12's
/// packages print; inside the trixie and sid roots (newer packages) the frozen app is compared with that root's python3 only.</summary>
[Trait("Roots", "inside")]
public class RealPackagesTests(RealPackagesRun r) : IClassFixture<RealPackagesRun>
{
    private void Has(string key, string expected)
    {
        Assert.True(r.Frozen.ExitCode == 0, r.Frozen.ToString());
        Assert.True(r.Python.ExitCode == 0, r.Python.ToString());
        Assert.True(r.Values.TryGetValue(key, out var value), $"no '{key}='\n{r.Frozen}");
        Assert.True(r.PythonValues.TryGetValue(key, out var python) && !python.StartsWith("ERROR", StringComparison.Ordinal),
            $"python3 realpkgs.py: {key}={python}\n{r.Python.StdErr}");
        var want = FrozenForm(key, python!);
        Assert.True(value == want, $"{key}: python3 '{python}' (frozen: '{want}'), frozen '{value}'\n{r.Frozen.StdErr}");
        if (DebianRoots.Inside is null)
            Assert.True(value == expected, $"{key}: expected '{expected}', got '{value}'\n{r.Frozen.StdErr}");
    }

    /// <summary>What the frozen app prints where python3 prints <paramref name="python"/>: the same, except where a check
    /// shows what being frozen changes by design (click names the program by the executable, not the script; shapely's
    /// line ends with sys.frozen).</summary>
    private static string FrozenForm(string key, string python) => key switch
    {
        "click" when python.EndsWith(".py", StringComparison.Ordinal) => python[..^3],
        "shapely" when python.EndsWith(" None", StringComparison.Ordinal) => python[..^5] + " True",
        _ => python,
    };

    [Fact]
    public void Cffi_compiled_modules_find_the_cffi_runtime() => Has("cffi", "True b'msg'");

    [Fact]
    public void Click_names_a_script_program_by_its_file_not_python_dash_m() => Has("click", "None realpkgs");

    [Fact]
    public void Shapely_1_loads_the_bundled_geos_library() => Has("shapely", "3.14 True");

    [Fact]
    public void Mypyc_compiled_mypy_checks_against_its_typeshed() =>
        Has("mypy", "1 <string>:1: error: Incompatible types in assignment (expression has type \"str\", variable has type \"int\")  [assignment]");

    [Fact]
    public void Python_magic_loads_the_bundled_database() => Has("magic", "PDF document, version 1.4");

    [Fact]
    public void Pyproj_finds_the_PROJ_data_inside_the_app() => Has("pyproj", "[261601, 6249448] RGF93 v1 / Lambert-93 True");

    [Fact]
    public void Markdown_codehilite_loaded_by_entry_point_finds_pygments() =>
        Has("markdown", "<div class=\"codehilite\"><pre><span></span><code><span class=\"n\">x</span> <span class=\"o\">=</span> <span class=\"mi\">1</span>");

    [Fact]
    public void Alembic_init_copies_its_py_templates() => Has("alembic", "['README', 'env.py', 'script.py.mako', 'versions']");

    [Fact]
    public void Faker_finds_its_locales_and_uuid_its_platform_module() => Has("faker", "Agathe Fabre 36");

    [Fact]
    public void Sqlalchemy_dialect_loaded_by_name_from_the_url_finds_its_sqlite3_driver() => Has("sqlalchemy", "42 sqlite pysqlite");
}
