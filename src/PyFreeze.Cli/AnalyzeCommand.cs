using System.CommandLine;
using PyFreeze.Analyze;
using PyFreeze.Collect;
using PyFreeze.Hooks;
using PyFreeze.Probe;
using PyFreeze.Report;

namespace PyFreeze.Cli;

/// <summary><c>pyfreeze analyze ENTRY</c>: the module graph and what is missing, without building.</summary>
internal static class AnalyzeCommand
{
    public static Command Create()
    {
        var common = new AnalyzerOptionSet();
        var json = new Option<string?>("--json") { Description = "Write the graph as JSON to FILE (- for stdout).", HelpName = "FILE" };
        var dot = new Option<string?>("--dot") { Description = "Write the graph as Graphviz DOT to FILE.", HelpName = "FILE" };
        var hooksDir = new Option<string[]>("--additional-hooks-dir") { Description = "A folder of hook files (PACKAGE.json) (repeatable).", HelpName = "DIR" };
        var why = new Option<string[]>("--why") { Description = "Print why MODULE is in the app: its shortest import chain(s) from the entry, with how each import is made (repeatable).", HelpName = "MODULE" };
        var cmd = new Command("analyze", "Analyze an app's imports: the module graph and the modules that cannot be found.");
        common.AddTo(cmd);
        cmd.Options.Add(json);
        cmd.Options.Add(dot);
        cmd.Options.Add(hooksDir);
        cmd.Options.Add(why);
        cmd.SetAction(parse =>
        {
            var entry = AppAnalysis.EntryTarget(parse.GetValue(common.Entry)!);
            var python = parse.GetValue(common.Python) ?? InterpreterProbe.DefaultInterpreter(Environment.GetEnvironmentVariable);
            var interp = AppAnalysis.Probe(python, entry);
            var (result, _) = AppAnalysis.Run(interp, entry, parse.GetValue(common.Paths) ?? [], parse.GetValue(common.HiddenImports) ?? [],
                parse.GetValue(common.Excludes) ?? [], Collector.RuntimeImports(interp), HookSet.Load(parse.GetValue(hooksDir) ?? []).Applying(AppAnalysis.HookTarget(interp, parse.GetValue(common.Paths) ?? [])));
            var jsonPath = parse.GetValue(json);
            var summary = jsonPath == "-" ? Console.Error : Console.Out;
            var whyModules = parse.GetValue(why) ?? [];
            if (whyModules.Length > 0)
            {
                var chains = new ImportChains(result.Graph, ChainContext.Of(parse.GetValue(common.HiddenImports) ?? [], Collector.RuntimeImports(interp)));
                var leftOut = ReportBuilder.LeftOut(result, parse.GetValue(common.Excludes) ?? []);
                int found = 0;
                foreach (var module in whyModules)
                    found += WhyReport.Write(result, chains, leftOut, module, summary) ? 1 : 0;
                if (found < whyModules.Length)
                    return 1;
            }
            else
                AnalysisReport.WriteSummary(result, summary);
            if (jsonPath is not null)
                Output.Write(jsonPath, stream => AnalysisReport.WriteJson(result, stream));
            var dotPath = parse.GetValue(dot);
            if (dotPath is not null)
                Output.Write(dotPath, stream =>
                {
                    using var w = new StreamWriter(stream);
                    AnalysisReport.WriteDot(result, w);
                });
            return 0;
        });
        return cmd;
    }
}
