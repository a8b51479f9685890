namespace PyFreeze.Tests.Infrastructure;

/// <summary>Paths of the checkout the tests run from.</summary>
public static class Repo
{
    /// <summary>The folder holding PyFreeze.sln.</summary>
    public static string Root { get; } = FindRoot();

    /// <summary>../shared/tools/run-without-python beside the checkout.</summary>
    public static string RunWithoutPython => Path.GetFullPath(Path.Combine(Root, "..", "shared", "tools", "run-without-python"));

    /// <summary>A path inside the checkout.</summary>
    public static string Path_(params string[] parts) => Path.Combine([Root, .. parts]);

    private static string FindRoot()
    {
        var dir = AppContext.BaseDirectory;
        while (dir is not null && !File.Exists(Path.Combine(dir, "PyFreeze.sln")))
            dir = Path.GetDirectoryName(dir);
        return dir ?? throw new InvalidOperationException("tests must run inside the PyFreeze checkout");
    }
}
