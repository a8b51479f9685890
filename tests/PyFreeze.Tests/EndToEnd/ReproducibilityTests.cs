using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using PyFreeze.Tests.Infrastructure;

namespace PyFreeze.Tests.EndToEnd;

/// <summary>
/// Release builds in CI: the same app, interpreter and packages give the same bytes whatever the working folder, the
/// build folder, the user's umask, PYTHONHASHSEED, the time zone, and whether the build cache was warm; and the payload
/// carries no path of the build machine. Also <c>pyfreeze inspect</c> and the build cache's self-checks.
/// </summary>
public class ReproducibilityTests
{
    private static readonly string Tool = Path.Combine(AppContext.BaseDirectory, "pyfreeze.dll");

    private static (string Exe, Run Run) BuildIn(string dir, string entry, string python, string umask, string seed, string tz, string extra = "")
    {
        Directory.CreateDirectory(dir);
        var script = $"umask {umask}; cd \"{dir}\" && PYTHONHASHSEED={seed} TZ={tz} PYFREEZE_BUILD_CACHE=\"{dir}/cache\" " +
                     $"dotnet \"{Tool}\" build \"{entry}\" --python {python} --workpath \"{dir}/w-{seed}\" --distpath \"{dir}/out\" --log-level WARN --json report.json {extra}";
        var run = Proc.Exec("/bin/bash", ["-c", script], timeoutSeconds: 600);
        Assert.True(run.ExitCode == 0, run.ToString());
        var name = Path.GetFileNameWithoutExtension(entry);
        return (Path.Combine(dir, "out", name), run);
    }

    private static string Sha(string file) => Convert.ToHexStringLower(SHA256.HashData(File.ReadAllBytes(file)));

