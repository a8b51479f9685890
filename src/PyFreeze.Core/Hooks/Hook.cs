using System.Text.Json;
using PyFreeze.Diagnostics;

namespace PyFreeze.Hooks;

/// <summary>
/// A declarative hook: what a package needs beyond what its imports show, as data (no code runs at build time).
/// One JSON file per top-level package, named after it (<c>numpy.json</c>); comments and trailing commas are allowed.
/// Its shape is <c>src/PyFreeze.Core/Hooks/hook.schema.json</c> (JSON Schema 2020-12), which the loader's messages
/// quote; files are read with System.Text.Json source generation and an unknown member is refused with its file and line.
/// </summary>
/// <remarks>
/// <code>
/// {
///   "when":                    {"platform": ["linux"], "python": ">=3.11", "distribution": {"pkg": "&lt;2"}}, // applies only then
///   "hidden_imports":          ["pkg.plugin"],        // modules to add when the package is collected
///   "optional_hidden_imports": ["tzdata"],            // the same, silently skipped when not installed
///   "excluded_imports":        ["tkinter", "pkg.tests"], // imports made by the package's modules that are not followed
///   "collect_submodules":      true,                  // collect the package whole (default true)
///   "datas":                   ["templates/**/*"],    // extra data globs, relative to the package folder
///   "exclude_datas":           ["**/*.md"],           // package data globs not to collect
///   "binaries":                ["lib/*.so*"],         // extra binary globs, relative to the package folder
///   "prefix_datas":            {"share/proj": "proj_dir/share/proj"}, // a folder under the interpreter's prefix, copied
///                                                     // into the package folder (data of a system library it uses)
///   "copy_metadata":           ["pkg-dist"],          // distributions whose metadata to copy
///   "runtime_hooks":           ["pkg_rthook.py"],     // Python files beside the hook, run before the entry
///   "env":                     {"VAR": "{MEIPASS}/x"},// environment of the frozen app ({MEIPASS} = sys._MEIPASS)
///   "aliases":                 {"pkg.extern": "pkg._vendor"}, // names a meta-path importer maps at run time
///   "developer_tool":          true,                  // side-path stdlib imports of it are not followed, its plugins left out
///   "stdlib_source":           true,                  // the standard library ships its .py too (the package parses it)
///   "modules":                 {"pkg.sub": {"hidden_imports": ["x"], // hidden imports when that module is collected
///                                           "side_imports": ["y"]}}  // its imports of y only on side paths
/// }
/// </code>
/// The model follows PyInstaller's hook attributes (hiddenimports, excludedimports, datas, binaries, copy_metadata,
/// runtime hooks) where the meaning is the same.
/// </remarks>
public sealed class Hook
{
    /// <summary>The top-level package the hook is for (its file name without <c>.json</c>).</summary>
    public required string Package { get; init; }

    /// <summary>The hook file (or embedded resource name) it was read from.</summary>
    public required string Source { get; init; }

    /// <summary>The folder runtime hooks are relative to; null for built-in hooks (read from resources).</summary>
    public string? Directory { get; init; }

    /// <summary>Modules added when the package is collected.</summary>
    public IReadOnlyList<string> HiddenImports { get; init; } = [];

    /// <summary>Modules added when the package is collected, if they are installed.</summary>
    public IReadOnlyList<string> OptionalHiddenImports { get; init; } = [];

    /// <summary>Names (with their submodules) that imports from this package's modules do not follow.</summary>
    public IReadOnlyList<string> ExcludedImports { get; init; } = [];

    /// <summary>Whether the package is collected whole (all submodules).</summary>
    public bool CollectSubmodules { get; init; } = true;

    /// <summary>Extra data globs relative to the package folder.</summary>
    public IReadOnlyList<string> Datas { get; init; } = [];

    /// <summary>Package data globs that are not collected (relative to the package folder; matched against
    /// <see cref="PrefixDatas"/>' destinations too).</summary>
    public IReadOnlyList<string> ExcludeDatas { get; init; } = [];

    /// <summary>Extra binary globs relative to the package folder.</summary>
    public IReadOnlyList<string> Binaries { get; init; } = [];

    /// <summary>Folder under the build interpreter's <c>sys.prefix</c> (or <c>sys.base_prefix</c>) → where it goes, relative
    /// to the package folder: data a system library the package uses finds under the prefix (PROJ's <c>share/proj</c>),
    /// which the package looks for inside itself when frozen. A folder absent under both prefixes is skipped; a file whose
    /// destination inside the package folder matches one of <see cref="ExcludeDatas"/> is left out.</summary>
    public IReadOnlyDictionary<string, string> PrefixDatas { get; init; } = new Dictionary<string, string>();

