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
        var cmd = new Command("inspect", "Show what a frozen app holds: versions, RID, entry, payload hash, options, files.") { app, json, extract };
        cmd.SetAction(parse =>
        {
            var result = AppInspector.Inspect(parse.GetValue(app)!);
            var jsonPath = parse.GetValue(json);
            AppInspector.WriteSummary(result, jsonPath == "-" ? Console.Error : Console.Out);
            if (jsonPath is not null)
                Output.Write(jsonPath, s => AppInspector.WriteJson(result, s));
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
