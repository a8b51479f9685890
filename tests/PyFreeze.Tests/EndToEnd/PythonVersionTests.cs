using System.Text.RegularExpressions;
using PyFreeze.Analyze;
using PyFreeze.Build;
using PyFreeze.Collect;
using PyFreeze.Compile;
using PyFreeze.Diagnostics;
using PyFreeze.Probe;
using PyFreeze.Tests.Infrastructure;

namespace PyFreeze.Tests.EndToEnd;

/// <summary>
/// What changes from one CPython version to the next, checked with every interpreter at hand: Debian's python3 (3.11
/// here; 3.13 and 3.14 when this class runs inside the trixie and sid roots) and pyenv's other versions. The grammar
/// (PEP 701 f-strings, PEP 695 generics and <c>type</c>, <c>except*</c>, soft keywords, PEP 750 t-strings) frozen and
/// run with Python hidden, compared with what that python3 prints; modules a version installs without a file
/// (3.13's <c>collections.abc</c>); modules a version removed; .pyc headers against the interpreter's own magic number.
/// </summary>
[Trait("Roots", "inside")]
public partial class PythonVersionTests
{
    private static string Fixture(string name) => Repo.Path_("tests", "PyFreeze.Tests", "Fixtures", "versions", name);

    /// <summary>Debian's python3 and pyenv's 3.9–3.14 that are installed.</summary>
    public static IEnumerable<object[]> Interpreters()
    {
        yield return [Pythons.Debian];
        foreach (var v in new[] { "3.9.18", "3.10.13", "3.12.1", "3.13.0" })
            if (Pythons.PyenvVersion(v) is { } p)
                yield return [p];
    }

    /// <summary>Debian's python3 and the pyenv versions with a syntax newer than Debian 12's (built and run end to end).</summary>
    public static IEnumerable<object[]> BuildInterpreters() =>
        Interpreters().Where(p => (string)p[0] == Pythons.Debian || ((string)p[0]).EndsWith("3.12", StringComparison.Ordinal) || ((string)p[0]).EndsWith("3.13", StringComparison.Ordinal));

    [Theory]
    [MemberData(nameof(Interpreters))]
    public void Stdlib_submodules_without_a_file_of_their_own_are_found(string python)
    {
        using var t = new TempDir("ver");
        var app = t.Write("app.py", "import collections.abc\nimport os.path\nfrom collections import abc\nimport asyncio\nimport json\n");
        var interp = InterpreterProbe.Run(python);
        var (result, _) = AppAnalysis.Run(interp, app, [], [], [], Collector.RuntimeImports(interp));
        var abc = result.Graph.Find("collections.abc");
        Assert.True(abc is { Kind: not ModuleKind.Missing }, $"{interp.VersionString}: collections.abc is {abc?.Kind}");
        // 3.13.1+ and 3.14 have no collections/abc.py: collections/__init__.py installs _collections_abc under that name
        if (!File.Exists(Path.Combine(interp.Stdlib, "collections", "abc.py")))
            Assert.Equal(("collections.abc", ModuleKind.Alias, "_collections_abc"), (abc!.Name, abc.Kind, abc.AliasOf));
        var missing = MissingModules.Of(result.Graph, interp.Platform, interp.MinorVersion)
            .Where(m => m.Group == MissingGroup.Real && m.Severity == MissingSeverity.TopLevel).Select(m => m.Name).ToList();
        Assert.True(missing.Count == 0, $"{interp.VersionString}: stdlib imports reported missing: {string.Join(", ", missing)}");
    }

    [Theory]
    [MemberData(nameof(Interpreters))]
    public void Removed_stdlib_modules_are_missing_with_the_version_that_removed_them(string python)
    {
        using var t = new TempDir("ver");
        var app = t.Write("app.py", "import cgi\nimport imp\nimport binhex\nimport json\n");
        var interp = InterpreterProbe.Run(python);
        var (result, _) = AppAnalysis.Run(interp, app, [], [], [], Collector.RuntimeImports(interp));
        var missing = MissingModules.Of(result.Graph, interp.Platform, interp.MinorVersion).ToDictionary(m => m.Name);
        foreach (var (module, removedIn, pep) in new[] { ("cgi", 13, " (PEP 594)"), ("imp", 12, ""), ("binhex", 11, "") })
        {
            // the interpreter itself says whether it still has the module
            var has = Proc.Exec(python, ["-c", $"import importlib.util, sys; sys.exit(importlib.util.find_spec('{module}') is None)"]).ExitCode == 0;
            Assert.Equal(interp.Minor < removedIn, has);
            if (has)
                Assert.False(missing.ContainsKey(module), $"{module} is in {interp.VersionString}'s stdlib");
            else
                Assert.Equal($"removed from the standard library in Python 3.{removedIn}{pep}", missing[module].Removed);
        }
        Assert.False(missing.ContainsKey("json"));
    }

