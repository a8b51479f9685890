using PyFreeze.Analyze;
using PyFreeze.Cache;
using PyFreeze.Collect;
using PyFreeze.Diagnostics;
using PyFreeze.Probe;

namespace PyFreeze.Compile;

/// <summary>The compile stage's hand-off: each module entry of the plan with its .pyc (in the build cache).</summary>
/// <param name="Files">Module entries and their compiled files, in plan order; modules that failed are left out.</param>
/// <param name="Errors">Modules that failed to compile (left out), with CPython's error.</param>
/// <param name="Compiled">How many this build compiled; the others came from the build cache.</param>
/// <param name="Total">How many modules went into the app as bytecode.</param>
public sealed record CompiledModules(IReadOnlyList<(PayloadEntry Entry, string Pyc)> Files,
    IReadOnlyList<(string Module, string Error)> Errors, int Compiled, int Total)
{
    /// <summary>Compiles the plan's modules (sources and generated text) with <paramref name="compiler"/>.</summary>
    /// <param name="plan">The plan.</param>
    /// <param name="analysis">The analysis: its entry script's failure fails the build; its module graph says what leaving
    /// another module out means (<see cref="CompileFailure.Describe"/>).</param>
    /// <param name="entry">The entry as given (the script, or its package folder), for the message.</param>
    /// <param name="compiler">A CPython of the target's minor version.</param>
    /// <param name="optimize">0, 1 or 2.</param>
    /// <param name="cache">The build cache.</param>
    /// <param name="log">Messages (a module left out is a warning naming what it means for the app).</param>
    /// <exception cref="PyFreezeException">The entry script does not compile.</exception>
    /// <exception cref="InvalidOperationException">PyFreeze's own boot module does not compile (a bug).</exception>
    public static CompiledModules Compile(CollectPlan plan, AnalysisResult analysis, string entry, InterpreterInfo compiler, int optimize, BuildCache cache, Log log)
    {
        var modules = plan.Entries.Where(e => e.Kind == PayloadEntryKind.Module && e.Source is not null || e.Text is not null).ToList();
        var results = new BytecodeCompiler(compiler, cache, log)
            .Compile(modules.Select(m => new CompileJob(m.Source, m.Text, m.DisplayName!)).ToList(), optimize);
        var files = new List<(PayloadEntry, string)>();
        var errors = new List<(string, string)>();
        for (int i = 0; i < modules.Count; i++)
        {
            var r = results[i];
            if (r.PycPath is not null)
            {
                files.Add((modules[i], r.PycPath));
                continue;
            }
            if (modules[i].Source == analysis.EntryScript)
                throw new PyFreezeException($"{entry}: {r.Error}");
            if (modules[i].Category == PayloadCategory.PyFreeze)
                throw new InvalidOperationException($"PyFreeze's own {modules[i].DisplayName} did not compile: {r.Error}");
            errors.Add((modules[i].DisplayName!, r.Error!));
            log.Warn(CompileFailure.Describe(analysis.Graph, modules[i].Module, modules[i].Source ?? modules[i].DisplayName!, r.Error!, compiler));
        }
        return new CompiledModules(files, errors, results.Count(r => r.Compiled), results.Count);
    }
}
