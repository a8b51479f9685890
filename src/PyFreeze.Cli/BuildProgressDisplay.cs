using System.Runtime.InteropServices;
using PyFreeze.Diagnostics;
using Spectre.Console;
using Spectre.Console.Rendering;

namespace PyFreeze.Cli;

/// <summary>
/// How <c>pyfreeze build</c> shows the stages' progress (<see cref="IBuildProgress"/>) on the stream its summary goes to
/// (stdout; stderr with <c>--json -</c>): a live display (Spectre.Console) when that stream is a terminal, <c>CI</c> is
/// not set and <c>TERM</c> is not <c>dumb</c>; one line per stage otherwise; nothing at <c>--log-level WARN</c> and
/// above. Errors stay on stderr, alone.
/// </summary>
internal static class BuildProgressDisplay
{
    /// <summary>Variables CI services set on their runners (the ones Spectre.Console's own profile enrichers look for),
    /// any of which, set and not empty, means a CI runner; <c>CI</c> itself is read by <see cref="InCi"/>.</summary>
    public static readonly IReadOnlyList<string> CiServiceVariables =
    [
        "GITHUB_ACTIONS", "CI_SERVER", "TF_BUILD", "JENKINS_URL", "TEAMCITY_VERSION", "TRAVIS", "APPVEYOR",
        "BITBUCKET_COMMIT", "BITRISE_BUILD_URL", "GO_SERVER_URL", "bamboo_buildNumber", "CONTINUA_CI_VERSION",
    ];

    /// <summary>True when the environment says a CI runner (or anyone wanting plain output) runs the command: <c>CI</c>
    /// set to anything but empty, <c>0</c> or <c>false</c> (GitHub Actions, GitLab and most others set <c>CI=true</c>),
    /// or one of <see cref="CiServiceVariables"/> set. This is the only test: the live display turns Spectre.Console's
    /// own CI detection off, so a terminal either gets the whole display or the plain lines, never a half of each.</summary>
    public static bool InCi(Func<string, string?> env) =>
        (env("CI") is { Length: > 0 } ci && ci != "0" && !ci.Equals("false", StringComparison.OrdinalIgnoreCase))
        || CiServiceVariables.Any(v => env(v) is { Length: > 0 });

    /// <summary>Runs <paramref name="work"/> with the progress shown as the settings say; <paramref name="work"/> gets
    /// the progress sink and the writer its log lines should go through (they print above a live display).</summary>
    /// <param name="level">The log level: above <see cref="LogLevel.Info"/> nothing is shown.</param>
    /// <param name="toStderr">True when the summary (and so the progress) goes to stderr.</param>
    /// <param name="work">The build.</param>
    public static T Run<T>(LogLevel level, bool toStderr, Func<IBuildProgress, TextWriter, T> work)
    {
        var stream = toStderr ? Console.Error : Console.Out;
        if (level > LogLevel.Info)
            return work(NoProgress.Instance, Console.Error);
        var terminal = toStderr ? !Console.IsErrorRedirected : !Console.IsOutputRedirected;
        if (!terminal || InCi(Environment.GetEnvironmentVariable) || Environment.GetEnvironmentVariable("TERM") == "dumb")
            return work(new PlainProgress(stream), Console.Error);
        return LiveProgress.Run(stream, work);
    }
}

/// <summary>One line per stage as it ends: <c>analyze    0.61 s  812 modules</c>.</summary>
internal sealed class PlainProgress(TextWriter output) : IBuildProgress
{
    /// <inheritdoc />
    public void Started(string stage)
    {
    }

    /// <inheritdoc />
    public void Advanced(string stage, long done, long total, ProgressUnit unit)
    {
    }

    /// <inheritdoc />
    public void Finished(string stage, TimeSpan elapsed, string summary)
    {
        lock (output)
        {
            output.WriteLine(Line(stage, elapsed, summary));
            output.Flush();
        }
    }

    /// <summary>A stage's line: name, time, what it made.</summary>
    public static string Line(string stage, TimeSpan elapsed, string summary) => $"{stage,-9}{elapsed.TotalSeconds,6:0.00} s  {summary}";
}

