using PyFreeze.Build;
using PyFreeze.Diagnostics;

namespace PyFreeze.Tests.Infrastructure;

/// <summary>Builds apps in-process with the real pipeline (real CPython, real bootloader kit).</summary>
public static class Freezer
{
    /// <summary>Builds <paramref name="entry"/> with <paramref name="python"/> into <paramref name="dist"/>.</summary>
    public static BuildResult Build(string entry, string python, string dist, Func<BuildSettings, BuildSettings>? configure = null,
        string? name = null)
    {
        var options = new BuildSettings
        {
            Entry = entry,
            Python = python,
            Name = name,
            DistPath = dist,
            WorkPath = Path.Combine(Path.GetDirectoryName(dist)!, "build"),
            Log = new Log(LogLevel.Warn, TextWriter.Null),
        };
        if (configure is not null)
            options = configure(options);
        return new BuildPipeline(options).Run();
    }
}