    /// <summary>Distributions whose metadata is copied.</summary>
    public IReadOnlyList<string> CopyMetadata { get; init; } = [];

    /// <summary>Runtime hook files (names relative to the hook's folder or built-in resource names).</summary>
    public IReadOnlyList<string> RuntimeHooks { get; init; } = [];

    /// <summary>Environment variables of the frozen app.</summary>
    public IReadOnlyDictionary<string, string> Environment { get; init; } = new Dictionary<string, string>();

    /// <summary>Module name → the name it stands for at run time.</summary>
    public IReadOnlyDictionary<string, string> Aliases { get; init; } = new Dictionary<string, string>();

    /// <summary>Module → hidden imports added when that module is collected.</summary>
    public IReadOnlyDictionary<string, IReadOnlyList<string>> ModuleHiddenImports { get; init; } = new Dictionary<string, IReadOnlyList<string>>();

    /// <summary>Module → modules it imports only on side paths that run once the imported module is in use anyway
    /// (<c>importlib._bootstrap_external</c> → <c>importlib.metadata</c>): such an import that is not at top level is not
    /// followed unless the app reaches the imported module.</summary>
    public IReadOnlyDictionary<string, IReadOnlyList<string>> ModuleSideImports { get; init; } = new Dictionary<string, IReadOnlyList<string>>();

    /// <summary>A developer tool (debugger, test runner, documentation browser, profiler; mypy, pytest, Sphinx, IPython,
    /// setuptools): the standard library's imports of it from inside a function, a branch or an ImportError guard are not
    /// followed, and a module that only whole-package collection brought in and that imports it at top level is its plugin,
    /// left out (<c>dev-tool-plugin</c> in <c>AnalysisResult.LeftOut</c>), unless the app reaches the tool.</summary>
    public bool DeveloperTool { get; init; }

    /// <summary>The package reads the source of the modules its users' code imports, the standard library's included
    /// (astroid, which pylint runs, builds each imported module's tree from its <c>.py</c> and reports "Unable to import
    /// 'os'" for a sourceless <c>.pyc</c>: astroid/manager.py, "Unable to load compiled module"): when it is collected,
    /// the app's standard library modules ship their <c>.py</c> with the bytecode in <c>__pycache__</c>, as
    /// <c>--include-source</c> lays out the app's own (<see cref="PyFreeze.Collect.CollectOptions.StdlibSource"/>).</summary>
    public bool StdlibSource { get; init; }

    /// <summary>When the hook applies, or null for always.</summary>
    public HookCondition? When { get; init; }

    /// <summary>The hook file's schema (<c>hook.schema.json</c>, embedded).</summary>
    internal static JsonDocument Schema { get; } = LoadSchema();

    private static JsonDocument LoadSchema()
    {
        using var s = typeof(Hook).Assembly.GetManifestResourceStream("PyFreeze.Hooks.schema")
                      ?? throw new InvalidOperationException("hook.schema.json is missing from PyFreeze.Core");
        return JsonDocument.Parse(s);
    }

    /// <summary>The top-level keys the schema allows.</summary>
    internal static IReadOnlyList<string> Keys { get; } = [.. Schema.RootElement.GetProperty("properties").EnumerateObject().Select(p => p.Name)];

    /// <summary>Parses a hook.</summary>
    /// <param name="package">The top-level package it is for.</param>
    /// <param name="text">The JSON text.</param>
    /// <param name="source">The file name for messages.</param>
    /// <param name="directory">The folder runtime hooks are relative to, or null.</param>
    /// <exception cref="PyFreezeException">The text does not parse or does not fit the schema: the message names the file,
    /// the line, and what is expected.</exception>
    public static Hook Parse(string package, string text, string source, string? directory)
    {
        HookDocument doc;
        try
        {
            doc = JsonSerializer.Deserialize(text, HookJsonContext.Default.HookDocument)
                  ?? throw new PyFreezeException($"{source}:1: a hook must be a JSON object, found null");
        }
        catch (JsonException e)
        {
            throw new PyFreezeException($"{source}:{(e.LineNumber ?? 0) + 1}: {Explain(e)}", 1, e);
        }
        IReadOnlyList<string> Names(List<string>? list, string key)
        {
            if (list is null)
                return [];
            if (list.Any(x => string.IsNullOrEmpty(x)))
                throw Error(source, text, key, $"\"{key}\" must be a list of non-empty strings");
            return list;
        }
        if (doc.When is { } when)
            CheckCondition(when, source, text);
        var modules = doc.Modules ?? [];
        return new Hook
        {
            Package = package,
            Source = source,
            Directory = directory,
            When = doc.When,
            HiddenImports = Names(doc.HiddenImports, "hidden_imports"),
            OptionalHiddenImports = Names(doc.OptionalHiddenImports, "optional_hidden_imports"),
            ExcludedImports = Names(doc.ExcludedImports, "excluded_imports"),
            CollectSubmodules = doc.CollectSubmodules ?? true,
            DeveloperTool = doc.DeveloperTool ?? false,
            StdlibSource = doc.StdlibSource ?? false,
            Datas = Names(doc.Datas, "datas"),
            ExcludeDatas = Names(doc.ExcludeDatas, "exclude_datas"),
            Binaries = Names(doc.Binaries, "binaries"),
            PrefixDatas = doc.PrefixDatas ?? [],
            CopyMetadata = Names(doc.CopyMetadata, "copy_metadata"),
            RuntimeHooks = Names(doc.RuntimeHooks, "runtime_hooks"),
            Environment = doc.Env ?? [],
            Aliases = doc.Aliases ?? [],
            ModuleHiddenImports = modules.Where(m => m.Value.HiddenImports is not null)
                .ToDictionary(m => m.Key, m => Names(m.Value.HiddenImports, "hidden_imports"), StringComparer.Ordinal),
            ModuleSideImports = modules.Where(m => m.Value.SideImports is not null)
                .ToDictionary(m => m.Key, m => Names(m.Value.SideImports, "side_imports"), StringComparer.Ordinal),
        };
    }

