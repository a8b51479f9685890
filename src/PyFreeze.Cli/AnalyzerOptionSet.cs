using System.CommandLine;

namespace PyFreeze.Cli;

/// <summary>The options <c>analyze</c> and <c>build</c> share (PyInstaller's names).</summary>
internal sealed class AnalyzerOptionSet
{
    public Argument<string> Entry { get; } = new("ENTRY") { Description = "The app's entry script (e.g. app.py)." };

    public Option<string?> Python { get; } = new("--python")
    {
        Description = "The CPython 3.9–3.14 to analyze with and bundle (default: $VIRTUAL_ENV/bin/python, else python3 on PATH).",
        HelpName = "PATH",
    };

    public Option<string[]> Paths { get; } = new("--paths", "-p")
    {
        Description = "A folder to search for imports, like PYTHONPATH (repeatable).",
        HelpName = "DIR",
        AllowMultipleArgumentsPerToken = false,
    };

    public Option<string[]> HiddenImports { get; } = new("--hidden-import", "--hiddenimport")
    {
        Description = "A module to include although no import statement names it (repeatable).",
        HelpName = "MODULE",
    };

    public Option<string[]> Excludes { get; } = new("--exclude-module")
    {
        Description = "A module (with its submodules) to leave out (repeatable).",
        HelpName = "MODULE",
    };

    public void AddTo(Command command)
    {
        command.Arguments.Add(Entry);
        command.Options.Add(Python);
        command.Options.Add(Paths);
        command.Options.Add(HiddenImports);
        command.Options.Add(Excludes);
    }
}
