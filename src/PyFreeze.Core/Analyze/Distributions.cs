using System.Text.RegularExpressions;

namespace PyFreeze.Analyze;

/// <summary>An installed distribution's metadata: a <c>*.dist-info</c> folder (PEP 376/PEP 566) or a setuptools
/// <c>*.egg-info</c> folder or file.</summary>
public sealed class Distribution
{
    /// <summary>The metadata folder (or file, for an old distutils <c>*.egg-info</c> file).</summary>
    public required string MetadataPath { get; init; }

    /// <summary>The search-path entry it lives in.</summary>
    public required string Root { get; init; }

    /// <summary>Distribution name as written in the metadata (<c>PyYAML</c>).</summary>
    public required string Name { get; init; }

    /// <summary>Version from the folder name or metadata, or empty.</summary>
    public string Version { get; init; } = "";

    /// <summary>Top-level import names it provides (from <c>top_level.txt</c>, RECORD, or installed-files.txt).</summary>
    public required IReadOnlySet<string> TopLevel { get; init; }

    /// <summary>Top-level extension modules in its RECORD that are private helpers of its packages (a name starting with
    /// <c>_</c> or containing <c>__mypyc</c>), imported from C where no import statement shows them.</summary>
    public IReadOnlyList<string> HelperModules { get; init; } = [];

    /// <summary>Names of the distributions it requires unconditionally (<c>Requires-Dist</c> without a marker or with one every
    /// CPython meets, or the
    /// first section of an egg's <c>requires.txt</c>).</summary>
    public IReadOnlyList<string> Requires { get; init; } = [];

    /// <summary>Modules named by its entry points (<c>entry_points.txt</c>: <c>name = module:attr</c>).</summary>
    public required IReadOnlyList<string> EntryPointModules { get; init; }

    /// <summary>Its entry points as written in <c>entry_points.txt</c>: group (<c>console_scripts</c>), name, and
    /// target (<c>pkg.mod:attr</c>).</summary>
    public IReadOnlyList<(string Group, string Name, string Target)> EntryPoints { get; init; } = [];

    /// <summary>Modules named by entry points other than scripts (<c>console_scripts</c>, <c>gui_scripts</c>) and
    /// packaging-time plugins (<c>distutils.*</c>, <c>setuptools.*</c>, <c>egg_info.*</c> groups, loaded only by a
    /// <c>setup.py</c> run), with their group: plugins that a package finds with <c>entry_points(group=…)</c> and
    /// imports at run time (Markdown's extensions, group <c>markdown.extensions</c>).</summary>
    public IEnumerable<(string Group, string Module)> PluginModules => EntryPoints
        .Where(e => e.Group is not ("console_scripts" or "gui_scripts") && !IsBuildTimeGroup(e.Group))
        .Select(e => (e.Group, Module: e.Target.Split(':')[0].Split('[')[0].Trim()))
        .Where(p => p.Module.Length > 0 && p.Module.Split('.').All(PackageExpander.IsIdentifier));

    /// <summary>True for an entry-point group that setuptools reads only while it builds or installs a distribution
    /// (<c>distutils.commands</c> and <c>distutils.setup_keywords</c> inside <c>setup()</c>, <c>egg_info.writers</c>,
    /// <c>setuptools.*</c>: setuptools/dist.py, setuptools/command/egg_info.py): a frozen app never runs those, so their
    /// entry points are not collected (Sphinx's <c>build_sphinx</c> command would bring all of Sphinx into any app that
    /// imports setuptools).</summary>
    /// <param name="group">An entry-point group name.</param>
    public static bool IsBuildTimeGroup(string group) =>
        group.StartsWith("distutils.", StringComparison.Ordinal) || group.StartsWith("setuptools.", StringComparison.Ordinal)
        || group.StartsWith("egg_info.", StringComparison.Ordinal);

    /// <summary>The packages that may load an entry-point group's plugins, as its name says: <c>markdown</c> for
    /// <c>markdown.extensions</c>, <c>flake8</c> for <c>flake8.extension</c>, <c>pytest11</c> or <c>pytest</c> for
    /// <c>pytest11</c>.</summary>
    public static IReadOnlyList<string> GroupHosts(string group)
    {
        var first = group.Split('.')[0].Replace('-', '_');
        var end = first.Length;
        while (end > 0 && char.IsDigit(first[end - 1]))
            end--;
        return end > 0 && end < first.Length ? [first, first[..end]] : [first];
    }

    /// <summary>True when the metadata is a single file rather than a folder.</summary>
    public bool IsFile => File.Exists(MetadataPath);

