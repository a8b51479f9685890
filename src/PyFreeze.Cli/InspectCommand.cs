using System.CommandLine;
using PyFreeze.Inspect;

namespace PyFreeze.Cli;

/// <summary><c>pyfreeze inspect APP</c>: what a frozen binary holds, for any RID, on any host.</summary>
internal static class InspectCommand
{
    public static Command Create()
    {
        var app = new Argument<string>("APP") { Description = "A frozen executable (or an --onedir folder)." };
        var json = new Option<string?>("--json") { Description = "Write the description as JSON to FILE (- for stdout).", HelpName = "FILE" };
        var extract = new Option<string?>("--extract") { Description = "Extract the payload into DIR.", HelpName = "DIR" };
        var report = new Option<string?>("--report") { Description = "Write the HTML build report (size map, why each module is in, missing modules) the app carries to FILE; stage times are not kept in the app.", HelpName = "FILE.html" };
        var cmd = new Command("inspect", "Show what a frozen app holds: versions, RID, entry, payload hash, options, files.") { app, json, extract, report };
        cmd.SetAction(parse =>
        {
            var result = AppInspector.Inspect(parse.GetValue(app)!);
            var jsonPath = parse.GetValue(json);
            AppInspector.WriteSummary(result, jsonPath == "-" ? Console.Error : Console.Out);
            if (jsonPath is not null)
                Output.Write(jsonPath, s => AppInspector.WriteJson(result, s));
            if (parse.GetValue(report) is { } html)
            {
                var model = PyFreeze.Report.EmbeddedReport.Read(result).ToJson(); // before anything is written: no report, one line
                Output.Write(html, s => PyFreeze.Report.HtmlReport.Write(model, s));
                Console.Error.WriteLine($"report: {html}");
            }
            var dir = parse.GetValue(extract);
            if (dir is not null)
            {
                var n = AppInspector.Extract(result, dir);
                Console.Error.WriteLine($"extracted {n} files into {dir}");
            }
            return result.PayloadIntact ? 0 : 1;
        });
        return cmd;
    }
}
