namespace PyFreeze.Diagnostics;

/// <summary>
/// An error caused by the user's input or environment (a missing file, an unsupported interpreter, a bad
/// option). The CLI prints <see cref="Exception.Message"/> as one line on stderr, without a stack trace, and
/// exits with <see cref="ExitCode"/>.
/// </summary>
/// <remarks>Messages name the file or value at fault and say what to do, e.g.
/// <c>app.py: no such file; give the path of the app's entry script</c>.</remarks>
public class PyFreezeException : Exception
{
    /// <summary>Creates an error with a one-line message.</summary>
    /// <param name="message">One line: what is wrong, with the file or value, and what to do.</param>
    /// <param name="exitCode">Process exit code (2 for usage errors, 1 otherwise).</param>
    /// <param name="inner">The underlying exception, kept for --log-level debug.</param>
    public PyFreezeException(string message, int exitCode = 1, Exception? inner = null) : base(message, inner)
        => ExitCode = exitCode;

    /// <summary>Process exit code the CLI returns for this error.</summary>
    public int ExitCode { get; }
}
