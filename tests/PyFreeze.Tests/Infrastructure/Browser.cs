namespace PyFreeze.Tests.Infrastructure;

/// <summary>Debian's chromium, headless, for pages PyFreeze writes: loads a <c>file://</c> page with every host name
/// unresolvable (so a page that fetched anything would show it), in a profile folder of its own that is removed after.</summary>
public static class Browser
{
    /// <summary>The chromium on PATH, or null.</summary>
    public static string? Chromium => Binaries.Requirements.Missing("tool:chromium") is null ? "chromium" : null;

    private static Run Exec(string url, string option, int width, int height)
    {
        using var profile = new TempDir("chromium");
        var run = Proc.Exec(Chromium ?? throw new InvalidOperationException("chromium is not installed (apt-get install chromium)"),
        [
            "--headless", "--no-sandbox", "--disable-gpu", "--no-first-run", "--disable-extensions", "--hide-scrollbars",
            "--host-resolver-rules=MAP * ~NOTFOUND", $"--user-data-dir={profile.Path}", $"--window-size={width},{height}",
            "--virtual-time-budget=5000", option, url,
        ], env: new Dictionary<string, string?> { ["HOME"] = profile.Path }, timeoutSeconds: 180);
        Assert.True(run.ExitCode == 0, run.ToString());
        return run;
    }

    /// <summary>The DOM of <paramref name="url"/> after its scripts ran (<c>--dump-dom</c>).</summary>
    public static string DumpDom(string url, int width = 1400, int height = 1000) => Exec(url, "--dump-dom", width, height).StdOut;

    /// <summary>A PNG of <paramref name="url"/> as drawn (<c>--screenshot</c>).</summary>
    public static void Screenshot(string url, string png, int width = 1400, int height = 1000) => Exec(url, $"--screenshot={png}", width, height);

    /// <summary>A local file as a <c>file://</c> URL, with a fragment.</summary>
    public static string FileUrl(string path, string fragment = "") => new Uri(path).AbsoluteUri + (fragment.Length > 0 ? "#" + fragment : "");
}
