using System.Text.Json;
using PyFreeze.Report;
using PyFreeze.Tests.Infrastructure;

namespace PyFreeze.Tests.EndToEnd;

/// <summary>
/// Fixtures/apps/dataout (issue 20, cause 5: data outside packages) frozen with no flags, run once with Python hidden and,
/// explicitly besides, the build machine's copies of that data: the GObject typelib folder, babel's
/// /usr/share/python-babel-localedata and /usr/share/docutils; compared with python3 dataout.py line by line.
/// </summary>
public sealed class DataOutsidePackagesRun
{
    /// <summary>What the run hides on top of run-without-python's own hiding (which covers them too; named here so the
    /// test does not depend on it).</summary>
    public static readonly string[] Hidden =
    [
        "/usr/lib/x86_64-linux-gnu/girepository-1.0", "/usr/lib/girepository-1.0", "/usr/share/python-babel-localedata", "/usr/share/docutils",
    ];

    /// <summary>Builds and runs the app.</summary>
    public DataOutsidePackagesRun()
    {
        App = Apps.Get("dataout", "dataout.py", Pythons.Debian);
        var box = Apps.NewSandbox();
        Check = box.Run("/bin/bash", ["-c", "for p; do [ -d \"$p\" ] && ls -A \"$p\"; done; echo end", "check", .. Hidden], hide: Hidden);
        Frozen = box.Run(App.Executable, [], hide: Hidden);
        Python = Proc.Exec(Pythons.Debian, ["-B", Apps.Entry("dataout", "dataout.py")], cwd: Path.GetTempPath());
        Values = Parse(Frozen);
        PythonValues = Parse(Python);
    }

    private static Dictionary<string, string> Parse(Run run) => run.StdOut.Split('\n', StringSplitOptions.RemoveEmptyEntries)
        .Select(l => l.Split('=', 2)).Where(p => p.Length == 2).ToDictionary(p => p[0], p => p[1]);

    /// <summary>The build.</summary>
    public Apps.Built App { get; }

    /// <summary>Lists the hidden folders inside the sandbox: only <c>end</c> when they are empty there.</summary>
    public Run Check { get; }

    /// <summary>The frozen run.</summary>
    public Run Frozen { get; }

    /// <summary>python3 dataout.py.</summary>
    public Run Python { get; }

    /// <summary>The frozen run's KEY=VALUE lines.</summary>
    public Dictionary<string, string> Values { get; }

    /// <summary>python3's.</summary>
    public Dictionary<string, string> PythonValues { get; }
}

/// <summary>Each kind of outside data: the frozen app prints what python3 prints, and the build says why the files are in.</summary>
public class DataOutsidePackagesTests(DataOutsidePackagesRun r) : IClassFixture<DataOutsidePackagesRun>
{
    private void Same(params string[] keys)
    {
        Assert.Equal("end", r.Check.StdOut.Trim()); // the hidden folders are empty inside the sandbox
        Assert.True(r.Frozen.ExitCode == 0, r.Frozen.ToString());
        Assert.True(r.Python.ExitCode == 0, r.Python.ToString());
        foreach (var key in keys)
        {
            Assert.True(r.PythonValues.TryGetValue(key, out var python) && !python.StartsWith("ERROR", StringComparison.Ordinal), $"python3: {key}={python}\n{r.Python}");
            Assert.True(r.Values.TryGetValue(key, out var frozen), $"no '{key}='\n{r.Frozen}");
            Assert.True(frozen == python, $"{key}: python3 '{python}', frozen '{frozen}'\n{r.Frozen.StdErr}");
        }
    }

    /// <summary>The payload leaves (path → reason) of the build report.</summary>
    private Dictionary<string, string?> Leaves()
    {
        var leaves = new Dictionary<string, string?>(StringComparer.Ordinal);
        void Walk(ReportNode n)
        {
            if (n.Path is not null)
                leaves[n.Path] = n.Reason;
            foreach (var c in n.Children ?? [])
                Walk(c);
        }
        Walk(ReportBuilder.Create(r.App.Result.Stages).Tree);
        return leaves;
    }

