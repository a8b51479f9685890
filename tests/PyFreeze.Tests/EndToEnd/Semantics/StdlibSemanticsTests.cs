using PyFreeze.Tests.Infrastructure;
using static PyFreeze.Tests.EndToEnd.Semantics.SemanticApps;

namespace PyFreeze.Tests.EndToEnd.Semantics;

/// <summary>
/// The standard library's run-time machinery in a frozen app, with Python hidden: multiprocessing's three start
/// methods, ctypes (an app-shipped library, a library an extension links, the system's libc/libm, find_library),
/// codecs found by name, importlib.resources and pkgutil on regular and namespace packages, zoneinfo, --optimize and
/// unbuffered stdio.
/// </summary>
[Trait("Roots", "inside")] // also run inside the trixie and sid roots (Python 3.13, 3.14): see DebianRoots
public class StdlibSemanticsTests
{
    private static Dictionary<string, string> RunCore(string[] args, IDictionary<string, string>? env = null, int optimize = 0,
        string python = Pythons.Debian)
    {
        var run = NewSandbox().Run(Core(optimize, python).Executable, args, env);
        var v = Ok(run);
        Assert.True(v.Count > 0, run.ToString());
        return v;
    }

    /// <summary>Every start method with each interpreter (Debian's static libpython, pyenv's shared one).</summary>
    public static IEnumerable<object[]> StartMethods() =>
        from p in Pythons.All() from m in new[] { "spawn", "fork", "forkserver" } select new object[] { m, p[0] };

    [Theory]
    [MemberData(nameof(StartMethods))]
    public void Multiprocessing_pool_queue_and_process_pool_executor(string method, string python)
    {
        // OneFileTests covers a spawn Pool and Queue; here every start method, concurrent.futures, a Manager, a shared
        // Value and Lock, and shared memory (the resource tracker helper) on top. Stderr must stay empty: no
        // leaked-resource warnings, no helper refused.
        var run = NewSandbox().Run(Core(python: python).Executable, ["mp", method], timeoutSeconds: 180);
        var v = Ok(run);
        Assert.True(run.StdErr == "", run.ToString());
        Has(v, "method", method);
        Has(v, "pool", "285");
        Has(v, "queue-from-child", "True");
        Has(v, "child-exitcode", "0");
        Has(v, "executor", "[9, 16, 25]");
        Has(v, "executor-submit", "1024");
        Has(v, "manager", "(3, 3, '010203', [0, 0, 0])");
        Has(v, "children-left", "[]");
    }

    [Theory]
    [MemberData(nameof(OneFileTests.Pythons_), MemberType = typeof(OneFileTests))]
    public void Ctypes_loads_shipped_bundled_and_system_libraries(string python)
    {
        var v = RunCore(["ctypes", ShippedLibrary], python: python);
        Has(v, "find-c", "libc.so.6");
        Has(v, "find-m", "libm.so.6");
        Has(v, "libc-abs", "7");
        Has(v, "libm-cos0", "1.0");
        Has(v, "libc-by-name", "4");
        Has(v, "find-missing", "None");
        Has(v, "pythonapi", "(1, True)"); // the interpreter's own C API: a static binary's or the bundled libpython's
        Has(v, "cdll-none", "True");
        // libffi is bundled because _ctypes links it: find_library finds the bundled copy first.
        Has(v, "find-ffi-bundled", "True");
        Has(v, "ffi-loads", "True");
        Has(v, "shipped-exists", "True");
        Has(v, "shipped-version-ok", "True");
    }

    [Fact]
    public void Importlib_resources_and_pkgutil_on_regular_and_namespace_packages()
    {
        var v = RunCore(["resources"]);
        Has(v, "res-read", "hello from sempkg data");
        Has(v, "res-is-file", "True");
        Has(v, "res-listing", "['hello.txt']");
        Has(v, "res-as-file", "hello from sempkg data");
        Has(v, "ns-res-top", "top of the namespace package");
        Has(v, "ns-res-sub", "namespace data");
        Has(v, "ns-res-names", "['nsmod.pyc', 'part', 'top.txt']");
        Has(v, "iter-plugins", "['alpha', 'beta']");
        Has(v, "loaded-plugins", "['alpha', 'beta']");
        Has(v, "iter-prefixed", "['sempkg.plugins.alpha', 'sempkg.plugins.beta']");
        // As under python3: pkgutil lists modules and regular packages; a namespace package is not listed.
        Has(v, "iter-top", "[('sempkg', True), ('semns', None), ('lazymod', False), ('optmod', False), ('json', True)]");
        Has(v, "walk", "['sempkg.plugins', 'sempkg.plugins.alpha', 'sempkg.plugins.beta']");
        Has(v, "get-data", "hello from sempkg data");
        Has(v, "get-data-ns", "namespace data");
    }

