using PyFreeze.Analyze;
using PyFreeze.Collect;
using PyFreeze.Probe;
using PyFreeze.Tests.Infrastructure;

namespace PyFreeze.Tests.Analyze;

/// <summary>
/// Debian's own developer tools (issue 20's corpus, bench/corpus.py), frozen from /usr/bin with no flags and run with
/// every Python hidden, give what the same command gives under python3 in the same run: sphinx-build's LaTeX and HTML
/// builders (data Debian keeps in /usr/share/sphinx and /usr/share/docutils), every docutils writer, flake8 with the
/// plugins of other distributions (mccabe) and the ones it names itself (pyflakes), and pylint inferring the standard
/// library it lints against (astroid reads the modules' source).
/// </summary>
public class DebianToolTests
{
    private const string Rst = "Title\n=====\n\nSome *text* with ``code``.\n\n- one\n- two\n\n.. note:: A note.\n";

    private static Run Python(string program, IEnumerable<string> args, string cwd, string home) =>
        Proc.Exec(program, args, cwd: cwd, env: new Dictionary<string, string?> { ["HOME"] = home, ["LANG"] = "C.UTF-8", ["COLUMNS"] = "100" });

    /// <summary>The frozen run's terminal width and locale, as <see cref="Python"/> gives (argparse wraps at COLUMNS).</summary>
    private static readonly Dictionary<string, string> Terminal = new() { ["LANG"] = "C.UTF-8", ["COLUMNS"] = "100" };

    /// <summary>The files of an output folder with their text, the environment pickle and build-info stamp left out (they
    /// hold paths and hashes of the run).</summary>
    private static SortedDictionary<string, string> Tree(string dir) => new(Directory.EnumerateFiles(dir, "*", SearchOption.AllDirectories)
        .Select(f => Path.GetRelativePath(dir, f))
        .Where(r => !r.StartsWith(".doctrees", StringComparison.Ordinal) && r != ".buildinfo")
        .ToDictionary(r => r, r => File.ReadAllText(Path.Combine(dir, r))), StringComparer.Ordinal);

    /// <summary>sphinx-build -b latex needs docutils' latex2e writer, whose module reads <c>docutils.sty</c> through
    /// <c>docutils._datadir_latex</c> (Debian binds it to the /usr/share/docutils <c>_datadir</c> at import); both builders
    /// read Sphinx's templates and themes from <c>sphinx.package_dir</c>, '/usr/share/sphinx' on Debian; sphinx.util.requests
    /// needs idna, which requests imports by a name in a loop. The outputs are the same files with the same text.</summary>
    [Fact] // python3-sphinx: .ci/run installs it
    public void Debians_sphinx_build_writes_the_same_latex_and_html_frozen()
    {
        using var t = new TempDir("debian-tool");
        t.Write("p/conf.py", "project = 'Corpus'\nextensions = ['sphinx.ext.autodoc']\n");
        t.Write("p/index.rst", Rst);
        Directory.CreateDirectory(t["home"]);
        var result = Freezer.Build("/usr/bin/sphinx-build", Pythons.Debian, t["dist"]);
        Assert.Contains(result.Files, f => f.Path == "app/sphinx/_pyfreeze_share/themes/basic/layout.html");
        Assert.Contains(result.Files, f => f.Path == "app/docutils/_pyfreeze_share/writers/latex2e/docutils.sty");
        Assert.DoesNotContain(result.Files, f => f.Path.StartsWith("app/sphinx/_pyfreeze_share/scripts/", StringComparison.Ordinal));
        var sandbox = Apps.NewSandbox();
        foreach (var builder in new[] { "latex", "html" })
        {
            var py = Python("/usr/bin/sphinx-build", ["-q", "-b", builder, "p", "py-" + builder], t.Path, t["home"]);
            Assert.True(py.ExitCode == 0, py.ToString());
            var frozen = sandbox.Run(result.Executable, ["-q", "-b", builder, "p", "frozen-" + builder], cwd: t.Path);
            Assert.True(frozen.ExitCode == 0, frozen.ToString());
            var expected = Tree(t["py-" + builder]);
            Assert.Equal(expected, Tree(t["frozen-" + builder]));
            Assert.Contains(expected.Keys, k => k.EndsWith(builder == "latex" ? ".tex" : "index.html", StringComparison.Ordinal));
        }
    }

    /// <summary>An app that renders one document with every docutils writer that reads data from its folder
    /// (html4css1, html5_polyglot, latex2e, xetex, s5_html, pep_html, odf_odt), each redirected by Debian to
    /// /usr/share/docutils: the same length and lines frozen as under python3, stylesheets embedded (the ODT: a zip
    /// built on its styles.odt; its bytes hold time stamps).</summary>
    [Fact] // python3-docutils: .ci/run installs it
    public void Every_docutils_writer_finds_its_data_frozen()
    {
        using var t = new TempDir("debian-tool");
        var app = t.Write("writers.py", """
            import sys
            import warnings
            from docutils.core import publish_string
            warnings.simplefilter("ignore", FutureWarning)
            source = sys.stdin.read()
            settings = {"output_encoding": "unicode", "_disable_config": True, "embed_stylesheet": True, "datestamp": False,
                        "generator": False}
            for writer in ["html4css1", "html5", "latex", "xetex", "s5"]:
                text = publish_string(source, writer_name=writer, settings_overrides=settings)
                print(writer, len(text), text.count("\n"))
            pep = publish_string("PEP: 1\nTitle: T\nAuthor: A\nStatus: Draft\n\n" + source, reader_name="pep",
                                 writer_name="pep_html", settings_overrides=dict(settings, python_home=".", pep_home="."))
            print("pep_html", len(pep), pep.count("\n"))
            odt = publish_string(source, writer_name="odf_odt", settings_overrides={"_disable_config": True})
            print("odf_odt", odt[:2] == b"PK", len(odt) > 5000)
            """);
        var stdin = Rst;
        var py = Proc.Exec(Pythons.Debian, [app], cwd: t.Path, stdin: stdin);
        Assert.True(py.ExitCode == 0, py.ToString());
        var result = Freezer.Build(app, Pythons.Debian, t["dist"]);
        var frozen = Apps.NewSandbox().Run(result.Executable, stdin: stdin);
        Assert.True(frozen.ExitCode == 0, frozen.ToString());
        Assert.Equal(py.StdOut, frozen.StdOut);
        Assert.Contains("odf_odt True True", frozen.StdOut);
    }

