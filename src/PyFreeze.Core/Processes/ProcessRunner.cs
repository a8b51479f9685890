using System.Diagnostics;
using System.Text;
using PyFreeze.Diagnostics;

namespace PyFreeze.Processes;

/// <summary>What a finished child process left: exit code and captured output.</summary>
/// <param name="ExitCode">The child's exit code.</param>
/// <param name="StdOut">Everything written to stdout, decoded as UTF-8.</param>
/// <param name="StdErr">Everything written to stderr, decoded as UTF-8.</param>
public sealed record ProcessResult(int ExitCode, string StdOut, string StdErr);

/// <summary>
/// Runs a child process to completion with captured output: the one narrow place where the pipeline
/// starts python or dotnet.
/// </summary>
public static class ProcessRunner
{
    /// <summary>Runs <paramref name="fileName"/> with <paramref name="arguments"/> and waits for it.</summary>
    /// <param name="fileName">Executable path or a name found on PATH.</param>
    /// <param name="arguments">Arguments, passed without shell interpretation.</param>
    /// <param name="stdin">Text written to the child's stdin (UTF-8) then closed; null for an empty stdin.</param>
    /// <param name="workingDirectory">Working directory; null for the current one.</param>
    /// <param name="environment">Variables to set (a null value removes the variable).</param>
    /// <param name="timeout">Kill the child after this long; null waits forever.</param>
    /// <param name="stdoutLine">Told each line of stdout as it arrives (from a reader thread), or null; the result's
    /// <see cref="ProcessResult.StdOut"/> holds them all the same, each ended by <c>\n</c>.</param>
    /// <returns>The exit code and output.</returns>
    /// <exception cref="PyFreezeException">The executable cannot be started, or the timeout passed.</exception>
    public static ProcessResult Run(string fileName, IEnumerable<string> arguments, string? stdin = null,
        string? workingDirectory = null, IReadOnlyDictionary<string, string?>? environment = null, TimeSpan? timeout = null,
        Action<string>? stdoutLine = null)
    {
        var psi = new ProcessStartInfo(fileName)
        {
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
            StandardOutputEncoding = Encoding.UTF8,
            StandardErrorEncoding = Encoding.UTF8,
            StandardInputEncoding = new UTF8Encoding(false),
        };
        foreach (var a in arguments)
            psi.ArgumentList.Add(a);
        if (workingDirectory is not null)
            psi.WorkingDirectory = workingDirectory;
        if (environment is not null)
            foreach (var (k, v) in environment)
            {
                if (v is null)
                    psi.Environment.Remove(k);
                else
                    psi.Environment[k] = v;
            }

        Process proc;
        try
        {
            proc = Process.Start(psi) ?? throw new PyFreezeException($"{fileName}: could not be started");
        }
        catch (System.ComponentModel.Win32Exception e)
        {
            throw new PyFreezeException($"{fileName}: cannot run it ({e.Message})", 1, e);
        }
        using (proc)
        {
            // Dedicated threads, not thread-pool tasks: callers run this from Parallel loops, and pool continuations
            // queued behind blocked pool threads starve (seconds per process).
            string? stderr = null;
            var errThread = new Thread(() => stderr = proc.StandardError.ReadToEnd()) { IsBackground = true };
            errThread.Start();
            var inThread = new Thread(() =>
            {
                try
                {
                    if (stdin is not null)
                        proc.StandardInput.Write(stdin);
                    proc.StandardInput.Close();
                }
                catch (IOException)
                {
                    // the child exited without reading its input; its exit code tells what happened
                }
            }) { IsBackground = true };
            inThread.Start();
            string? stdout = null;
            var outThread = new Thread(() =>
            {
                if (stdoutLine is null)
                {
                    stdout = proc.StandardOutput.ReadToEnd();
                    return;
                }
                var all = new StringBuilder();
                for (string? line; (line = proc.StandardOutput.ReadLine()) is not null;)
                {
                    all.Append(line).Append('\n');
                    stdoutLine(line);
                }
                stdout = all.ToString();
            }) { IsBackground = true };
            outThread.Start();
            if (!proc.WaitForExit(timeout ?? Timeout.InfiniteTimeSpan))
            {
                try { proc.Kill(entireProcessTree: true); } catch (InvalidOperationException) { }
                throw new PyFreezeException($"{fileName}: did not finish within {timeout!.Value.TotalSeconds:0} s");
            }
            outThread.Join();
            errThread.Join();
            inThread.Join();
            proc.WaitForExit();
            return new ProcessResult(proc.ExitCode, stdout ?? "", stderr ?? "");
        }
    }
}
