using PyFreeze.Analyze;
using PyFreeze.Hooks;
using PyFreeze.Tests.Infrastructure;

namespace PyFreeze.Tests.Analyze;

/// <summary>The pure rules of the whole stdlib (<see cref="StdlibWhole"/>, <see cref="RemovedModules.Deprecated"/>):
/// which names are CPython's tests and which modules a PEP deprecates. No process.</summary>
[Trait("Lane", "Fast")]
public sealed class StdlibWholeRuleTests
{
    [Theory]
    [InlineData("test", false, true)]
    [InlineData("test.support", false, true)]
    [InlineData("lib2to3.tests.data", false, true)]
    [InlineData("idlelib.idle_test", false, true)]
    [InlineData("__phello__.spam", false, true)]
    [InlineData("_testcapi", true, true)]
    [InlineData("_ctypes_test", true, true)]
    [InlineData("xxlimited", true, true)]
    [InlineData("_xxsubinterpreters", true, true)]
    [InlineData("_testcapi", false, false)] // the name rules for test extension modules apply to extension modules only
    [InlineData("unittest", false, false)]
    [InlineData("testing", false, false)]
    [InlineData("doctest", false, false)]
    [InlineData("_json", true, false)]
    public void CPythons_own_tests_are_told_by_name(string name, bool extension, bool test) =>
        Assert.Equal(test, StdlibWhole.IsTestPart(name, extension));

    [Fact]
    public void A_module_a_PEP_removes_later_is_deprecated_until_that_version()
    {
        Assert.Equal("deprecated by PEP 594, removed in Python 3.13", RemovedModules.Deprecated("cgi", 3, 11));
        Assert.NotNull(RemovedModules.Deprecated("distutils.core", 3, 11)); // a package's submodules too (PEP 632)
        Assert.Null(RemovedModules.Deprecated("cgi", 3, 13)); // gone: nothing to leave out
        Assert.Null(RemovedModules.Deprecated("json", 3, 11));
        Assert.Null(RemovedModules.Deprecated("cgi", 2, 7));
    }
}

/// <summary>The whole stdlib of real interpreters (Debian's 3.11 with libpython linked in, pyenv's shared build): what
/// it collects and what each rule leaves out.</summary>
public sealed class StdlibWholeTests
{
    [Theory]
    [MemberData(nameof(Pythons.All), MemberType = typeof(Pythons))]
    public void The_whole_stdlib_holds_what_apps_name_at_run_time_and_leaves_out_what_no_app_runs(string python)
    {
        using var t = new TempDir("stdlib-whole");
        var interp = AppAnalysis.Probe(python, t.Write("app.py", "print('hi')\n"));
        var plan = StdlibWhole.Make(interp, HookSet.Load([]), keep: _ => false, excluded: _ => false);
        // named at run time by real apps: a codec, a dialect's driver, a pickle's class, a logging handler from a config
        foreach (var name in new[] { "csv", "json", "encodings.cp1252", "xml.dom.minidom", "logging.handlers", "concurrent.futures.thread", "zipfile", "email.mime.text", "_json" })
            Assert.Contains(name, plan.Modules);
        var rules = plan.LeftOut.ToDictionary(l => l.Module, l => l.Rule, StringComparer.Ordinal);
        Assert.Equal("stdlib-test", rules["test"]);
        Assert.Equal("stdlib-deprecated", rules["cgi"]);
        Assert.Equal("stdlib-python-fallback", rules["_pydecimal"]);
        Assert.Equal("stdlib-developer-tool", rules["pdb"]);
        Assert.Equal("stdlib-extension-library", rules["_ssl"]); // OpenSSL's libssl is not the target system's
        foreach (var name in new[] { "test.support", "_testcapi", "_pydecimal", "pdb", "_ssl", "cgi" })
        {
            Assert.DoesNotContain(name, plan.Modules);
            Assert.Contains(name, plan.LeftOutNames);
        }
        Assert.Contains("_pydecimal", plan.Fallbacks);
        // a record per part: the test package's submodules are covered by its one record
        Assert.DoesNotContain(plan.LeftOut, l => l.Module.StartsWith("test.", StringComparison.Ordinal));
        // kept whatever the rules say: a module the graph holds (the app imported it), and excluded ones are neither
        var kept = StdlibWhole.Make(interp, HookSet.Load([]), keep: n => n == "pdb", excluded: n => n == "csv");
        Assert.Contains("pdb", kept.Modules);
        Assert.DoesNotContain("csv", kept.Modules);
        Assert.DoesNotContain(kept.LeftOut, l => l.Module is "pdb" or "csv");
    }
}
