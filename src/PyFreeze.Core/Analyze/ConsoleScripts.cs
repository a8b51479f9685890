using System.Text.RegularExpressions;

namespace PyFreeze.Analyze;

/// <summary>
/// Console-script wrappers as entries. setuptools' easy_install writer (what Debian's <c>/usr/bin</c> scripts and
/// <c>setup.py install</c> leave) makes scripts that import nothing of the app: they find the target at run time with
/// <c>importlib.metadata.distribution(NAME).entry_points</c> and load <c>module:attr</c> by name. Their header line
/// <c># EASY-INSTALL-ENTRY-SCRIPT: 'dist==version','group','name'</c> says which entry point they run, so the analyzer
/// can follow the target module (and the build collect the distribution's metadata the wrapper reads).
/// Source of the format: setuptools' <c>easy_install.ScriptWriter</c> template.
/// </summary>
public static partial class ConsoleScripts
{
    /// <summary>The entry point a wrapper script runs.</summary>
    /// <param name="Distribution">The distribution name (version pin dropped): <c>httpie</c>.</param>
    /// <param name="Group">Entry point group: <c>console_scripts</c> or <c>gui_scripts</c>.</param>
    /// <param name="Name">Entry point name: <c>http</c>.</param>
    public sealed record Wrapper(string Distribution, string Group, string Name);

    [GeneratedRegex(@"^#\s*EASY-INSTALL-ENTRY-SCRIPT:\s*'([^']+)'\s*,\s*'([^']+)'\s*,\s*'([^']+)'", RegexOptions.Multiline)]
    private static partial Regex Header();

    /// <summary>Reads the wrapper header from a script's text (only its first lines are looked at).</summary>
    /// <returns>The entry point it runs, or null when the script is not such a wrapper.</returns>
    public static Wrapper? Parse(string scriptText)
    {
        var head = string.Join('\n', scriptText.Split('\n').Take(5));
        var m = Header().Match(head);
        if (!m.Success)
            return null;
        var requirement = m.Groups[1].Value;
        var name = Regex.Split(requirement, "[=<>!~ ;\\[]")[0].Trim();
        return name.Length == 0 ? null : new Wrapper(name, m.Groups[2].Value, m.Groups[3].Value);
    }

    /// <summary>The module an entry point target names: <c>httpie.__main__</c> for <c>httpie.__main__:main</c>.</summary>
    public static string TargetModule(string target) => target.Split(':')[0].Split('[')[0].Trim();

    /// <summary>Finds the wrapper's target module among the installed distributions.</summary>
    /// <param name="wrapper">What the header names.</param>
    /// <param name="distributions">Installed distributions, in search-path order (the first match wins, as
    /// <c>importlib.metadata.distribution</c> does).</param>
    /// <returns>The target module, or null when no distribution of that name has that entry point.</returns>
    public static string? Resolve(Wrapper wrapper, IEnumerable<Distribution> distributions)
    {
        var wanted = Distribution.Normalize(wrapper.Distribution);
        var dist = distributions.FirstOrDefault(d => d.NormalizedName == wanted);
        if (dist is null)
            return null;
        foreach (var (group, name, target) in dist.EntryPoints)
            if (group == wrapper.Group && name == wrapper.Name)
                return TargetModule(target);
        return null;
    }
}
