using System.Text.Json;
using PyFreeze.Diagnostics;
using PyFreeze.Processes;

namespace PyFreeze.Probe;

/// <summary>
/// Finds the interpreter to build with and runs <c>probe.py</c> in it once.
/// </summary>
public static class InterpreterProbe
{
    /// <summary>Oldest supported minor version of CPython 3.</summary>
    public const int MinMinor = 9;

    /// <summary>Newest supported minor version of CPython 3.</summary>
    public const int MaxMinor = 14;

    /// <summary>
    /// The interpreter used when <c>--python</c> is not given: <c>$VIRTUAL_ENV/bin/python</c> when a venv is
    /// active, else <c>python3</c> on PATH (a pyenv shim resolves to its real interpreter when probed).
    /// </summary>
    /// <param name="getEnv">Reads an environment variable.</param>
    /// <returns>A path or a bare command name.</returns>
    public static string DefaultInterpreter(Func<string, string?> getEnv)
    {
        var venv = getEnv("VIRTUAL_ENV");
        if (!string.IsNullOrEmpty(venv))
        {
            var candidate = OperatingSystem.IsWindows()
                ? Path.Combine(venv, "Scripts", "python.exe")
                : Path.Combine(venv, "bin", "python");
            if (File.Exists(candidate))
                return candidate;
        }
        return OperatingSystem.IsWindows() ? "python" : "python3";
    }

    /// <summary>Locates <paramref name="python"/>: a path must exist as a file; a bare name is looked up on PATH.</summary>
    /// <returns>The absolute path of the file to run.</returns>
    /// <exception cref="PyFreezeException">No such file or command.</exception>
    public static string Locate(string python)
    {
        if (python.Contains('/') || python.Contains(Path.DirectorySeparatorChar))
        {
            var full = Path.GetFullPath(python);
            if (Directory.Exists(full))
                throw new PyFreezeException($"{python}: is a directory; --python takes the path of a python executable");
            if (!File.Exists(full))
                throw new PyFreezeException($"{python}: no such file; --python takes the path of a CPython 3.{MinMinor}–3.{MaxMinor} executable");
            return full;
        }
        foreach (var dir in (Environment.GetEnvironmentVariable("PATH") ?? "").Split(Path.PathSeparator, StringSplitOptions.RemoveEmptyEntries))
        {
            var candidate = Path.Combine(dir, python);
            if (File.Exists(candidate))
                return candidate;
            if (OperatingSystem.IsWindows() && File.Exists(candidate + ".exe"))
                return candidate + ".exe";
        }
        throw new PyFreezeException($"{python}: not found on PATH; install CPython 3.{MinMinor}–3.{MaxMinor} or pass --python PATH");
    }

    /// <summary>Runs the probe in <paramref name="python"/>.</summary>
    /// <param name="python">Interpreter path or command name.</param>
    /// <param name="entry">An entry script to compile (not run) for syntax errors, or null.</param>
    /// <returns>The interpreter's facts.</returns>
    /// <exception cref="PyFreezeException">Not runnable, not CPython, or a version outside 3.9–3.14.</exception>
    public static InterpreterInfo Run(string python, string? entry = null)
    {
        var exe = Locate(python);
        var script = Path.Combine(Path.GetTempPath(), $"pyfreeze-probe-{Environment.ProcessId}-{Guid.NewGuid():N}.py");
        File.WriteAllText(script, EmbeddedScripts.Read("probe.py"));
        ProcessResult result;
        try
        {
            // No -E/-s: PYTHONPATH and the user site count, as they do for a plain `python3 app.py`.
            var args = new List<string> { script }; // the probe prints ASCII-only JSON, so no -X utf8 (Python 2 would refuse it)
            if (entry is not null)
                args.Add(entry);
            result = ProcessRunner.Run(exe, args, timeout: TimeSpan.FromSeconds(60),
                environment: new Dictionary<string, string?> { ["PYTHONDONTWRITEBYTECODE"] = "1", ["PYTHONSTARTUP"] = null, ["PYTHONINSPECT"] = null });
        }
        finally
        {
            try { File.Delete(script); } catch (IOException) { }
        }
        var line = result.StdOut.Split('\n', StringSplitOptions.RemoveEmptyEntries).LastOrDefault(l => l.StartsWith('{'));
        if (line is null)
        {
            var why = result.StdErr.Trim().Split('\n').LastOrDefault() ?? $"exit code {result.ExitCode}";
            throw new PyFreezeException($"{python}: not a working Python interpreter ({why}); pass --python with a CPython 3.{MinMinor}–3.{MaxMinor}");
        }
        using var doc = JsonDocument.Parse(line);
        var root = doc.RootElement;
        if (root.TryGetProperty("error", out var err))
            throw new PyFreezeException($"{python}: the interpreter probe failed: {err.GetString()?.Trim().Split('\n').Last()}");
        if (root.TryGetProperty("unsupported", out _))
        {
            var v = string.Join('.', root.GetProperty("version").EnumerateArray().Take(3).Select(e => e.ToString()));
            var impl = root.GetProperty("implementation").GetString();
            throw new PyFreezeException($"{python}: found {(impl == "cpython" ? "CPython" : impl)} {v}; PyFreeze needs CPython 3.{MinMinor}–3.{MaxMinor} (pass --python)");
        }
        var info = root.Deserialize<InterpreterInfo>(InterpreterInfo.JsonOptions)
                   ?? throw new PyFreezeException($"{python}: the interpreter probe returned nothing");
        CheckSupported(python, info);
        return info;
    }

    /// <summary>Refuses interpreters the probe could describe but PyFreeze does not build with: a free-threaded build
    /// (PEP 703, <c>python3.13t</c>: <c>Py_GIL_DISABLED</c>), whose ABI (<c>cpython-313t</c> extension modules, the
    /// <c>python3.13t</c> stdlib folder) no test here has frozen and run.</summary>
    /// <param name="python">The interpreter as the user named it.</param>
    /// <param name="info">What the probe found.</param>
    /// <exception cref="PyFreezeException">The interpreter is not supported.</exception>
    public static void CheckSupported(string python, InterpreterInfo info)
    {
        if (info.GilDisabled)
            throw new PyFreezeException($"{python}: CPython {info.VersionString} is a free-threaded build (PEP 703, Py_GIL_DISABLED), which PyFreeze does not build with yet; pass --python with the default (GIL) build of CPython {info.ShortVersion} (python{info.ShortVersion}, not python{info.ShortVersion}t)");
    }
}