/// <summary>The live display: one row per stage (spinner, name and counts, a bar where the total is known, elapsed
/// time), redrawn in place; a finished stage keeps its row with what it made. Log lines print above it. The cursor is
/// hidden while it runs and shown again when it ends, on an error, and on Ctrl-C or SIGTERM.</summary>
internal sealed class LiveProgress : IBuildProgress
{
    private const string ShowCursor = "\u001b[?25h";
    private readonly ProgressContext _context;
    private readonly Dictionary<string, ProgressTask> _tasks = new(StringComparer.Ordinal);

    private LiveProgress(ProgressContext context) => _context = context;

    public static T Run<T>(TextWriter stream, Func<IBuildProgress, TextWriter, T> work)
    {
        var console = AnsiConsole.Create(new AnsiConsoleSettings
        {
            Ansi = AnsiSupport.Yes,
            ColorSystem = ColorSystemSupport.Detect,
            Interactive = InteractionSupport.Yes,
            Out = new AnsiConsoleOutput(stream),
            // InCi decided already; Spectre's enrichers would turn a CI service's terminal non-interactive behind it
            Enrichment = new ProfileEnrichment { UseDefaultEnrichers = false },
        });
        // the log's lines go through the display (printed above it) when stderr is this terminal too
        var stderrHere = !Console.IsErrorRedirected;
        var logLock = new object();
        TextWriter log = stderrHere ? new LineWriter(line => { lock (logLock) console.WriteLine(line, Style.Plain); }) : Console.Error;
        void Restore(PosixSignalContext _)
        {
            // the process ends with the signal's default action; the terminal gets its cursor back first
            stream.Write(ShowCursor + "\n");
            stream.Flush();
        }
        using var interrupt = PosixSignalRegistration.Create(PosixSignal.SIGINT, Restore);
        using var terminate = PosixSignalRegistration.Create(PosixSignal.SIGTERM, Restore);
        T result = default!;
        try
        {
            console.Progress()
                .AutoClear(false)
                .HideCompleted(false)
                .Columns(new SpinnerColumn(), new TaskDescriptionColumn { Alignment = Justify.Left }, new ProgressBarColumn(), new ElapsedTimeColumn())
                .Start(ctx => result = work(new LiveProgress(ctx), log));
        }
        finally
        {
            stream.Write(ShowCursor);
            stream.Flush();
        }
        return result;
    }

    private static string Name(string stage) => $"[bold]{stage,-9}[/]";

    private static string Count(long done, long total, ProgressUnit unit) => unit switch
    {
        ProgressUnit.Modules => $"{done} modules",
        ProgressUnit.Pyc => $"{done}/{total} .pyc",
        _ => total > 0 ? $"payload {done / 1048576.0:0.0}/{total / 1048576.0:0.0} MB" : $"payload {done / 1048576.0:0.0} MB",
    };

    /// <inheritdoc />
    public void Started(string stage)
    {
        lock (_tasks)
        {
            var task = _context.AddTask(Name(stage), autoStart: true);
            task.IsIndeterminate = true;
            _tasks[stage] = task;
        }
    }

    /// <inheritdoc />
    public void Advanced(string stage, long done, long total, ProgressUnit unit)
    {
        lock (_tasks)
        {
            if (!_tasks.TryGetValue(stage, out var task) || task.IsFinished)
                return;
            task.Description = Name(stage) + " " + Markup.Escape(Count(done, total, unit));
            if (total > 0)
            {
                task.IsIndeterminate = false;
                task.MaxValue = total;
                task.Value = Math.Min(done, total);
            }
        }
    }

    /// <inheritdoc />
    public void Finished(string stage, TimeSpan elapsed, string summary)
    {
        lock (_tasks)
        {
            if (!_tasks.TryGetValue(stage, out var task))
                return;
            task.Description = Name(stage) + " " + Markup.Escape(summary);
            task.IsIndeterminate = false;
            task.Value = task.MaxValue;
            task.StopTask();
        }
    }

    /// <summary>A writer that hands each line written to it to <paramref name="line"/>.</summary>
    private sealed class LineWriter(Action<string> line) : TextWriter
    {
        private readonly System.Text.StringBuilder _pending = new();

        public override System.Text.Encoding Encoding => System.Text.Encoding.UTF8;

        public override void Write(char value)
        {
            if (value == '\n')
            {
                line(_pending.ToString().TrimEnd('\r'));
                _pending.Clear();
            }
            else
                _pending.Append(value);
        }

        public override void WriteLine(string? value)
        {
            _pending.Append(value);
            Write('\n');
        }
    }
}
