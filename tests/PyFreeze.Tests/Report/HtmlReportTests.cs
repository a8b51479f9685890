using System.Collections.Concurrent;
using System.Net;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using PyFreeze.Tests.Binaries;
using PyFreeze.Tests.Infrastructure;

namespace PyFreeze.Tests.Report;

/// <summary>Apps built once through the <c>pyfreeze</c> command (a process of its own) with <c>--json</c> and
/// <c>--report</c>, for the report tests.</summary>
public sealed class ReportBuilds : IDisposable
{
    private static readonly string Tool = Path.Combine(AppContext.BaseDirectory, "pyfreeze.dll");
    private readonly TempDir _dir = new("report");
    private readonly ConcurrentDictionary<string, Lazy<ReportApp>> _apps = new();

    /// <summary>A built app: its entry, the extra build options, the JSON and HTML reports.</summary>
    public sealed record ReportApp(string Entry, string[] Options, string Json, string Html, string DefaultHtml, string Summary);

    /// <summary>Runs <c>pyfreeze ARGS</c> as a process.</summary>
    public static Run Pyfreeze(string cwd, params string[] args) => Proc.Exec("dotnet", [Tool, .. args], cwd: cwd, timeoutSeconds: 600);

    /// <summary>Builds (once) <paramref name="entry"/> with /usr/bin/python3.</summary>
    public ReportApp Get(string entry, params string[] options) => _apps.GetOrAdd(entry, _ => new Lazy<ReportApp>(() =>
    {
        var name = Path.GetFileNameWithoutExtension(entry);
        var work = Path.Combine(_dir.Path, name);
        Directory.CreateDirectory(work);
        var (json, html) = (Path.Combine(work, "report.json"), Path.Combine(work, "out", "report.html"));
        var run = Pyfreeze(work, ["build", entry, "--python", Pythons.Debian, "--distpath", "dist", "--workpath", "build", "--json", json,
            "--report", html, .. options]);
        Assert.True(run.ExitCode == 0, run.ToString());
        return new ReportApp(entry, options, json, html, Path.Combine(work, "build", name, "report.html"), run.StdOut);
    })).Value;

    /// <inheritdoc />
    public void Dispose() => _dir.Dispose();
}

/// <summary>
/// The build report end to end: real apps (requests, numpy and yt-dlp from Debian) built by the <c>pyfreeze</c>
/// command; the report document checked against its JSON Schema (Python's jsonschema) and against the payload it
/// describes; the HTML page rendered by a real headless browser (Debian's chromium, every host name unresolvable):
/// treemap rectangles for the top packages with areas proportional to their sizes, read from the DOM; the search
/// (<c>#q=</c>) highlighting a module; the why-chain the page shows (<c>#why=</c>) equal to <c>analyze --why</c>'s.
/// </summary>
public class HtmlReportTests(ReportBuilds builds) : IClassFixture<ReportBuilds>
{
    private static readonly string SchemaFile = Repo.Path_("src", "PyFreeze.Core", "Report", "report.schema.json");
    private static readonly string RequestsApp = Apps.Entry("reportapp", "reportapp.py");
    private static readonly string NumpyApp = Apps.Entry("numpyapp", "numpy_app.py");
    private static readonly string YtDlpApp = Repo.Path_("bench", "bench_apps", "ytdlp", "ytdlp_app.py");

    private ReportBuilds.ReportApp Requests => builds.Get(RequestsApp, "--exclude-module", "OpenSSL");

    [FactRequires("tool:chromium", "pymodule:jsonschema", "/usr/lib/python3/dist-packages/requests")]
    public void Requests_app() => Check(Requests, search: "urllib3", why: "urllib3.contrib.socks");

    [FactRequires("tool:chromium", "pymodule:jsonschema", "/usr/lib/python3/dist-packages/numpy")]
    public void Numpy_app() => Check(builds.Get(NumpyApp), search: "numpy.linalg", why: "numpy.linalg");