    [Fact]
    public void Zoneinfo_uses_the_system_database_then_the_tzdata_package()
    {
        var app = Core();
        // The app never imports tzdata by name (zoneinfo does, by a computed name): the zoneinfo hook collects it.
        Assert.Contains(app.Result.Files, f => f.Path == "app/tzdata/zoneinfo/Europe/Paris");
        var v = RunCore(["zoneinfo"]);
        Has(v, "paris-summer", "2:00:00");
        Has(v, "paris-winter", "CET");
        Has(v, "ny-winter", "EST");
        Has(v, "utc-winter", "UTC");
        Has(v, "tzdata-package", "True");
        Assert.True(int.Parse(v["available"]) > 300, v["available"]); // the system database (/usr/share/zoneinfo)

        // With the system database out of reach (PYTHONTZPATH, read by zoneinfo itself despite -I) the tzdata
        // package serves, exactly as under python3: its zones are found, the others are not.
        var run = NewSandbox().Run(app.Executable, ["zoneinfo"], new Dictionary<string, string> { ["PYTHONTZPATH"] = "/nonexistent" });
        var hidden = Ok(run);
        var python = Values(Proc.Exec(Pythons.Debian, ["-B", Fixture("core", "semcore.py"), "zoneinfo"],
            env: new Dictionary<string, string?> { ["PYTHONTZPATH"] = "/nonexistent", ["PYTHONPATH"] = Fixture("tzpkg") }));
        Assert.True(python.Count >= 6, string.Join('\n', python));
        foreach (var (key, value) in python)
            Has(hidden, key, value, run);
        Has(hidden, "paris-summer", "2:00:00");
        Has(hidden, "ny", "not-found: 'No time zone found with key America/New_York'");
        Has(hidden, "available", "2");
    }

    [Theory]
    [InlineData("C.UTF-8")]
    [InlineData("C")]
    public void Codecs_found_by_name_encode_as_under_python3(string locale)
    {
        var env = new Dictionary<string, string> { ["LC_ALL"] = locale };
        var run = NewSandbox().Run(Core().Executable, ["encodings"], env);
        var frozen = Ok(run);
        var python = Values(Proc.Exec(Pythons.Debian, ["-B", Fixture("core", "semcore.py"), "encodings"], env: new Dictionary<string, string?> { ["LC_ALL"] = locale }));
        Assert.True(python.Count >= 15, string.Join('\n', python));
        foreach (var (key, value) in python)
            Has(frozen, key, value, run);
        Has(frozen, "enc-idna", "xn--bcher-kva.example");
        Has(frozen, "enc-fs", "utf-8"); // the C locale is coerced to UTF-8 as python3 does, despite -I
    }

    [Theory]
    [InlineData(0, "True", "asserts-run", "function docstring")]
    [InlineData(1, "False", "asserts-stripped", "function docstring")]
    [InlineData(2, "False", "asserts-stripped", "None")]
    public void Optimize_strips_asserts_and_at_2_docstrings(int level, string debug, string asserts, string doc)
    {
        var v = RunCore(["optimize"], optimize: level);
        Has(v, "flags-optimize", level.ToString());
        Has(v, "debug", debug);
        Has(v, "assert", asserts);
        Has(v, "func-doc", doc);
        Has(v, "module-doc", level == 2 ? "None" : "optmod docstring");
        Assert.Equal(level == 2, v["main-doc"] == "None");
    }

    [Theory]
    [InlineData(false, "err0\nerr1\nerr2\nout0\nout1\nout2\ntail-no-newline")]
    [InlineData(true, "out0\nerr0\nout1\nerr1\nout2\nerr2\ntail-no-newline")]
    public void Stdio_into_one_pipe_interleaves_as_python3_and_honours_pythonunbuffered(bool unbuffered, string expected)
    {
        // stdout and stderr share one pipe: block-buffered stdout comes out at exit after the line-buffered stderr,
        // unless PYTHONUNBUFFERED makes every write go out at once (-u).
        var set = unbuffered ? "PYTHONUNBUFFERED=1 " : "";
        var app = Core();
        var frozen = NewSandbox().Run("/bin/bash", ["-c", $"{set}\"$1\" stdio 2>&1", "bash", app.Executable],
            binds: [Path.GetDirectoryName(app.Executable)!]);
        Assert.True(frozen.ExitCode == 0, frozen.ToString());
        var python = Proc.Exec("/bin/bash", ["-c", $"{set}\"$1\" -B \"$2\" stdio 2>&1", "bash", Pythons.Debian, Fixture("core", "semcore.py")],
            env: new Dictionary<string, string?> { ["PYTHONUNBUFFERED"] = null });
        Assert.True(python.ExitCode == 0, python.ToString());
        Assert.Equal(expected, python.StdOut);
        Assert.Equal(expected, frozen.StdOut);
    }
}
