namespace PyFreeze.Diagnostics;

/// <summary>What a stage's counts are counted in, for the display to word them.</summary>
public enum ProgressUnit
{
    /// <summary>Modules added to the module graph (analyze).</summary>
    Modules,
    /// <summary>Modules whose .pyc is ready: compiled or found in the build cache (compile).</summary>
    Pyc,
    /// <summary>Bytes (assemble: the payload's unpacked bytes packed so far, of all of them).</summary>
    Bytes,
}

/// <summary>
/// Where the build stages tell how far they are, for the command line to draw (a live display on a terminal, one line
/// per stage otherwise): the stages call it and know nothing of how it is shown. Stage names are the pipeline's:
/// <c>probe</c>, <c>analyze</c>, <c>collect</c>, <c>compile</c>, <c>assemble</c>, <c>emit</c>, then the CLI's
/// <c>report</c>. Calls of <see cref="Advanced"/> may come from several threads at once (the stages' parallel loops) and
/// often (once per module): an implementation is thread-safe and cheap.
/// </summary>
public interface IBuildProgress
{
    /// <summary>A stage begins.</summary>
    void Started(string stage);

    /// <summary>A stage's count: <paramref name="done"/> of <paramref name="total"/> (0 when not known yet).</summary>
    void Advanced(string stage, long done, long total, ProgressUnit unit);

    /// <summary>A stage ended after <paramref name="elapsed"/>; <paramref name="summary"/> says what it made, in a few
    /// words (<c>812 modules</c>).</summary>
    void Finished(string stage, TimeSpan elapsed, string summary);
}

/// <summary>The progress sink that shows nothing (library use, tests, <c>--log-level WARN</c>).</summary>
public sealed class NoProgress : IBuildProgress
{
    /// <summary>The one instance.</summary>
    public static NoProgress Instance { get; } = new();

    private NoProgress()
    {
    }

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
    }
}