    [FactRequires("tool:chromium", "pymodule:jsonschema", "/usr/lib/python3/dist-packages/yt_dlp")]
    public void Yt_dlp_app() => Check(builds.Get(YtDlpApp), search: "yt_dlp.extractor", why: "yt_dlp.extractor.youtube");

    private static JsonNode Read(string file) => JsonNode.Parse(File.ReadAllText(file))!;

    private void Check(ReportBuilds.ReportApp app, string search, string why)
    {
        var build = Read(app.Json);
        var report = build["report"]!;
        ValidBySchema(report);
        HoldsThePayload(build, report);
        Assert.Contains("report: ", app.Summary);
        Assert.True(File.Exists(app.DefaultHtml), "every build writes build/NAME/report.html");
        Assert.Equal(File.ReadAllBytes(app.Html), File.ReadAllBytes(app.DefaultHtml));
        var html = File.ReadAllText(app.Html);
        Assert.True(html.Length <= 2 << 20, $"{html.Length} bytes");
        Assert.DoesNotMatch(new Regex(@"(src|href)\s*=\s*[""']?\s*(https?:)?//", RegexOptions.IgnoreCase), html);
        Assert.DoesNotContain("<link", html);
        Assert.DoesNotContain("<script src", html);
        TreemapIsProportional(app, build);
        SearchHighlights(app, search);
        WhyMatchesAnalyze(app, why);
    }

    /// <summary>The document is valid by report.schema.json (checked by Python's jsonschema, Draft 2020-12).</summary>
    private static void ValidBySchema(JsonNode report, params (string Name, JsonNode Document)[] bad)
    {
        using var t = new TempDir("reportschema");
        var files = new List<string> { t.Write("good.json", report.ToJsonString()) };
        files.AddRange(bad.Select((b, i) => t.Write($"bad{i}.json", b.Document.ToJsonString())));
        const string script = """
            import json, sys, jsonschema
            schema = json.load(open(sys.argv[1]))
            jsonschema.Draft202012Validator.check_schema(schema)
            v = jsonschema.Draft202012Validator(schema)
            for f in sys.argv[2:]:
                errors = sorted(v.iter_errors(json.load(open(f))), key=lambda e: list(e.path))
                print(f, "ok" if not errors else "invalid: " + "/".join(map(str, errors[0].path)) + ": " + errors[0].message[:200])
            """;
        var run = Proc.Exec(Requirements.PythonWith("jsonschema")!, ["-c", script, SchemaFile, .. files]);
        Assert.True(run.ExitCode == 0, run.ToString());
        var verdicts = run.StdOut.Split('\n', StringSplitOptions.RemoveEmptyEntries).ToDictionary(l => l.Split(' ')[0], l => l[(l.IndexOf(' ') + 1)..]);
        Assert.True(verdicts[files[0]] == "ok", verdicts[files[0]]);
        for (int i = 0; i < bad.Length; i++)
            Assert.True(verdicts[files[i + 1]].StartsWith("invalid", StringComparison.Ordinal), $"the schema accepts a document with {bad[i].Name}");
    }