    [Theory]
    [MemberData(nameof(BuildInterpreters))]
    public void Each_versions_grammar_frozen_prints_what_python3_prints(string python)
    {
        using var t = new TempDir("ver");
        var log = new StringWriter();
        var built = Freezer.Build(Fixture("versions_app.py"), python, t["dist"], o => o with { Log = new Log(LogLevel.Warn, log) });
        var interp = built.Analysis.Interpreter;
        var frozen = new Sandbox(t["cache"]).Run(built.Executable);
        var plain = Proc.Exec(python, ["-B", Fixture("versions_app.py")]);
        Assert.True(plain.ExitCode == 0, plain.ToString());
        Assert.True(frozen.ExitCode == 0, frozen.ToString());
        Assert.Equal(plain.StdOut, frozen.StdOut);
        Assert.Equal("", frozen.StdErr);
        // the modules imported from inside each construct were found and ran
        if (interp.Minor >= 12)
            foreach (var m in new[] { "statistics", "textwrap", "decimal", "fractions" })
                Assert.True(built.Analysis.Graph.Find(m)?.Reached == true, $"{m}, imported inside 3.12 grammar, is not reached");

        // a file the target cannot compile, imported only under a version check it fails: one warning naming file,
        // line and check; never a failed build
        var warnings = log.ToString();
        foreach (var (file, since, check) in new[] { ("grammar312.py", 12, "sys.version_info >= (3, 12)"), ("uses_tstrings.py", 14, "sys.version_info >= (3, 14)") })
        {
            if (interp.Minor >= since)
            {
                Assert.DoesNotContain(file, warnings);
                continue;
            }
            var entry = Fixture("versions_app.py");
            var importLine = File.ReadAllLines(entry).ToList().FindIndex(l => l.Contains($"import {Path.GetFileNameWithoutExtension(file)}")) + 1;
            Assert.Matches(new Regex($@"warning: {Regex.Escape(Fixture(file))}:\d+: SyntaxError: [^\n]*: Python {interp.ShortVersion} cannot compile it; " +
                                     $@"left out, since the app imports it only if {Regex.Escape(check)} \({Regex.Escape(entry)}:{importLine}\), which is false on Python {interp.ShortVersion}"), warnings);
        }
        Assert.DoesNotContain("warning: missing module", warnings); // cgi (gone in 3.13) is imported under try/except ImportError

        // every .pyc in the payload carries this interpreter's own importlib.util.MAGIC_NUMBER
        var magic = Proc.Exec(python, ["-c", "import importlib.util; print(importlib.util.MAGIC_NUMBER.hex())"]).StdOut.Trim();
        Assert.Equal(interp.Magic, magic);
        var unpacked = Directory.GetDirectories(Path.Combine(t["cache"], "run")).Single(d => !Path.GetFileName(d).StartsWith('.'));
        var pycs = Directory.GetFiles(unpacked, "*.pyc", SearchOption.AllDirectories);
        Assert.True(pycs.Length > 50, $"{pycs.Length} .pyc files");
        var bad = pycs.Select(p => (p, PycHeader.Check(p, magic))).Where(x => x.Item2 is not null).Take(3).ToList();
        Assert.True(bad.Count == 0, string.Join("\n", bad));
    }

    [Theory]
    [MemberData(nameof(BuildInterpreters))]
    public void An_app_module_the_target_cannot_compile_imported_unconditionally_is_a_warning_that_the_app_fails_there(string python)
    {
        using var t = new TempDir("ver");
        File.Copy(Fixture("uses_tstrings.py"), t["uses_tstrings.py"]);
        var app = t.Write("app.py", "import uses_tstrings\nprint(uses_tstrings.render('Ada'))\n");
        var log = new StringWriter();
        var built = Freezer.Build(app, python, t["dist"], o => o with { Log = new Log(LogLevel.Warn, log) });
        var interp = built.Analysis.Interpreter;
        var plain = Proc.Exec(python, ["-B", app]);
        var frozen = new Sandbox(t["cache"]).Run(built.Executable);
        if (interp.Minor >= 14)
        {
            Assert.True(frozen.ExitCode == 0 && plain.ExitCode == 0, frozen.ToString());
            Assert.Equal(plain.StdOut, frozen.StdOut);
            return;
        }
        Assert.Contains($"warning: {t["uses_tstrings.py"]}:6: SyntaxError: ", log.ToString());
        Assert.Contains($"Python {interp.ShortVersion} cannot compile it, so it is left out, and {app}:1 imports it: the app fails there, as under python3", log.ToString());
        // as under python3, the import fails when it runs
        Assert.NotEqual(0, plain.ExitCode);
        Assert.NotEqual(0, frozen.ExitCode);
        Assert.Contains("uses_tstrings", frozen.StdErr);
    }
}
