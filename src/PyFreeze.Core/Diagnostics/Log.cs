namespace PyFreeze.Diagnostics;

/// <summary>Verbosity of build messages, as PyInstaller's <c>--log-level</c>.</summary>
public enum LogLevel
{
    /// <summary>Everything, including per-file steps.</summary>
    Debug = 0,
    /// <summary>Progress of the stages and the summary (default).</summary>
    Info = 1,
    /// <summary>Only warnings and errors.</summary>
    Warn = 2,
    /// <summary>Only errors.</summary>
    Error = 3,
}

/// <summary>
/// A small sink for build messages: stages write through it so the CLI decides where and how much goes
/// to the terminal. Messages go to stderr so stdout stays for reports (<c>--json -</c>).
/// </summary>
public class Log
{
    private readonly TextWriter _err;

    /// <summary>Creates a log writing to <paramref name="err"/> (stderr when null), telling the stages' progress to
    /// <paramref name="progress"/> (nowhere when null).</summary>
    public Log(LogLevel level = LogLevel.Info, TextWriter? err = null, IBuildProgress? progress = null)
    {
        Level = level;
        _err = err ?? Console.Error;
        Progress = progress ?? NoProgress.Instance;
    }

    /// <summary>Where the stages tell how far they are (<see cref="IBuildProgress"/>); it travels with the log, which
    /// every stage is handed.</summary>
    public IBuildProgress Progress { get; }

    /// <summary>The least severe level written.</summary>
    public LogLevel Level { get; }

    /// <summary>A log that writes nothing (for tests and library use).</summary>
    public static Log Silent { get; } = new(LogLevel.Error + 1, TextWriter.Null);

    /// <summary>Writes a debug line.</summary>
    public void Debug(string message) => Write(LogLevel.Debug, message);

    /// <summary>Writes an info line.</summary>
    public void Info(string message) => Write(LogLevel.Info, message);

    /// <summary>Writes a warning line, prefixed <c>warning:</c>.</summary>
    public void Warn(string message) => Write(LogLevel.Warn, "warning: " + message);

    /// <summary>Writes an error line, prefixed <c>error:</c>.</summary>
    public void Error(string message) => Write(LogLevel.Error, "error: " + message);

    private void Write(LogLevel level, string message)
    {
        if (level < Level)
            return;
        lock (_err)
            _err.WriteLine(message);
    }
}