    /// <summary>The tree's leaves are the payload's files (as <c>--json</c>'s <c>files</c> lists them), each once, with
    /// their sizes; every module leaf names a module whose chain of <c>via</c> reaches <c>__main__</c>.</summary>
    private static void HoldsThePayload(JsonNode build, JsonNode report)
    {
        var files = build["files"]!.AsArray().Where(f => !f!["path"]!.GetValue<string>().EndsWith('/'))
            .ToDictionary(f => f!["path"]!.GetValue<string>(), f => (f!["size"]!.GetValue<long>(), f["compressed"]!.GetValue<long>()));
        var leaves = new List<JsonNode>();
        void Walk(JsonNode n)
        {
            if (n["children"] is JsonArray children)
            {
                Assert.Equal(n["size"]!.GetValue<long>(), children.Sum(c => c!["size"]!.GetValue<long>()));
                foreach (var c in children)
                    Walk(c!);
            }
            else
                leaves.Add(n);
        }
        Walk(report["tree"]!);
        Assert.Equal(files.Keys.Order(StringComparer.Ordinal), leaves.Select(l => l["path"]!.GetValue<string>()).Order(StringComparer.Ordinal));
        foreach (var l in leaves)
            Assert.Equal(files[l["path"]!.GetValue<string>()], (l["size"]!.GetValue<long>(), l["compressed"]!.GetValue<long>()));
        Assert.Equal(files.Values.Sum(v => v.Item1), report["payload"]!["unpacked"]!.GetValue<long>());
        Assert.Equal(build["payload"]!["sha256"]!.GetValue<string>(), report["payload"]!["sha256"]!.GetValue<string>());

        var modules = report["modules"]!.AsArray().ToDictionary(m => m!["name"]!.GetValue<string>(), m => m!);
        foreach (var leaf in leaves.Where(l => l["module"] is not null))
        {
            var name = leaf["module"]!.GetValue<string>();
            Assert.True(modules.ContainsKey(name), $"{name} of {leaf["path"]} is not among the modules");
            var seen = new HashSet<string>();
            while (modules[name]["via"] is { } via && seen.Add(name))
                name = via.GetValue<string>();
            Assert.True(name == "__main__" || modules[name]["reached"]!.GetValue<bool>() == false, $"{leaf["module"]}'s chain stops at {name}");
        }
        var kinds = leaves.Select(l => l["kind"]!.GetValue<string>()).ToHashSet();
        foreach (var kind in new[] { "stdlib", "third-party", "app", "extension", "shared-library", "metadata", "runtime" })
            Assert.Contains(kind, kinds);
        foreach (var lib in report["libraries"]!.AsArray())
            Assert.True(lib!["via"] is not null && lib["path"] is not null, lib.ToJsonString());
    }

    /// <summary>The cells of the treemap's first level, from the DOM: name, size, and area from the style.</summary>
    private static List<(string Name, long Size, double Area, string Class)> Cells(string dom)
    {
        var cells = new List<(string, long, double, string)>();
        foreach (Match m in Regex.Matches(dom, @"<div class=""(?<class>cell[^""]*)""(?<attrs>[^>]*)>"))
        {
            var attrs = m.Groups["attrs"].Value;
            string Attr(string a) => WebUtility.HtmlDecode(Regex.Match(attrs, $@"\s{a}=""([^""]*)""").Groups[1].Value);
            if (Attr("data-depth") != "1")
                continue;
            var style = Attr("style");
            double Px(string prop) => double.Parse(Regex.Match(style, $@"(?<![-\w]){prop}:\s*([0-9.e+-]+)px").Groups[1].Value, System.Globalization.CultureInfo.InvariantCulture);
            cells.Add((Attr("data-name"), long.Parse(Attr("data-size")), Px("width") * Px("height"), m.Groups["class"].Value));
        }
        return cells;
    }

    /// <summary>The treemap has a rectangle for each of the largest top-level packages (summed here from <c>--json</c>'s
    /// files by owner), whose areas are in proportion to their sizes.</summary>
    private static void TreemapIsProportional(ReportBuilds.ReportApp app, JsonNode build)
    {
        var dom = Browser.DumpDom(Browser.FileUrl(app.Html));
        var cells = Cells(dom);
        var expected = build["files"]!.AsArray()
            .GroupBy(f => f!["owner"]?.GetValue<string>() ?? f!["path"]!.GetValue<string>().Split('/')[0])
            .Select(g => (g.Key, Size: g.Sum(f => f!["size"]!.GetValue<long>()))).OrderByDescending(x => x.Size).Take(6).ToList();
        var byName = cells.ToDictionary(c => c.Name);
        var total = cells.Sum(c => c.Size);
        var area = cells.Sum(c => c.Area);
        Assert.True(area > 1000 * 500, $"the treemap covers {area} px²");
        foreach (var (name, size) in expected)
        {
            Assert.True(byName.TryGetValue(name, out var cell), $"no rectangle for {name} among {string.Join(", ", cells.Take(20).Select(c => c.Name))}");
            Assert.Equal(size, cell.Size);
            var share = (double)size / total;
            var drawn = cell.Area / area;
            Assert.True(Math.Abs(drawn - share) <= 0.005 * share + 1e-6, $"{name}: {share:P3} of the bytes, {drawn:P3} of the area");
        }
    }