    /// <summary>True when the hook applies to a build for <paramref name="target"/> (see <see cref="When"/>).</summary>
    public bool Applies(HookTarget target)
    {
        if (When is not { } w)
            return true;
        if (w.Platform is { } platforms && !platforms.Contains(target.Platform))
            return false;
        if (w.Python is { } py && !VersionSpecifiers.Matches(py, target.PythonVersion))
            return false;
        foreach (var (dist, spec) in w.Distribution ?? [])
            if (target.DistributionVersion(dist) is not { } v || !VersionSpecifiers.Matches(spec, v))
                return false;
        return true;
    }

    /// <summary>One line saying what is wrong, from the serializer's error: an unknown key, or a value of the wrong
    /// type (with what the schema expects there).</summary>
    private static string Explain(JsonException e)
    {
        var path = e.Path ?? "$";
        var key = path.TrimStart('$', '.').Split('.', '[')[0];
        if (e.Message.Contains("could not be mapped", StringComparison.Ordinal))
        {
            var unknown = System.Text.RegularExpressions.Regex.Match(e.Message, "property '([^']*)'").Groups[1].Value;
            return key.Length == 0 || key == unknown
                ? $"unknown key \"{unknown}\"; expected one of {string.Join(", ", Keys)} (see hook.schema.json)"
                : $"unknown key \"{unknown}\" in \"{key}\" (see hook.schema.json)";
        }
        if (key.Length == 0)
            return $"not a hook ({FirstSentence(e.Message)}); a hook is a JSON object such as {{\"hidden_imports\": [\"pkg.plugin\"]}}";
        var expected = Schema.RootElement.GetProperty("properties").TryGetProperty(key, out var p) && p.TryGetProperty("description", out var d)
            ? d.GetString() : null;
        return $"\"{key}\" has the wrong type or is not valid JSON ({FirstSentence(e.Message)}){(expected is null ? "" : "; expected: " + expected)}";
    }

    private static void CheckCondition(HookCondition when, string source, string text)
    {
        foreach (var p in when.Platform ?? [])
            if (p is not ("linux" or "win32" or "darwin"))
                throw Error(source, text, "platform", $"\"when\".\"platform\": {p} is not linux, win32 or darwin");
        foreach (var spec in new[] { when.Python }.Concat(when.Distribution?.Values ?? Enumerable.Empty<string?>()))
            if (spec is not null && !VersionSpecifiers.IsValid(spec))
                throw Error(source, text, "when", $"\"when\": {spec} is not a version specifier such as >=3.11,<3.13");
    }

    private static string FirstSentence(string message)
    {
        var i = message.IndexOf(". ", StringComparison.Ordinal);
        return i > 0 ? message[..i] : message.TrimEnd('.');
    }

    private static PyFreezeException Error(string source, string text, string key, string what)
    {
        var index = text.IndexOf('"' + key + '"', StringComparison.Ordinal);
        var line = index < 0 ? 1 : text.AsSpan(0, index).Count('\n') + 1;
        return new PyFreezeException($"{source}:{line}: {what}");
    }
}

/// <summary>What a hook's <c>when</c> is checked against: the target of the build.</summary>
/// <param name="Platform">The target's <c>sys.platform</c>.</param>
/// <param name="PythonVersion">The target CPython's version (<c>3.11.2</c>).</param>
/// <param name="DistributionVersion">An installed distribution's version by name, or null when it is not installed.</param>
public sealed record HookTarget(string Platform, string PythonVersion, Func<string, string?> DistributionVersion);
