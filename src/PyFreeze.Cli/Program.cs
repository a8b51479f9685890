using System.CommandLine;
using PyFreeze.Diagnostics;

namespace PyFreeze.Cli;

/// <summary>Entry point of the <c>pyfreeze</c> command.</summary>
public static class Program
{
    /// <summary>Parses the command line and runs the chosen command.</summary>
    /// <returns>0 on success, 1 on a build error, 2 on a usage error.</returns>
    public static int Main(string[] args)
    {
        var root = new RootCommand("PyFreeze: freeze a Python app into one executable that runs without Python.");
        root.Subcommands.Add(AnalyzeCommand.Create());
        root.Subcommands.Add(BuildCommand.Create());
        root.Subcommands.Add(InspectCommand.Create());
        root.Subcommands.Add(CacheCommand.Create());
        root.Subcommands.Add(CiCommand.Create());
        var parse = root.Parse(args);
        if (parse.Errors.Count > 0)
        {
            // One line naming the problem (not the whole help text): the usage error and where help is.
            var command = string.Join(' ', parse.CommandResult.Command.Name == root.Name ? ["pyfreeze"] : new[] { "pyfreeze", parse.CommandResult.Command.Name });
            Console.Error.WriteLine($"pyfreeze: error: {string.Join("; ", parse.Errors.Select(e => string.Join(' ', e.Message.Split((char[])['\n', '\r', '\t'], StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)).TrimEnd('.')))}; see {command} --help");
            return 2;
        }
        try
        {
            return parse.Invoke(new InvocationConfiguration { EnableDefaultExceptionHandler = false });
        }
        catch (PyFreezeException e)
        {
            Console.Error.WriteLine($"pyfreeze: error: {e.Message}");
            if (Environment.GetEnvironmentVariable("PYFREEZE_DEBUG") == "1" && e.InnerException is not null)
                Console.Error.WriteLine(e.InnerException);
            return e.ExitCode;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            Console.Error.WriteLine($"pyfreeze: error: {e.Message}");
            return 1;
        }
        catch (Exception e)
        {
            Console.Error.WriteLine($"pyfreeze: internal error: {e.GetType().Name}: {e.Message} (set PYFREEZE_DEBUG=1 for details and report it)");
            if (Environment.GetEnvironmentVariable("PYFREEZE_DEBUG") == "1")
                Console.Error.WriteLine(e);
            return 70;
        }
    }
}