    public static IEnumerable<object[]> Cases()
    {
        foreach (var app in new[] { "examples/hello/hello.py", "tests/PyFreeze.Tests/Fixtures/apps/numpyapp/numpy_app.py" })
        {
            yield return [app, Pythons.Debian];
            if (File.Exists(Pythons.Pyenv) && !app.Contains("numpy"))
                yield return [app, Pythons.Pyenv];
        }
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public void Two_builds_under_different_conditions_are_byte_identical(string app, string python)
    {
        using var t = new TempDir("repro");
        var entry = Repo.Path_(app.Split('/'));
        var (a, _) = BuildIn(t["first build"], entry, python, "022", "0", "UTC");
        var (b, _) = BuildIn(t["second/build-ü"], entry, python, "077", "12345", "Asia/Tokyo");
        Assert.Equal(Sha(a), Sha(b));
        using var report = JsonDocument.Parse(File.ReadAllText(t["first build/report.json"]));
        Assert.Equal(64, report.RootElement.GetProperty("payload").GetProperty("sha256").GetString()!.Length);
    }

    [Fact]
    public void An_include_source_build_is_byte_identical_too_and_counts_its_sources()
    {
        using var t = new TempDir("repro");
        var entry = Apps.Entry("tracebacks", "tbapp.py");
        var (a, _) = BuildIn(t["first build"], entry, Pythons.Debian, "022", "0", "UTC", "--include-source");
        var (b, _) = BuildIn(t["second/build-ü"], entry, Pythons.Debian, "077", "12345", "Asia/Tokyo", "--include-source");
        Assert.Equal(Sha(a), Sha(b));
        using var report = JsonDocument.Parse(File.ReadAllText(t["first build/report.json"]));
        // tbapp.py, tbpkg/__init__.py, tbpkg/mod.py and rich's modules (rich, pygments, markdown_it: third-party)
        Assert.True(report.RootElement.GetProperty("bytecode").GetProperty("sources").GetInt32() > 3, report.RootElement.GetProperty("bytecode").ToString());
    }

    /// <summary>The module graph does not depend on which scan finishes first: four analyses of rich's traceback app run
    /// at once (the machine loaded, the thread pool's scans finishing in another order each time) give the same modules,
    /// edges and excluded imports. Before scan results were taken in start order, importlib's side import of
    /// importlib.readers was followed or excluded by a race, and an include-source build differed under load.</summary>
    [Fact]
    public void The_module_graph_is_the_same_however_the_scans_interleave()
    {
        using var t = new TempDir("repro");
        var entry = Apps.Entry("tracebacks", "tbapp.py");
        var runs = Enumerable.Range(0, 4).AsParallel().WithDegreeOfParallelism(4).Select(i =>
        {
            var json = t[$"graph-{i}.json"];
            var run = Proc.Exec("dotnet", [Tool, "analyze", entry, "--python", Pythons.Debian, "--json", json], timeoutSeconds: 300);
            Assert.True(run.ExitCode == 0, run.ToString());
            using var doc = JsonDocument.Parse(File.ReadAllText(json));
            return string.Join("\n", new[] { "modules", "edges", "excluded" }.Select(k => doc.RootElement.GetProperty(k).GetRawText()));
        }).ToList();
        Assert.True(runs[0].Length > 10_000, runs[0]);
        Assert.All(runs, r => Assert.Equal(runs[0], r));
    }

    [Fact]
    public void The_payload_holds_no_path_of_the_build_machine()
    {
        using var t = new TempDir("repro");
        var entry = Repo.Path_("examples", "hello", "hello.py");
        var (exe, _) = BuildIn(t["b"], entry, Pythons.Debian, "022", "0", "UTC");
        var extracted = t["x"];
        var run = Proc.Exec("dotnet", [Tool, "inspect", exe, "--extract", extracted]);
        Assert.True(run.ExitCode == 0, run.ToString());
        var forbidden = new[] { Repo.Root, t.Path, "/root/", "/home/", "/usr/lib/python3/dist-packages" };
        foreach (var file in Directory.EnumerateFiles(extracted, "*", SearchOption.AllDirectories))
        {
            if (file.EndsWith(".so", StringComparison.Ordinal) || file.Contains(".so.", StringComparison.Ordinal) || file.EndsWith("/python/bin/hello", StringComparison.Ordinal))
                continue; // binaries keep the strings their builders compiled in (e.g. the interpreter's configure prefix)
            var text = Encoding.Latin1.GetString(File.ReadAllBytes(file));
            foreach (var bad in forbidden)
                Assert.False(text.Contains(bad, StringComparison.Ordinal), $"{Path.GetRelativePath(extracted, file)} contains {bad}");
            Assert.False(file.EndsWith("direct_url.json", StringComparison.Ordinal), file);
        }
        // co_filename is relative: the entry's code says hello.py, a package module greeter/core.py
        var pyc = Encoding.Latin1.GetString(File.ReadAllBytes(Path.Combine(extracted, "app", "greeter", "core.pyc")));
        Assert.Contains("greeter/core.py", pyc);
    }

    [Fact]
    public void Inspect_describes_an_app_and_refuses_other_files()
    {
        var app = Apps.Get("hello", "hello.py", Pythons.Debian);
        var run = Proc.Exec("dotnet", [Tool, "inspect", app.Executable, "--json", "-"]);
        Assert.True(run.ExitCode == 0, run.ToString());
        using var doc = JsonDocument.Parse(run.StdOut);
        var r = doc.RootElement;
        Assert.Equal("hello", r.GetProperty("app").GetString());
        Assert.Equal(app.Result.Payload!.Sha256, r.GetProperty("payload").GetProperty("sha256").GetString());
        Assert.True(r.GetProperty("payload").GetProperty("intact").GetBoolean());
        Assert.Equal("linux-x64", r.GetProperty("build").GetProperty("rid").GetString());
        Assert.StartsWith("3.11", r.GetProperty("build").GetProperty("python").GetString());
        Assert.Equal("hello.py", r.GetProperty("build").GetProperty("entry").GetString());
        Assert.Contains(r.GetProperty("files").EnumerateArray(), f => f.GetProperty("path").GetString() == "app/hello.pyc");
        Assert.Contains("PyFreeze app \"hello\"", run.StdErr);

        var ls = Proc.Exec("dotnet", [Tool, "inspect", "/bin/ls"]);
        Assert.NotEqual(0, ls.ExitCode);
        Assert.Equal("pyfreeze: error: /bin/ls: not a .NET single-file bundle, so not a PyFreeze app (no bundle signature)", ls.StdErr.Trim());

        using var t = new TempDir("inspect");
        var bytes = File.ReadAllBytes(app.Executable);
        File.WriteAllBytes(t["cut"], bytes[..(bytes.Length - 5000)]);
        var cut = Proc.Exec("dotnet", [Tool, "inspect", t["cut"]]);
        Assert.NotEqual(0, cut.ExitCode);
        Assert.Contains("truncated", cut.StdErr);
        Assert.Single(cut.StdErr.Trim().Split('\n'));
    }

    [Fact]
    public void A_damaged_build_cache_entry_is_rebuilt_not_used()
    {
        using var t = new TempDir("cache");
        var entry = t.Write("app/cached.py", "print('from the cache test')\n");
        var (exe, _) = BuildIn(t["b"], entry, Pythons.Debian, "022", "0", "UTC");
        var first = Sha(exe);
        // Damage every compiled module in the cache: truncate some, alter the others.
        var pycs = Directory.EnumerateFiles(t["b/cache/pyc"], "*.pyc", SearchOption.AllDirectories).ToList();
        Assert.NotEmpty(pycs);
        for (int i = 0; i < pycs.Count; i++)
        {
            var data = File.ReadAllBytes(pycs[i]);
            File.WriteAllBytes(pycs[i], i % 2 == 0 ? data[..(data.Length / 2)] : [.. data[..^1], (byte)(data[^1] ^ 0xff)]);
        }
        File.Delete(t["b/out/cached"]);
        var (again, _) = BuildIn(t["b"], entry, Pythons.Debian, "022", "0", "UTC", "--clean");
        Assert.Equal(first, Sha(again));
        var run = Apps.NewSandbox().Run(again, []);
        Assert.True(run.ExitCode == 0, run.ToString());
        Assert.Contains("from the cache test", run.StdOut);
    }

    [Fact]
    public void An_unwritable_build_cache_falls_back_with_one_warning()
    {
        using var t = new TempDir("cache");
        var entry = t.Write("app/nocache.py", "print(1)\n");
        var script = $"cd \"{t.Path}\" && PYFREEZE_BUILD_CACHE=/proc/pyfreeze-cache dotnet \"{Tool}\" build \"{entry}\" --python {Pythons.Debian} --log-level WARN";
        var run = Proc.Exec("/bin/bash", ["-c", script], timeoutSeconds: 600);
        Assert.True(run.ExitCode == 0, run.ToString());
        var warnings = run.StdErr.Split('\n').Where(l => l.Contains("build cache")).ToList();
        Assert.Single(warnings);
        Assert.True(File.Exists(t["dist/nocache"]));
    }

    private static void CopyTree(string from, string to)
    {
        foreach (var f in Directory.EnumerateFiles(from, "*", SearchOption.AllDirectories))
        {
            if (f.Contains("__pycache__"))
                continue;
            var dest = Path.Combine(to, Path.GetRelativePath(from, f));
            Directory.CreateDirectory(Path.GetDirectoryName(dest)!);
            File.Copy(f, dest);
        }
    }

    private static int Compiled(string reportPath)
    {
        using var report = JsonDocument.Parse(File.ReadAllText(reportPath));
        return report.RootElement.GetProperty("bytecode").GetProperty("compiled").GetInt32();
    }

    [Fact]
    public void A_change_to_one_module_recompiles_that_module_only()
    {
        using var t = new TempDir("incremental");
        CopyTree(Repo.Path_("examples", "hello"), t["src"]);
        var entry = t["src/hello.py"];
        var (first, _) = BuildIn(t["b"], entry, Pythons.Debian, "022", "0", "UTC");
        Assert.True(Compiled(t["b/report.json"]) > 100, "a cold build compiles the stdlib modules too");
        var written = File.GetLastWriteTimeUtc(first);
        var sha = Sha(first);
        BuildIn(t["b"], entry, Pythons.Debian, "022", "0", "UTC");
        Assert.Equal(0, Compiled(t["b/report.json"]));
        Assert.Equal(written, File.GetLastWriteTimeUtc(first)); // nothing changed: dist/hello is kept, not bundled again
        // an executable changed behind the build's back is written again
        using (var f = File.OpenWrite(first))
            f.SetLength(f.Length - 1);
        BuildIn(t["b"], entry, Pythons.Debian, "022", "0", "UTC");
        Assert.Equal(sha, Sha(first));
        var core = t["src/greeter/core.py"];
        File.WriteAllText(core, File.ReadAllText(core).Replace("return template.format(name=name)", "return template.format(name=name).upper()"));
        var (exe, _) = BuildIn(t["b"], entry, Pythons.Debian, "022", "0", "UTC");
        Assert.Equal(1, Compiled(t["b/report.json"]));
        var run = Apps.NewSandbox().Run(exe, ["Ada"]);
        Assert.True(run.ExitCode == 0, run.ToString());
        Assert.Contains("HELLO, ADA!", run.StdOut);
    }

    [Fact]
    public async Task Concurrent_builds_sharing_one_build_cache_are_safe()
    {
        using var t = new TempDir("concurrent");
        var entry = Repo.Path_("examples", "hello", "hello.py");
        var cache = t["shared-cache"];
        var builds = Enumerable.Range(0, 3).Select(i => Task.Run(() => Proc.Exec("/bin/bash", ["-c",
            $"cd \"{t.Path}\" && PYFREEZE_BUILD_CACHE=\"{cache}\" dotnet \"{Tool}\" build \"{entry}\" --python {Pythons.Debian} " +
            $"--workpath w{i} --distpath d{i} --log-level WARN"], timeoutSeconds: 600))).ToArray();
        foreach (var b in await Task.WhenAll(builds))
            Assert.True(b.ExitCode == 0, b.ToString());
        var hashes = Enumerable.Range(0, 3).Select(i => Sha(t[$"d{i}/hello"])).Distinct().ToList();
        Assert.Single(hashes);
        var run = Apps.NewSandbox().Run(t["d2/hello"], ["Ada"]);
        Assert.True(run.ExitCode == 0, run.ToString());
        // Nothing half-written is left in the cache: every entry has its checksum sidecar and matches it.
        foreach (var pyc in Directory.EnumerateFiles(Path.Combine(cache, "pyc"), "*.pyc", SearchOption.AllDirectories))
            Assert.True(File.Exists(pyc + ".sha256"), pyc);
    }
}