    /// <summary><c>#q=TEXT</c>: the top-level packages holding a match are highlighted, the others dimmed, and the matches
    /// are listed.</summary>
    private static void SearchHighlights(ReportBuilds.ReportApp app, string query)
    {
        var dom = Browser.DumpDom(Browser.FileUrl(app.Html, "q=" + Uri.EscapeDataString(query)));
        var cells = Cells(dom);
        var top = query.Split('.')[0];
        var hit = cells.Single(c => c.Name == top);
        Assert.Contains(" hit", hit.Class);
        Assert.Contains(cells, c => c.Class.Contains(" dim", StringComparison.Ordinal));
        Assert.All(cells.Where(c => c.Class.Contains(" hit", StringComparison.Ordinal)), c => Assert.DoesNotContain(" dim", c.Class));
        Assert.Matches($@"<div id=""results"">\d+ match(es)?: .*{Regex.Escape(query)}", dom);
    }

    /// <summary><c>#why=MODULE</c> shows the chain that <c>pyfreeze analyze ENTRY --why MODULE</c> prints first.</summary>
    private static void WhyMatchesAnalyze(ReportBuilds.ReportApp app, string module)
    {
        var analyze = ReportBuilds.Pyfreeze(Path.GetTempPath(), ["analyze", app.Entry, "--python", Pythons.Debian, "--why", module, .. app.Options]);
        Assert.True(analyze.ExitCode == 0, analyze.ToString());
        var lines = analyze.StdOut.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.StartsWith(module + " (", lines[0]);
        var expected = lines[1].Trim();
        Assert.StartsWith("__main__ → ", expected);
        var dom = Browser.DumpDom(Browser.FileUrl(app.Html, "why=" + Uri.EscapeDataString(module)));
        var shown = Regex.Match(dom, @"<div class=""chain-text"">([^<]*)</div>");
        Assert.True(shown.Success, "no chain shown for " + module);
        Assert.Equal(expected, WebUtility.HtmlDecode(shown.Groups[1].Value));
        Assert.Contains($"data-subject=\"{module}\"", dom);
        var steps = Regex.Matches(dom, @"<li data-module=""([^""]*)"" data-edge=""([^""]*)""").Select(m => $"{m.Groups[1].Value} ({m.Groups[2].Value}").ToList();
        Assert.Equal(expected.Split(" → ").Skip(1).Select(s => s[..(s.IndexOf(',') is var i and > 0 ? i : s.Length - 1)]), steps);
    }

    /// <summary><c>pyfreeze inspect APP --report FILE.html</c>: the report the executable carries is the build-time one
    /// but for the stage times (not kept, so rebuilds stay byte-identical); the page draws the same treemap and shows the
    /// same why-chain; the payload hash is the launch settings'. The stored entry's size is printed for the record.</summary>
    [FactRequires("tool:chromium", "pymodule:jsonschema", "/usr/lib/python3/dist-packages/requests")]
    public void Inspect_makes_the_same_report_from_the_built_binary() => InspectReport(Requests, "urllib3.contrib.socks");

    [FactRequires("tool:chromium", "pymodule:jsonschema", "/usr/lib/python3/dist-packages/yt_dlp")]
    public void Inspect_makes_the_same_report_for_the_yt_dlp_app() => InspectReport(builds.Get(YtDlpApp), "yt_dlp.extractor.youtube");

