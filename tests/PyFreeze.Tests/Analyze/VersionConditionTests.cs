using System.Text.Json;
using System.Text.Json.Nodes;
using PyFreeze.Analyze;
using PyFreeze.Analyze.Scanning;
using PyFreeze.Diagnostics;
using PyFreeze.Probe;
using PyFreeze.Tests.Infrastructure;

namespace PyFreeze.Tests.Analyze;

/// <summary>The per-version pieces of the analysis, against real interpreters: version checks evaluated as CPython
/// evaluates them, modules put in sys.modules by name, removed stdlib modules, the free-threaded refusal.</summary>
public class VersionConditionTests
{
    private static readonly string[] Conditions =
    [
        "sys.version_info >= (3, 12)", "sys.version_info >= (3, 14)", "sys.version_info < (3, 11)", "sys.version_info[:2] == (3, 13)",
        "sys.version_info[:2] >= (3, 13)", "sys.version_info > (3, 13, 0)", "sys.version_info.minor >= 12", "sys.version_info[1] < 10",
        "sys.version_info.major == 3", "not (sys.version_info >= (3, 12))", "sys.version_info >= (3, 10) and sys.version_info < (3, 13)",
        "sys.version_info < (3, 9) or sys.version_info >= (3, 14)", "_sys.version_info >= (3,)", "version_info >= (3, 11, 2)",
        "sys.version_info[:2] != (3, 11)", "(sys.version_info >= (3, 12))",
    ];

    public static IEnumerable<object[]> Interpreters() => EndToEnd.PythonVersionTests.Interpreters();

    [Theory]
    [MemberData(nameof(Interpreters))]
    public void Version_checks_evaluate_as_the_interpreter_evaluates_them(string python)
    {
        // CPython itself evaluates each condition (with sys, _sys and version_info bound) and prints True/False
        var script = "import sys\n_sys = sys\nversion_info = sys.version_info\nfor line in sys.stdin.read().splitlines():\n    print(eval(line))\n";
        var run = Proc.Exec(python, ["-c", script], stdin: string.Join('\n', Conditions));
        Assert.True(run.ExitCode == 0, run.ToString());
        var truth = run.StdOut.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        var v = Proc.Exec(python, ["-c", "import sys; print(*sys.version_info[:3])"]).StdOut.Split(' ').Select(int.Parse).ToArray();
        for (int i = 0; i < Conditions.Length; i++)
            Assert.True(VersionCondition.Evaluate(Conditions[i], v[0], v[1], v[2]) == bool.Parse(truth[i]), $"{Conditions[i]} on {string.Join('.', v)}: CPython says {truth[i]}");
    }

    [Fact]
    public void Conditions_that_are_not_only_version_checks_are_left_undecided()
    {
        foreach (var c in new[] { "sys.platform == \"win32\"", "sys.version_info >= (3, 12) and HAS_X", "TYPE_CHECKING", "sys.version_info >= 3", "PY3", "" })
            Assert.Null(VersionCondition.Evaluate(c, 3, 13, 5));
    }

    [Fact]
    public void A_module_put_in_sys_modules_by_name_is_reported()
    {
        var r = ImportScanner.ScanText("import sys, _collections_abc\nsys.modules['collections.abc'] = _collections_abc\n_sys.modules[\"a.b\"] = x.y\nsys.modules[name] = m\nsys.modules['q'] = f()\n");
        Assert.Equal([new ModuleAssignment("collections.abc", "_collections_abc", 2), new ModuleAssignment("a.b", "x.y", 3)], r.ModuleAssignments);
    }

    [Fact]
    public void Removed_modules_name_the_version_and_pep_only_from_that_version_on()
    {
        Assert.Equal("removed from the standard library in Python 3.13 (PEP 594)", RemovedModules.Note("cgi", 3, 13));
        Assert.Equal("removed from the standard library in Python 3.12 (PEP 632)", RemovedModules.Note("distutils.core", 3, 14));
        Assert.Null(RemovedModules.Note("cgi", 3, 12));
        Assert.Null(RemovedModules.Note("json", 3, 14));
        // the table agrees with the interpreters at hand: what it says 3.X removed is absent from 3.X's stdlib
        foreach (var p in Interpreters().Select(o => (string)o[0]))
        {
            var interp = InterpreterProbe.Run(p);
            foreach (var name in interp.StdlibModuleNames)
                Assert.True(RemovedModules.Note(name, interp.Major, interp.Minor) is null, $"{name} is in {interp.VersionString}'s sys.stdlib_module_names");
        }
    }

    [Fact]
    public void A_free_threaded_build_is_refused_with_one_line()
    {
        // No free-threaded CPython installs here (Debian 13 and unstable ship none, pyenv has no 3.13t), so the real probe's
        // JSON of Debian's python3 is read with the one field a python3.13t reports differently.
        var probe = Proc.Exec(Pythons.Debian, [Repo.Path_("src", "PyFreeze.Core", "Probe", "probe.py")]);
        Assert.True(probe.ExitCode == 0, probe.ToString());
        var json = JsonNode.Parse(probe.StdOut)!.AsObject();
        var plain = json.Deserialize<InterpreterInfo>(InterpreterInfo.JsonOptions)!;
        InterpreterProbe.CheckSupported(Pythons.Debian, plain);
        json["gil_disabled"] = true;
        var freeThreaded = json.Deserialize<InterpreterInfo>(InterpreterInfo.JsonOptions)!;
        var e = Assert.Throws<PyFreezeException>(() => InterpreterProbe.CheckSupported("python3t", freeThreaded));
        Assert.Equal($"python3t: CPython {plain.VersionString} is a free-threaded build (PEP 703, Py_GIL_DISABLED), which PyFreeze does not build with yet; " +
                     $"pass --python with the default (GIL) build of CPython {plain.ShortVersion} (python{plain.ShortVersion}, not python{plain.ShortVersion}t)", e.Message);
    }
}