    /// <summary>PEP 503 normalised name (<c>pyyaml</c>).</summary>
    public string NormalizedName => Normalize(Name);

    /// <summary>PEP 503 name normalisation: lower case, runs of <c>-_.</c> become <c>-</c>.</summary>
    public static string Normalize(string name) => Regex.Replace(name, "[-_.]+", "-").ToLowerInvariant();
}

/// <summary>Finds distributions on a search path and reads what PyFreeze needs from their metadata.</summary>
public static class Distributions
{
    /// <summary>All distributions in <paramref name="root"/> (not recursive).</summary>
    /// <param name="root">A sys.path folder.</param>
    /// <param name="problems">Receives one message per distribution whose metadata is broken (it is still listed when possible).</param>
    public static IReadOnlyList<Distribution> In(string root, List<string> problems)
    {
        var list = new List<Distribution>();
        if (!Directory.Exists(root))
            return list;
        IEnumerable<string> entries;
        try
        {
            entries = Directory.EnumerateFileSystemEntries(root).Order(StringComparer.Ordinal).ToList();
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return list;
        }
        foreach (var path in entries)
        {
            var name = Path.GetFileName(path);
            bool dist = name.EndsWith(".dist-info", StringComparison.Ordinal);
            bool egg = name.EndsWith(".egg-info", StringComparison.Ordinal);
            if (!dist && !egg)
                continue;
            try
            {
                list.Add(Read(path, root, dist));
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException or FormatException)
            {
                problems.Add($"{path}: broken distribution metadata ({e.Message})");
            }
        }
        return list;
    }

    private static Distribution Read(string path, string root, bool distInfo)
    {
        var stem = Path.GetFileNameWithoutExtension(path);
        var dash = stem.IndexOf('-');
        var name = dash > 0 ? stem[..dash] : stem;
        var version = dash > 0 ? stem[(dash + 1)..] : "";
        var py = version.IndexOf("-py", StringComparison.Ordinal);
        if (py > 0)
            version = version[..py]; // Foo-1.0-py3.11.egg-info
        var top = new SortedSet<string>(StringComparer.Ordinal);
        var entryModules = new List<string>();
        var entryPoints = new List<(string, string, string)>();
        if (File.Exists(path))
        {
            // an old distutils PKG-INFO file: the name is all there is
            var meta = ReadHeaders(File.ReadAllText(path));
            name = meta.GetValueOrDefault("Name", name);
            top.Add(name.Replace('-', '_'));
            return new Distribution { MetadataPath = path, Root = root, Name = name, Version = version, TopLevel = top, EntryPointModules = entryModules };
        }
        var metadataFile = Path.Combine(path, distInfo ? "METADATA" : "PKG-INFO");
        var requires = new List<string>();
        if (File.Exists(metadataFile))
        {
            var text = File.ReadAllText(metadataFile);
            var meta = ReadHeaders(text);
            name = meta.GetValueOrDefault("Name", name);
            version = meta.GetValueOrDefault("Version", version);
            foreach (var line in text.Split('\n').TakeWhile(l => l.Trim().Length > 0))
                if (line.StartsWith("Requires-Dist:", StringComparison.OrdinalIgnoreCase))
                    AddRequirement(requires, line["Requires-Dist:".Length..]);
        }
        else if (distInfo)
        {
            throw new FormatException("no METADATA file");
        }
        var requiresTxt = Path.Combine(path, "requires.txt");
        if (!distInfo && File.Exists(requiresTxt))
            foreach (var line in File.ReadLines(requiresTxt).TakeWhile(l => !l.TrimStart().StartsWith('[')))
                AddRequirement(requires, line);
        var helpers = new List<string>();
        var recordFile = Path.Combine(path, "RECORD");
        if (distInfo && File.Exists(recordFile))
        {
            foreach (var line in File.ReadLines(recordFile))
            {
                var file = line.Split(',')[0].Trim();
                if (file.Contains('/') || !(file.EndsWith(".so", StringComparison.Ordinal) || file.EndsWith(".pyd", StringComparison.Ordinal)))
                    continue;
                var module = file.Split('.')[0];
                if (module.StartsWith('_') || module.Contains("__mypyc", StringComparison.Ordinal))
                    helpers.Add(module);
            }
        }
        var topLevel = Path.Combine(path, "top_level.txt");
        if (File.Exists(topLevel))
        {
            foreach (var line in File.ReadAllLines(topLevel))
                if (line.Trim().Length > 0)
                {
                    top.Add(line.Trim().Replace('/', '.').Split('.')[0]);
                    // Debian 13's packages have no RECORD: mypyc's hash-named runtime is listed here only
                    if (line.Contains("__mypyc", StringComparison.Ordinal) && !helpers.Contains(line.Trim()))
                        helpers.Add(line.Trim());
                }
        }
        else
        {
            var record = Path.Combine(path, distInfo ? "RECORD" : "installed-files.txt");
            if (File.Exists(record))
            {
                foreach (var line in File.ReadAllLines(record))
                {
                    var file = line.Split(',')[0].Trim();
                    if (!distInfo)
                        file = Path.GetRelativePath(root, Path.GetFullPath(Path.Combine(path, file))).Replace('\\', '/');
                    if (file.Length == 0 || file.StartsWith("..", StringComparison.Ordinal) || file.StartsWith('/'))
                        continue;
                    var first = file.Split('/')[0];
                    if (first.EndsWith(".dist-info", StringComparison.Ordinal) || first.EndsWith(".egg-info", StringComparison.Ordinal)
                        || first.EndsWith(".data", StringComparison.Ordinal) || first == "__pycache__")
                        continue;
                    if (!file.Contains('/'))
                    {
                        if (first.EndsWith(".pth", StringComparison.Ordinal))
                            continue;
                        first = first.Split('.')[0]; // mod.py, mod.cpython-311-x86_64-linux-gnu.so
                    }
                    top.Add(first);
                }
            }
        }
        if (top.Count == 0)
            top.Add(name.Replace('-', '_').ToLowerInvariant());
        var eps = Path.Combine(path, "entry_points.txt");
        if (File.Exists(eps))
        {
            var group = "";
            foreach (var raw in File.ReadAllLines(eps))
            {
                var line = raw.Trim();
                if (line.StartsWith('[') && line.EndsWith(']'))
                    group = line[1..^1].Trim();
                if (line.Length == 0 || line.StartsWith('[') || line.StartsWith('#') || line.StartsWith(';'))
                    continue;
                var eq = line.IndexOf('=');
                if (eq < 0)
                    continue;
                var target = line[(eq + 1)..].Trim();
                entryPoints.Add((group, line[..eq].Trim(), target));
                var module = target.Split(':')[0].Split('[')[0].Trim();
                if (module.Length > 0 && module.Split('.').All(IsIdentifier))
                    entryModules.Add(module);
            }
        }
        return new Distribution
        {
            MetadataPath = path, Root = root, Name = name, Version = version, TopLevel = top, EntryPointModules = entryModules, HelperModules = helpers,
            EntryPoints = entryPoints, Requires = requires,
        };
    }

