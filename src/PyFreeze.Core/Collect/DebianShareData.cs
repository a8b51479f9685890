using PyFreeze.Analyze;
using PyFreeze.Analyze.Scanning;
using PyFreeze.Hooks;

namespace PyFreeze.Collect;

/// <summary>
/// Data that Debian moves out of a Python package into <c>/usr/share/&lt;folder&gt;</c> (Debian Python Policy: arch-
/// independent data belongs in /usr/share), which a target without the Debian package lacks. Two ways lead there:
/// <list type="bullet">
/// <item>a symlink inside the package folder (python3-babel's <c>babel/locale-data</c> →
/// <c>/usr/share/python-babel-localedata/locale-data</c>): <see cref="DataCollector"/> follows it and copies the files as
/// real files at the link's place, marked <see cref="Reason"/>; this is deliberate and only for package data (a link
/// out of a folder given with <c>--add-data</c> is still refused, see <see cref="InputFiles"/>);</item>
/// <item>an absolute <c>/usr/share/…</c> string literal in a collected module (docutils' <c>_datadir</c>): where a hook
/// knows the package, its <c>prefix_datas</c> copies <c>share/&lt;folder&gt;</c> into the package and its runtime hook
/// points the package at the copy (Hooks/builtin/docutils.json); every other such literal is a warning naming
/// <c>file:line</c> (<see cref="Check"/>), so the user knows the frozen app reads a file the target may lack.</item>
/// </list>
/// </summary>
public static class DebianShareData
{
    /// <summary>The collect reason of such files (<see cref="PayloadEntry.Reason"/>).</summary>
    public const string Reason = "debian-share-data";

    /// <summary>Folders of <c>/usr/share</c> that a system has whether or not Python is installed (tzdata's zoneinfo,
    /// locales, MIME and icon data, fonts, …), or that hold no package data (docs, web assets named by URL): a literal
    /// naming one is not reported.</summary>
    public static readonly IReadOnlySet<string> SystemFolders = new HashSet<string>(StringComparer.Ordinal)
    {
        "zoneinfo", "locale", "i18n", "mime", "misc", "fonts", "X11", "icons", "themes", "pixmaps", "applications", "doc", "man",
        "info", "dict", "terminfo", "ca-certificates", "common-licenses", "javascript", "xml", "sgml", "glib-2.0", "gir-1.0",
        "dbus-1", "polkit-1", "sounds", "zsh", "bash-completion", "fish", "file", "hwdata", "pci.ids", "usb.ids", "color",
        "mime-info", "publicsuffix", "iso-codes", "xsessions", "wayland-sessions", "vim", "emacs",
    };

    /// <summary>True when <paramref name="path"/> is itself a symlink whose final target is under <c>/usr/share/</c>.</summary>
    public static bool IsShareLink(string path)
    {
        try
        {
            var info = new FileInfo(path);
            if (info.LinkTarget is null)
                return false;
            var target = Directory.Exists(path) ? new DirectoryInfo(path).ResolveLinkTarget(true)?.FullName : info.ResolveLinkTarget(true)?.FullName;
            return target is not null && target.StartsWith("/usr/share/", StringComparison.Ordinal);
        }
        catch (IOException)
        {
            return false;
        }
    }

    /// <summary>Reports the absolute <c>/usr/share/FOLDER</c> literals of the collected third-party and app modules
    /// (not the standard library's) that name an existing folder outside <see cref="SystemFolders"/>, unless a hook of
    /// the module's top-level package collects <c>share/FOLDER</c> through <c>prefix_datas</c>.</summary>
    /// <param name="plan">Receives one warning per (module, folder), naming the first line.</param>
    /// <param name="analysis">The module graph.</param>
    /// <param name="hooks">The hooks in force.</param>
    /// <returns>The literals found, as (module file, line, folder, covered by a hook).</returns>
    public static IReadOnlyList<(string File, int Line, string Folder, bool ByHook)> Check(CollectPlanBuilder plan, AnalysisResult analysis, HookSet hooks)
    {
        var found = new List<(string, int, string, bool)>();
        foreach (var node in analysis.Graph.Modules.Where(m => m.Origin is ModuleOrigin.SitePackages or ModuleOrigin.App && m.Path is not null
                                                              && m.Path.EndsWith(".py", StringComparison.Ordinal)).OrderBy(m => m.Name, StringComparer.Ordinal))
        {
            byte[] bytes;
            try
            {
                bytes = File.ReadAllBytes(node.Path!);
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                continue;
            }
            if (bytes.AsSpan().IndexOf("/usr/share/"u8) < 0)
                continue; // the common case: no tokenizing
            var text = PythonSourceDecoder.Decode(bytes, out _);
            var seen = new HashSet<string>(StringComparer.Ordinal);
            foreach (var token in PythonTokenizer.Tokenize(text).Where(t => t.Kind == TokenKind.String))
            {
                var value = PythonLiteral.Str(token.Text(text));
                if (value is null || !value.StartsWith("/usr/share/", StringComparison.Ordinal))
                    continue;
                var folder = value["/usr/share/".Length..].Split('/')[0];
                if (folder.Length == 0 || SystemFolders.Contains(folder) || !Directory.Exists("/usr/share/" + folder) || !seen.Add(folder))
                    continue;
                var byHook = hooks.For(node.TopLevel)?.PrefixDatas.Keys.Any(k => k.TrimEnd('/') == "share/" + folder) == true;
                found.Add((node.Path!, token.Line, folder, byHook));
                if (!byHook)
                    plan.Warnings.Add($"{node.Path}:{token.Line}: names /usr/share/{folder} by its absolute path, data a Debian package keeps outside " +
                                      $"{node.TopLevel}; a target without that package lacks it (carry it with --add-data /usr/share/{folder}:… and a runtime hook " +
                                      "that points the package there, or a hook with prefix_datas)");
            }
        }
        return found;
    }
}