    /// <summary>flake8 loads the plugins of every distribution's <c>flake8.extension</c> group: its own <c>F</c>
    /// (flake8.plugins.pyflakes, which imports pyflakes.checker, which imports doctest at top level: not a doctest plugin)
    /// and mccabe's <c>C90</c>, a module nothing imports that only mccabe's entry_points.txt names. <c>--version</c> lists
    /// the plugins' distributions (their metadata came along) and <c>--max-complexity 0</c> runs mccabe.</summary>
    [Fact] // flake8: .ci/run installs it
    public void Debians_flake8_loads_the_plugins_of_other_distributions_frozen()
    {
        using var t = new TempDir("debian-tool");
        t.Write("style.py", "import os,sys\ndef f( a ):\n  l = 1\n  return a+1\nx = [1,2 ,3]\n");
        Directory.CreateDirectory(t["home"]);
        var result = Freezer.Build("/usr/bin/flake8", Pythons.Debian, t["dist"]);
        Assert.Contains(result.Files, f => f.Path == "app/mccabe.pyc");
        Assert.Contains(result.Files, f => f.Path.StartsWith("app/mccabe-", StringComparison.Ordinal) && f.Path.EndsWith("/entry_points.txt", StringComparison.Ordinal));
        var sandbox = Apps.NewSandbox();
        foreach (var args in new[] { new[] { "--version" }, ["--max-complexity", "0", "style.py"] })
        {
            var py = Python("/usr/bin/flake8", args, t.Path, t["home"]);
            var frozen = sandbox.Run(result.Executable, args, Terminal, cwd: t.Path);
            Assert.True(py.ExitCode == frozen.ExitCode, $"python3: {py}\nfrozen: {frozen}");
            Assert.Equal(py.StdOut, frozen.StdOut);
        }
        var report = sandbox.Run(result.Executable, ["--max-complexity", "0", "style.py"], Terminal, cwd: t.Path).StdOut;
        Assert.Contains("F401 'os' imported but unused", report);
        Assert.Contains("C901 'f' is too complex", report);
    }

    /// <summary>pylint infers what the linted file imports from the standard library's source (astroid): frozen, the
    /// stdlib ships its .py, so <c>json.dumpz</c> is a no-member error and <c>import os</c> is no import-error; the
    /// report and the exit status (a bit mask of the message kinds) are python3's.</summary>
    [Fact] // pylint: .ci/run installs it
    public void Debians_pylint_infers_the_standard_library_frozen()
    {
        using var t = new TempDir("debian-tool");
        // (os.path infers to both posixpath and ntpath, which one a message names varies with the hash seed: not used)
        t.Write("lint.py", "\"\"\"Doc.\"\"\"\nimport os\nimport json\n\nprint(os.getcwd(), json.dumpz({}))\n");
        Directory.CreateDirectory(t["home"]);
        var result = Freezer.Build("/usr/bin/pylint", Pythons.Debian, t["dist"]);
        Assert.Contains(result.Files, f => f.Path == "python/lib/python3.11/posixpath.py");
        Assert.Contains(result.Files, f => f.Path == "python/lib/python3.11/json/__init__.py");
        string[] args = ["--persistent=n", "--score=n", "lint.py"];
        var py = Python("/usr/bin/pylint", args, t.Path, t["home"]);
        var frozen = Apps.NewSandbox().Run(result.Executable, args, Terminal, cwd: t.Path);
        Assert.Contains("E1101: Module 'json' has no 'dumpz' member", py.StdOut);
        Assert.True(py.ExitCode == frozen.ExitCode, $"python3: {py}\nfrozen: {frozen}");
        Assert.Equal(py.StdOut, frozen.StdOut);
    }

    /// <summary>Mako registers a <c>pygments.lexers</c> plugin (and babel and lingua extractors) for tools it does not
    /// depend on, and pygments/plugin.py names that group: an app that reaches pygments is not given Mako, since Mako is
    /// not tied to Pygments (neither requires the other, and not all its entry points are Pygments').</summary>
    [Fact] // python3-mako: .ci/run installs it with python3-alembic
    public void A_library_that_registers_a_plugin_for_a_tool_it_does_not_need_is_not_pulled_in()
    {
        const string lexer = "/usr/lib/python3/dist-packages/mako/ext/pygmentplugin.py";
        Assert.True(File.Exists(lexer), $"{lexer} is missing: apt-get install python3-mako (the case this test is about)");
        var interp = InterpreterProbe.Run(Pythons.Debian);
        var (result, _) = AppAnalysis.Run(interp, "/usr/bin/pygmentize", [], [], [], Collector.RuntimeImports(interp));
        Assert.Contains(result.Graph.Modules, m => m.Name == "pygments.plugin" && m.Reached);
        Assert.DoesNotContain(result.Graph.Modules, m => m.TopLevel == "mako");
    }
}
