using PyFreeze.Analyze;
using PyFreeze.Collect;
using PyFreeze.Probe;
using PyFreeze.Tests.Infrastructure;

namespace PyFreeze.Tests.Analyze;

/// <summary>
/// The analyzer's measure: really run an app with a real interpreter, then check that every module in
/// <c>sys.modules</c> at exit is in the analyzed graph (found, not missing). Modules the interpreter had loaded before
/// the app's first line (site, .pth hooks) are not the app's.
/// </summary>
[Trait("Roots", "inside")] // also run inside the trixie and sid roots (Python 3.13, 3.14): see DebianRoots
public class OracleTests
{
    // Runs the app as __main__ from its own folder and writes, at exit, each new sys.modules entry with the name the
    // import system loaded it under (__spec__.name), or "-" for a module made at run time without a spec (pyexpat.errors,
    // typing.io, cython_runtime): aliases such as requests.packages.urllib3 count as the module they stand for.
    // Imports nothing but sys and atexit.
    private const string Runner =
        "import sys, atexit\n" +
        "out, app = sys.argv[1], sys.argv[2]\n" +
        "before = set(sys.modules)\n" +
        "def dump():\n" +
        "    rows = []\n" +
        "    for k, m in sorted(sys.modules.items()):\n" +
        "        if k in before or m is None: continue\n" +
        "        spec = getattr(m, '__spec__', None)\n" +
        "        rows.append(k + ' ' + (spec.name if spec is not None else '-'))\n" +
        "    open(out, 'w').write('\\n'.join(rows))\n" +
        "atexit.register(dump)\n" +
        "sys.argv = [app]\n" +
        "sys.path[0] = __import__('os').path.dirname(app)\n" +
        "code = compile(open(app, 'rb').read(), app, 'exec')\n" +
        "exec(code, {'__name__': '__main__', '__file__': app, '__builtins__': __builtins__})\n";

    public static IEnumerable<object[]> Cases()
    {
        // deepapp (Fixtures/apps): modules loaded by computed names, pkgutil discovery and entry points (issue 20)
        foreach (var app in new[] { "stdlib_mix", "numpy_oracle", "requests_oracle", "yaml_oracle", "pygments_oracle", "../apps/deepapp" })
        {
            yield return [app, Pythons.Debian];
            if (File.Exists(Pythons.Pyenv) && app != "numpy_oracle")
                yield return [app, Pythons.Pyenv];
        }
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public void Every_module_the_app_really_imports_is_in_the_graph(string app, string python)
    {
        var entry = Path.GetFullPath(Repo.Path_("tests", "PyFreeze.Tests", "Fixtures", "oracle", app, Path.GetFileName(app) + ".py"));
        using var tmp = new TempDir("oracle");
        var outFile = tmp["modules.txt"];
        var run = Proc.Exec(python, ["-c", Runner, outFile, entry], cwd: Path.GetDirectoryName(entry), timeoutSeconds: 120);
        Assert.True(run.ExitCode == 0, run.ToString());
        var rows = File.ReadAllLines(outFile).Where(l => l.Length > 0).Select(l => l.Split(' ')).ToList();
        Assert.NotEmpty(rows);
        var imported = rows.Where(r => r[1] != "-").Select(r => r[1]).Distinct().ToList();

        var interp = InterpreterProbe.Run(python);
        // Both the build's default (the whole stdlib, whose rules take out extension modules the app's code never runs)
        // and the module graph alone (--no-whole-stdlib).
        AnalysisResult result = null!;
        foreach (var wholeStdlib in new[] { true, false })
        {
            (result, _) = AppAnalysis.Run(interp, entry, [], [], [], Collector.RuntimeImports(interp), wholeStdlib: wholeStdlib);
            var graph = result.Graph;
            var absent = imported
                .Where(m => m != "__main__")
                .Where(m => graph.Find(m) is not { Kind: not ModuleKind.Missing })
                .ToList();
            Assert.True(absent.Count == 0,
                $"{absent.Count} of {imported.Count} modules the app imported are not in the {(wholeStdlib ? "whole-stdlib " : "")}graph: " +
                string.Join(", ", absent.Take(40)) + "; left out: " +
                string.Join(", ", result.LeftOut.Where(l => absent.Contains(l.Module)).Select(l => $"{l.Module} ({l.Rule})")));
        }
        // The analysis must also be quick: the whole graph in well under the time of running the app.
        Assert.True(result.Problems.All(p => !p.Message.StartsWith("scanner failed", StringComparison.Ordinal)),
            string.Join("\n", result.Problems));
    }
}
