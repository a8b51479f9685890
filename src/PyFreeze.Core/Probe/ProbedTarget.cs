using PyFreeze.Analyze;
using PyFreeze.Cache;
using PyFreeze.Diagnostics;

namespace PyFreeze.Probe;

/// <summary>
/// The probe stage's hand-off: what the build learned of the interpreter(s) it builds with, in one probe run each.
/// For this machine's RID the same interpreter is analyzed, compiles the bytecode and is bundled; for another RID the
/// target's runtime (<see cref="Runtime"/>) is analyzed and bundled and a host CPython of the same minor version
/// compiles.
/// </summary>
public sealed class ProbedTarget
{
    /// <summary>The RID the build is for.</summary>
    public required Rid Target { get; init; }

    /// <summary>The entry (absolute): a script or a package folder.</summary>
    public required string Entry { get; init; }

    /// <summary>The interpreter the app is analyzed against and bundled (the target's).</summary>
    public required InterpreterInfo Interpreter { get; init; }

    /// <summary>The interpreter that compiles the bytecode (the same as <see cref="Interpreter"/> for this RID).</summary>
    public required InterpreterInfo Compiler { get; init; }

    /// <summary>The runtime archive for another RID, opened, or null.</summary>
    public TargetRuntime? Runtime { get; init; }

    /// <summary>Runs the probe for a build.</summary>
    /// <param name="entry">The entry (absolute).</param>
    /// <param name="target">The RID.</param>
    /// <param name="python">The interpreter; for another RID null searches for a compiler of the runtime's version.</param>
    /// <param name="runtime">The runtime archive (path or URL) for another RID, else null.</param>
    /// <param name="runtimeSha256">The SHA-256 it must have, or null.</param>
    /// <param name="targetSitePackages">Packages installed for the target platform (another RID only).</param>
    /// <param name="cache">The build cache (runtimes are unpacked there).</param>
    /// <param name="log">Messages.</param>
    /// <exception cref="PyFreezeException">A bad entry, interpreter or runtime, with one line.</exception>
    public static ProbedTarget Run(string entry, Rid target, string? python, string? runtime, string? runtimeSha256,
        IReadOnlyList<string> targetSitePackages, BuildCache cache, Log log)
    {
        if (runtime is null)
        {
            var interp = AppAnalysis.Probe(python ?? throw new ArgumentNullException(nameof(python)), entry);
            log.Debug($"Python {interp.VersionString} at {interp.RealExecutable}"); // the probe stage's line says it
            return new ProbedTarget { Target = target, Entry = entry, Interpreter = interp, Compiler = interp };
        }
        var opened = TargetRuntime.Open(runtime, target, cache, log, runtimeSha256);
        var compiler = opened.FindCompiler(python, p => AppAnalysis.Probe(p, entry));
        var targetInterp = opened.TargetInterpreter(compiler, targetSitePackages, log);
        log.Info($"CPython {opened.VersionString} for {target.Name} from {opened.Source}{(opened.Linux is { } linux ? $", {linux.Layout}" : "")}; bytecode by CPython {compiler.VersionString} at {compiler.RealExecutable}");
        return new ProbedTarget { Target = target, Entry = entry, Interpreter = targetInterp, Compiler = compiler, Runtime = opened };
    }
}