    [Fact]
    public void Gi_namespaces_run_from_the_typelibs_the_app_carries()
    {
        Same("gi_gobject", "gi_glib", "gi_variant", "gi_gio");
        var leaves = Leaves();
        // GLib and GObject (gi's own and Gio's header's dependency) and Gio (imported and require_version'd); not
        // GModule or GIRepository, which nothing names
        Assert.Equal(["GLib-2.0.typelib", "GObject-2.0.typelib", "Gio-2.0.typelib"],
            leaves.Where(l => l.Value == "gi-typelib" && l.Key.EndsWith(".typelib", StringComparison.Ordinal))
                .Select(l => Path.GetFileName(l.Key)).Order(StringComparer.Ordinal));
        Assert.Contains(r.App.Result.Plan.Libraries, l => l.Name == "libgio-2.0.so.0");
        Assert.Contains(r.App.Result.Plan.ScriptLibraries, l => l.Name == "girepository-1.0" && l.Dest == "python/lib/girepository-1.0");
        Assert.DoesNotContain(r.App.Result.Plan.Warnings, w => w.Contains("GObject namespace", StringComparison.Ordinal));
    }

    [Fact]
    public void Babel_locale_data_linked_into_usr_share_is_carried_as_files()
    {
        Same("babel_name", "babel_date");
        var leaves = Leaves();
        Assert.Equal("debian-share-data", leaves.GetValueOrDefault("app/babel/locale-data/de_DE.dat"));
        Assert.Equal("debian-share-data", leaves.GetValueOrDefault("app/babel/global.dat"));
        Assert.Null(leaves.GetValueOrDefault("app/babel/__init__.pyc"));
    }

    [Fact]
    public void Docutils_reads_its_usr_share_data_from_the_copy_its_hook_points_at()
    {
        Same("docutils_html");
        Assert.Equal("debian-share-data", Leaves().GetValueOrDefault("app/docutils/_pyfreeze_share/writers/html5_polyglot/template.txt"));
        // the hook carries what docutils/__init__.py names by its absolute path: no warning about it
        Assert.DoesNotContain(r.App.Result.Plan.Warnings, w => w.Contains("/usr/share/docutils", StringComparison.Ordinal));
    }

    [Fact]
    public void Folders_beside_the_entry_read_through_file_relative_paths_are_carried_with_their_py_files_as_data()
    {
        Same("i18n_files", "i18n_source", "templates", "absent");
        var leaves = Leaves();
        Assert.Equal("app-data", leaves.GetValueOrDefault("app/i18n/messages.py")); // copied, not compiled
        Assert.DoesNotContain("app/i18n/messages.pyc", leaves.Keys);
        Assert.Equal("app-data", leaves.GetValueOrDefault("app/templates/page.txt"));
        var line = File.ReadAllLines(Apps.Entry("dataout", "dataout.py")).ToList().FindIndex(l => l.Contains("absent-folder", StringComparison.Ordinal)) + 1;
        var warning = Assert.Single(r.App.Result.Plan.Warnings, w => w.Contains("absent-folder", StringComparison.Ordinal));
        Assert.StartsWith($"{Apps.Entry("dataout", "dataout.py")}:{line}: ", warning);
        Assert.DoesNotContain(r.App.Result.Plan.Warnings, w => w.Contains("page.txt", StringComparison.Ordinal));
    }

    [Fact]
    public void The_json_report_names_the_reason_of_each_such_file()
    {
        using var json = new MemoryStream();
        PyFreeze.Build.BuildReport.WriteJson(r.App.Result, json);
        var files = JsonDocument.Parse(json.ToArray()).RootElement.GetProperty("files").EnumerateArray()
            .Where(f => f.TryGetProperty("reason", out _))
            .ToDictionary(f => f.GetProperty("path").GetString()!, f => f.GetProperty("reason").GetString());
        Assert.Equal("gi-typelib", files["python/lib/girepository-1.0/Gio-2.0.typelib"]);
        Assert.Equal("gi-typelib", files["python/lib/libgio-2.0.so.0"]); // a shared library a typelib names
        Assert.Equal("debian-share-data", files["app/babel/locale-data/fr.dat"]);
        Assert.Equal("app-data", files["app/i18n/README.txt"]);
    }
}