    /// <summary>Adds the distribution name of a requirement line (<c>mypy_extensions>=1.0</c>); lines with an environment
    /// marker or an extra (<c>; python_version &lt; "3.11"</c>) are conditional and left out.</summary>
    private static void AddRequirement(List<string> requires, string line)
    {
        line = line.Trim();
        if (line.Length == 0 || line.StartsWith('#'))
            return;
        if (line.IndexOf(';') is var semi and >= 0)
        {
            // a marker (PEP 508) is unconditional here only when it holds for every CPython, the one kind PyFreeze
            // freezes: mypy's `librt; platform_python_implementation != "PyPy"` (Debian unstable's mypy 1.19)
            var marker = string.Concat(line[(semi + 1)..].Where(c => !char.IsWhiteSpace(c))).Replace('\'', '"');
            if (marker is not ("platform_python_implementation!=\"PyPy\"" or "platform_python_implementation==\"CPython\""
                or "implementation_name==\"cpython\"" or "implementation_name!=\"pypy\""))
                return;
            line = line[..semi].Trim();
        }
        var end = 0;
        while (end < line.Length && (char.IsLetterOrDigit(line[end]) || line[end] is '-' or '_' or '.'))
            end++;
        if (end > 0)
            requires.Add(line[..end]);
    }

    private static bool IsIdentifier(string s) => s.Length > 0 && (char.IsLetter(s[0]) || s[0] == '_') && s.All(c => char.IsLetterOrDigit(c) || c == '_');

    /// <summary>Reads RFC 822-style headers (METADATA, PKG-INFO) up to the first blank line.</summary>
    public static Dictionary<string, string> ReadHeaders(string text)
    {
        var d = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
        foreach (var line in text.Split('\n'))
        {
            if (line.Trim().Length == 0)
                break;
            var i = line.IndexOf(':');
            if (i > 0 && !char.IsWhiteSpace(line[0]))
                d.TryAdd(line[..i].Trim(), line[(i + 1)..].Trim());
        }
        return d;
    }
}
