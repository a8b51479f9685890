using PyFreeze.Analyze;
using PyFreeze.Diagnostics;
using PyFreeze.Emit;

namespace PyFreeze.Collect;

/// <summary>
/// Adds the shared libraries that the interpreter, libpython and the extension modules need, beyond the ones every
/// target system has (the glibc family on Linux), found by reading their dynamic sections and resolving the names
/// as the dynamic loader does.
/// </summary>
public static class BinaryCollector
{
    /// <summary>Adds libraries to <paramref name="plan"/>.</summary>
    public static void Collect(CollectPlan plan, AnalysisResult analysis, RuntimeLayout layout, Rid rid, Log log)
    {
        var lib = analysis.Interpreter.Libpython;
        if (lib is not null)
            plan.Add(new PayloadEntry
            {
                Dest = layout.Libraries + Path.GetFileName(lib),
                Kind = PayloadEntryKind.Binary,
                Source = lib,
                Category = PayloadCategory.Runtime,
                Owner = "python",
            });
    }
}
