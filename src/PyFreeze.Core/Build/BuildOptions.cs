using PyFreeze.Diagnostics;

namespace PyFreeze.Build;

/// <summary>Everything <c>pyfreeze build</c> takes (option names follow PyInstaller's where the meaning is the same).</summary>
public sealed class BuildOptions
{
    /// <summary>The entry script.</summary>
    public required string Entry { get; init; }

    /// <summary><c>-n/--name</c>: the app's name; default the entry's file name without extension.</summary>
    public string? Name { get; init; }

    /// <summary><c>--distpath</c>: where the result goes (default <c>./dist</c>).</summary>
    public string DistPath { get; init; } = "dist";

    /// <summary><c>--workpath</c>: scratch files (default <c>./build</c>).</summary>
    public string WorkPath { get; init; } = "build";

    /// <summary><c>-D/--onedir</c>: a folder with the executable and the unpacked payload instead of one file.</summary>
    public bool OneDir { get; init; }

    /// <summary><c>--python</c>: the interpreter to analyze and bundle (default: active venv, else python3).</summary>
    public string? Python { get; init; }

    /// <summary><c>--target</c>: the RID to build for (default the host's).</summary>
    public string? Target { get; init; }

    /// <summary><c>--optimize</c>: 0, 1 (-O) or 2 (-OO), for the bytecode and the interpreter.</summary>
    public int Optimize { get; init; }

    /// <summary><c>--clean</c>: remove the work folder first and rebuild everything, ignoring cached results.</summary>
    public bool Clean { get; init; }

    /// <summary><c>--paths</c>: extra import folders.</summary>
    public IReadOnlyList<string> Paths { get; init; } = [];

    /// <summary><c>--hidden-import</c>.</summary>
    public IReadOnlyList<string> HiddenImports { get; init; } = [];

    /// <summary><c>--exclude-module</c>.</summary>
    public IReadOnlyList<string> Excludes { get; init; } = [];

    /// <summary><c>--strict</c>: missing top-level imports fail the build.</summary>
    public bool Strict { get; init; }

    /// <summary><c>--windowed</c>: a GUI app (Windows: GUI subsystem; macOS: a .app bundle).</summary>
    public bool Windowed { get; init; }

    /// <summary><c>--json FILE</c>: write the build report as JSON (<c>-</c> for stdout).</summary>
    public string? JsonReport { get; init; }

    /// <summary>Where messages go.</summary>
    public Log Log { get; init; } = new();
}
