using System.Text.Json;
using PyFreeze.Diagnostics;
using PyFreeze.Probe;

namespace PyFreeze.Build;

/// <summary>
/// <c>[tool.pyfreeze]</c> in the app's pyproject.toml: the build options as settings, with the command line's names
/// (<c>hidden-imports</c>, <c>add-data</c>, …; <c>_</c> works for <c>-</c>). Lists from the file come first and the
/// command line's are added; a value given on the command line wins over the file's. Relative paths are taken from
/// the pyproject.toml's folder.
/// </summary>
/// <example>
/// <code>
/// [tool.pyfreeze]
/// name = "myapp"
/// hidden-imports = ["myapp.plugins.extra"]
/// add-data = ["assets:assets", "config/defaults.toml:config"]
/// collect-data = ["mylib"]
/// optimize = 1
/// </code>
/// </example>
public static class ProjectSettings
{
    private static readonly string[] ListKeys =
    [
        "paths", "hidden-imports", "exclude-modules", "collect-submodules", "collect-data", "collect-binaries", "collect-all",
        "copy-metadata", "add-data", "add-binary", "runtime-hooks", "additional-hooks-dirs",
    ];

    private static readonly string[] ScalarKeys = ["name", "optimize", "onedir", "windowed", "strict"];

    /// <summary>Settings of the table that are not the build's: <c>smoke</c>, the arguments of the CI smoke test
    /// (read by <c>pyfreeze ci init</c>).</summary>
    private static readonly string[] OtherKeys = ["smoke"];

    /// <summary>Merges the pyproject settings (if any) under the command line's options.</summary>
    /// <param name="cli">Options from the command line.</param>
    /// <param name="pyproject">What the probe read, or null.</param>
    /// <returns>The merged options.</returns>
    /// <exception cref="PyFreezeException">The file does not parse, or a setting is unknown or of the wrong type.</exception>
    public static BuildOptions Merge(BuildOptions cli, PyprojectInfo? pyproject)
    {
        if (pyproject is null)
            return cli;
        if (pyproject.Error is not null)
            throw new PyFreezeException($"{pyproject.Path}: {pyproject.Error}; fix the file or its [tool.pyfreeze] table");
        if (pyproject.Tool is not { ValueKind: JsonValueKind.Object } tool)
            return cli;
        var file = pyproject.Path;
        var dir = Path.GetDirectoryName(Path.GetFullPath(file))!;
        var values = new Dictionary<string, JsonElement>(StringComparer.Ordinal);
        foreach (var p in tool.EnumerateObject())
        {
            var key = p.Name.Replace('_', '-');
            if (OtherKeys.Contains(key))
                continue;
            if (!ListKeys.Contains(key) && !ScalarKeys.Contains(key))
                throw new PyFreezeException($"{file}: [tool.pyfreeze] has an unknown setting \"{p.Name}\"; known: {string.Join(", ", ScalarKeys.Concat(ListKeys).Concat(OtherKeys))}");
            values[key] = p.Value;
        }

        IReadOnlyList<string> List(string key, IReadOnlyList<string> fromCli, bool paths = false)
        {
            if (!values.TryGetValue(key, out var v))
                return fromCli;
            if (v.ValueKind != JsonValueKind.Array || v.EnumerateArray().Any(x => x.ValueKind != JsonValueKind.String))
                throw new PyFreezeException($"{file}: [tool.pyfreeze] {key} must be a list of strings");
            var items = v.EnumerateArray().Select(x => x.GetString()!).Select(x => paths ? Path.GetFullPath(Path.Combine(dir, x)) : x);
            return [.. items, .. fromCli];
        }

        // SRC:DEST entries: the source is relative to the pyproject folder.
        IReadOnlyList<string> Added(string key, IReadOnlyList<string> fromCli)
        {
            var fromFile = List(key, []);
            return [.. fromFile.Select(x => Path.IsPathRooted(x) ? x : Path.Combine(dir, x)), .. fromCli.Select(x => Path.IsPathRooted(x) ? x : Path.Combine(cli.BaseDirectory, x))];
        }

        T Scalar<T>(string key, T fromCli, JsonValueKind kind, Func<JsonElement, T> read, T unset)
        {
            if (!EqualityComparer<T>.Default.Equals(fromCli, unset) || !values.TryGetValue(key, out var v))
                return fromCli;
            if (v.ValueKind != kind && !(kind == JsonValueKind.True && v.ValueKind == JsonValueKind.False))
                throw new PyFreezeException($"{file}: [tool.pyfreeze] {key} has the wrong type (expected {(kind == JsonValueKind.True ? "true or false" : kind.ToString().ToLowerInvariant())})");
            return read(v);
        }

        return cli with
        {
            Name = Scalar<string?>("name", cli.Name, JsonValueKind.String, e => e.GetString(), null),
            Optimize = Scalar("optimize", cli.Optimize, JsonValueKind.Number, e => e.GetInt32(), 0),
            OneDir = Scalar("onedir", cli.OneDir, JsonValueKind.True, e => e.GetBoolean(), false),
            Windowed = Scalar("windowed", cli.Windowed, JsonValueKind.True, e => e.GetBoolean(), false),
            Strict = Scalar("strict", cli.Strict, JsonValueKind.True, e => e.GetBoolean(), false),
            Paths = List("paths", cli.Paths, paths: true),
            HiddenImports = List("hidden-imports", cli.HiddenImports),
            Excludes = List("exclude-modules", cli.Excludes),
            CollectSubmodules = List("collect-submodules", cli.CollectSubmodules),
            CollectData = List("collect-data", cli.CollectData),
            CollectBinaries = List("collect-binaries", cli.CollectBinaries),
            CollectAll = List("collect-all", cli.CollectAll),
            CopyMetadata = List("copy-metadata", cli.CopyMetadata),
            AddData = Added("add-data", cli.AddData),
            AddBinary = Added("add-binary", cli.AddBinary),
            RuntimeHooks = List("runtime-hooks", cli.RuntimeHooks, paths: true),
            AdditionalHooksDirs = List("additional-hooks-dirs", cli.AdditionalHooksDirs, paths: true),
        };
    }
}
