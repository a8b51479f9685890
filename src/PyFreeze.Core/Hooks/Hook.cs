using System.Text.Json;
using PyFreeze.Diagnostics;

namespace PyFreeze.Hooks;

/// <summary>
/// A declarative hook: what a package needs beyond what its imports show, as data (no code runs at build time).
/// One JSON file per top-level package, named after it (<c>numpy.json</c>); comments and trailing commas are allowed.
/// </summary>
/// <remarks>
/// <code>
/// {
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
///   "modules":                 {"pkg.sub": {"hidden_imports": ["x"]}} // hidden imports when that module is collected
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

    /// <summary>Package data globs that are not collected.</summary>
    public IReadOnlyList<string> ExcludeDatas { get; init; } = [];

    /// <summary>Extra binary globs relative to the package folder.</summary>
    public IReadOnlyList<string> Binaries { get; init; } = [];

    /// <summary>Folder under the build interpreter's <c>sys.prefix</c> (or <c>sys.base_prefix</c>) → where it goes, relative
    /// to the package folder: data a system library the package uses finds under the prefix (PROJ's <c>share/proj</c>),
    /// which the package looks for inside itself when frozen. A folder absent under both prefixes is skipped.</summary>
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

    private static readonly string[] Keys =
    [
        "hidden_imports", "optional_hidden_imports", "excluded_imports", "collect_submodules", "datas", "exclude_datas",
        "binaries", "prefix_datas", "copy_metadata", "runtime_hooks", "env", "aliases", "modules",
    ];

    /// <summary>Parses a hook.</summary>
    /// <param name="package">The top-level package it is for.</param>
    /// <param name="text">The JSON text.</param>
    /// <param name="source">The file name for messages.</param>
    /// <param name="directory">The folder runtime hooks are relative to, or null.</param>
    /// <exception cref="PyFreezeException">The text does not parse or does not fit the schema: the message names the file,
    /// the line, and what is expected.</exception>
    public static Hook Parse(string package, string text, string source, string? directory)
    {
        JsonDocument doc;
        try
        {
            doc = JsonDocument.Parse(text, new JsonDocumentOptions { CommentHandling = JsonCommentHandling.Skip, AllowTrailingCommas = true });
        }
        catch (JsonException e)
        {
            throw new PyFreezeException($"{source}:{(e.LineNumber ?? 0) + 1}: not valid JSON ({FirstSentence(e.Message)}); a hook is a JSON object such as {{\"hidden_imports\": [\"pkg.plugin\"]}}", 1, e);
        }
        using (doc)
        {
            var root = doc.RootElement;
            if (root.ValueKind != JsonValueKind.Object)
                throw new PyFreezeException($"{source}:1: a hook must be a JSON object, found {root.ValueKind.ToString().ToLowerInvariant()}");
            foreach (var prop in root.EnumerateObject())
                if (!Keys.Contains(prop.Name))
                    throw Error(source, text, prop.Name, $"unknown key \"{prop.Name}\"; expected one of {string.Join(", ", Keys)}");
            return new Hook
            {
                Package = package,
                Source = source,
                Directory = directory,
                HiddenImports = Strings(root, "hidden_imports", source, text),
                OptionalHiddenImports = Strings(root, "optional_hidden_imports", source, text),
                ExcludedImports = Strings(root, "excluded_imports", source, text),
                CollectSubmodules = Bool(root, "collect_submodules", true, source, text),
                Datas = Strings(root, "datas", source, text),
                ExcludeDatas = Strings(root, "exclude_datas", source, text),
                Binaries = Strings(root, "binaries", source, text),
                PrefixDatas = Map(root, "prefix_datas", source, text),
                CopyMetadata = Strings(root, "copy_metadata", source, text),
                RuntimeHooks = Strings(root, "runtime_hooks", source, text),
                Environment = Map(root, "env", source, text),
                Aliases = Map(root, "aliases", source, text),
                ModuleHiddenImports = Modules(root, source, text),
            };
        }
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

    private static IReadOnlyList<string> Strings(JsonElement root, string key, string source, string text)
    {
        if (!root.TryGetProperty(key, out var v))
            return [];
        if (v.ValueKind != JsonValueKind.Array || v.EnumerateArray().Any(x => x.ValueKind != JsonValueKind.String || x.GetString()!.Length == 0))
            throw Error(source, text, key, $"\"{key}\" must be a list of non-empty strings");
        return v.EnumerateArray().Select(x => x.GetString()!).ToList();
    }

    private static bool Bool(JsonElement root, string key, bool fallback, string source, string text)
    {
        if (!root.TryGetProperty(key, out var v))
            return fallback;
        if (v.ValueKind is not (JsonValueKind.True or JsonValueKind.False))
            throw Error(source, text, key, $"\"{key}\" must be true or false");
        return v.GetBoolean();
    }

    private static IReadOnlyDictionary<string, string> Map(JsonElement root, string key, string source, string text)
    {
        if (!root.TryGetProperty(key, out var v))
            return new Dictionary<string, string>();
        if (v.ValueKind != JsonValueKind.Object || v.EnumerateObject().Any(p => p.Value.ValueKind != JsonValueKind.String))
            throw Error(source, text, key, $"\"{key}\" must be an object of string values");
        return v.EnumerateObject().ToDictionary(p => p.Name, p => p.Value.GetString()!, StringComparer.Ordinal);
    }

    private static IReadOnlyDictionary<string, IReadOnlyList<string>> Modules(JsonElement root, string source, string text)
    {
        if (!root.TryGetProperty("modules", out var v))
            return new Dictionary<string, IReadOnlyList<string>>();
        if (v.ValueKind != JsonValueKind.Object)
            throw Error(source, text, "modules", "\"modules\" must be an object: module name → {\"hidden_imports\": [...]}");
        var map = new Dictionary<string, IReadOnlyList<string>>(StringComparer.Ordinal);
        foreach (var p in v.EnumerateObject())
        {
            if (p.Value.ValueKind != JsonValueKind.Object || p.Value.EnumerateObject().Any(x => x.Name != "hidden_imports"))
                throw Error(source, text, p.Name, $"\"modules\".\"{p.Name}\" must be an object with \"hidden_imports\" only");
            map[p.Name] = Strings(p.Value, "hidden_imports", source, text);
        }
        return map;
    }
}