    private static void InspectReport(ReportBuilds.ReportApp app, string why)
    {
        var build = Read(app.Json);
        var exe = build["executable"]?.GetValue<string>() ?? build["output"]!.GetValue<string>();
        using var t = new TempDir("inspectreport");
        var html = t["from-binary.html"];
        var run = ReportBuilds.Pyfreeze(t.Path, ["inspect", exe, "--report", html]);
        Assert.True(run.ExitCode == 0, run.ToString());
        static JsonNode Doc(string file) => JsonNode.Parse(WebUtility.HtmlDecode(Regex.Match(File.ReadAllText(file),
            @"<script id=""report-data"" type=""application/json"">(.*?)</script>", RegexOptions.Singleline).Groups[1].Value))!;
        var atBuild = Doc(app.Html);
        var fromBinary = Doc(html);
        ValidBySchema(fromBinary);
        Assert.Empty(fromBinary["timings"]!.AsArray());
        Assert.NotEmpty(atBuild["timings"]!.AsArray());
        atBuild.AsObject().Remove("timings");
        fromBinary.AsObject().Remove("timings");
        Assert.Equal(atBuild.ToJsonString(), fromBinary.ToJsonString());
        Assert.Equal(build["payload"]!["sha256"]!.GetValue<string>(), Doc(html)["payload"]!["sha256"]!.GetValue<string>());
        var inspected = app with { Html = html };
        TreemapIsProportional(inspected, build);
        WhyMatchesAnalyze(inspected, why);
    }

    [FactRequires("tool:chromium", "pymodule:jsonschema", "/usr/lib/python3/dist-packages/requests")]
    public void The_schema_refuses_what_it_must_and_left_out_shows_the_excluded_module()
    {
        var build = Read(Requests.Json);
        var report = build["report"]!;
        var leftOut = report["left_out"]!.AsArray();
        Assert.Contains(leftOut, l => l!["module"]!.GetValue<string>() == "OpenSSL" && l["rule"]!.GetValue<string>() == "exclude-module");
        JsonNode Bad(Action<JsonNode> change)
        {
            var copy = JsonNode.Parse(report.ToJsonString())!;
            change(copy);
            return copy;
        }
        ValidBySchema(report,
            ("version 2", Bad(r => r["version"] = 2)),
            ("an unknown edge kind", Bad(r => r["modules"]!.AsArray().First(m => m!["edge"] is not null)!["edge"] = "telepathy")),
            ("an unknown member", Bad(r => r["app"]!["colour"] = "red")),
            ("a tree node without size", Bad(r => r["tree"]!.AsObject().Remove("size"))),
            ("a short payload hash", Bad(r => r["payload"]!["sha256"] = "abc")));
        var dom = Browser.DumpDom(Browser.FileUrl(Requests.Html));
        Assert.Matches(@"<h2>Left out on purpose \(\d+\)</h2><table>.*<td>OpenSSL</td><td>exclude-module</td>", dom);
        Assert.Matches(@"<h2>Missing modules \(\d+\)</h2>", dom);
        Assert.Contains("Modules for other platforms", dom);
        Assert.Contains("<td>libssl.so.3</td>".Replace("<td>", "<td><a data-why=\"libssl.so.3\">").Replace("</td>", "</a></td>"), dom);
        var lib = Browser.DumpDom(Browser.FileUrl(Requests.Html, "why=libssl.so.3"));
        Assert.Contains("Brought in by the extension module <b>_ssl</b>", lib);
    }

    /// <summary>A screenshot of the page as drawn (<c>PYFREEZE_SCREENSHOT=FILE</c> keeps it: docs/build-report.png).</summary>
    [FactRequires("tool:chromium", "/usr/lib/python3/dist-packages/requests")]
    public void Screenshot()
    {
        using var t = new TempDir("reportshot");
        var png = t["report.png"];
        Browser.Screenshot(Browser.FileUrl(Requests.Html, "q=urllib3&why=urllib3.contrib.socks"), png);
        var bytes = File.ReadAllBytes(png);
        Assert.Equal([0x89, (byte)'P', (byte)'N', (byte)'G'], bytes[..4]);
        Assert.Equal((1400, 1000), (System.Buffers.Binary.BinaryPrimitives.ReadInt32BigEndian(bytes.AsSpan(16)), System.Buffers.Binary.BinaryPrimitives.ReadInt32BigEndian(bytes.AsSpan(20))));
        Assert.True(bytes.Length > 30_000, $"{bytes.Length} bytes: an empty page?");
        if (Environment.GetEnvironmentVariable("PYFREEZE_SCREENSHOT") is { Length: > 0 } keep)
            File.Copy(png, keep, true);
    }
}
