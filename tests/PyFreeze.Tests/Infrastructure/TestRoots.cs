namespace PyFreeze.Tests.Infrastructure;

/// <summary>
/// Folders shared by the builds of one test run (each gigabytes once numpy apps are in). The test host is not always
/// let exit cleanly, so each run also removes the folders of earlier runs whose process is gone: repeated runs on one
/// machine do not fill its disk.
/// </summary>
public static class TestRoots
{
    /// <summary>A folder under the temp folder private to this test process, removed at exit.</summary>
    /// <param name="name">Its name's prefix (<c>apps</c>).</param>
    public static string ForThisRun(string name)
    {
        var parent = Path.Combine(Path.GetTempPath(), "pyfreeze-tests");
        var root = Path.Combine(parent, $"{name}-{Environment.ProcessId}");
        if (Directory.Exists(parent))
            foreach (var old in Directory.EnumerateDirectories(parent, name + "-*"))
                if (int.TryParse(Path.GetFileName(old)[(name.Length + 1)..], out var pid) && !Directory.Exists($"/proc/{pid}"))
                    Delete(old);
        AppDomain.CurrentDomain.ProcessExit += (_, _) => Delete(root);
        return root;
    }

    private static void Delete(string dir)
    {
        try
        {
            if (Directory.Exists(dir))
                Directory.Delete(dir, recursive: true);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            // best effort: another run may be removing it too
        }
    }
}
