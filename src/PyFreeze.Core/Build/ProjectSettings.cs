using PyFreeze.Diagnostics;
using Tomlyn;
using Tomlyn.Model;

namespace PyFreeze.Build;

/// <summary>
/// <c>[tool.pyfreeze]</c> in the app's pyproject.toml (the nearest one in the entry's folder or above it, as PEP 518
/// tools look for it): the build options as settings, with the command line's names (<c>hidden-imports</c>,
/// <c>add-data</c>, …; <c>_</c> works for <c>-</c>). Read here, in C#, with Tomlyn (TOML 1.0, the format PEP 518
/// names), so it needs nothing of the target interpreter. How it stacks with the command line is
/// <see cref="BuildOptions"/>' precedence.
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
    /// <summary>The list settings, by their pyproject.toml names.</summary>
    public static IReadOnlyList<string> ListKeys { get; } =
    [
        "paths", "hidden-imports", "exclude-modules", "collect-submodules", "collect-data", "collect-binaries", "collect-all",
        "copy-metadata", "add-data", "add-binary", "runtime-hooks", "additional-hooks-dirs",
    ];

    /// <summary>The single-valued settings, by their pyproject.toml names.</summary>
    public static IReadOnlyList<string> ScalarKeys { get; } = ["name", "optimize", "onedir", "windowed", "strict", "include-source"];

    /// <summary>The settings that are not the build's but <c>pyfreeze ci init</c>'s: <c>smoke</c>, the arguments of the
    /// CI smoke test (<see cref="BuildSettings.Smoke"/>).</summary>
    public static IReadOnlyList<string> CiKeys { get; } = ["smoke"];

    /// <summary>The nearest pyproject.toml in <paramref name="dir"/> or a folder above it, or null.</summary>
    public static string? Find(string dir)
    {
        for (var d = new DirectoryInfo(dir); d is not null; d = d.Parent)
        {
            var p = Path.Combine(d.FullName, "pyproject.toml");
            if (File.Exists(p))
                return p;
        }
        return null;
    }

    /// <summary>Reads <c>[tool.pyfreeze]</c> of <paramref name="file"/>.</summary>
    /// <param name="file">A pyproject.toml.</param>
    /// <returns>Its settings as a layer whose relative paths are taken from the file's folder (empty when the file
    /// has no <c>[tool.pyfreeze]</c> table).</returns>
    /// <exception cref="PyFreezeException">The file cannot be read or is not TOML (the message gives its line and
    /// column), or a setting is unknown or of the wrong type.</exception>
    public static BuildSettings Read(string file)
    {
        var dir = Path.GetDirectoryName(Path.GetFullPath(file))!;
        string text;
        try
        {
            text = File.ReadAllText(file);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new PyFreezeException($"{file}: cannot be read ({e.Message})", 1, e);
        }
        TomlTable doc;
        try
        {
            doc = TomlSerializer.Deserialize<TomlTable>(text, new TomlSerializerOptions { SourceName = file })!;
        }
        catch (TomlException e)
        {
            var why = e.Diagnostics?.FirstOrDefault()?.Message ?? e.Message;
            throw new PyFreezeException($"{file}:{e.Line}:{e.Column}: not valid TOML ({why}); fix the file or its [tool.pyfreeze] table", 1, e);
        }
        if (!doc.TryGetValue("tool", out var toolObj) || toolObj is not TomlTable tool || !tool.TryGetValue("pyfreeze", out var ours))
            return new BuildSettings { BaseDirectory = dir };
        if (ours is not TomlTable table)
            throw new PyFreezeException($"{file}: tool.pyfreeze must be a table ([tool.pyfreeze])");
        var values = new Dictionary<string, object>(StringComparer.Ordinal);
        foreach (var (name, value) in table)
        {
            var key = name.Replace('_', '-');
            if (!ListKeys.Contains(key) && !ScalarKeys.Contains(key) && !CiKeys.Contains(key))
                throw new PyFreezeException($"{file}: [tool.pyfreeze] has an unknown setting \"{name}\"; known: {string.Join(", ", ScalarKeys.Concat(ListKeys).Concat(CiKeys))}");
            values[key] = value;
        }

        IReadOnlyList<string>? List(string key)
        {
            if (!values.TryGetValue(key, out var v))
                return null;
            if (v is not TomlArray items || items.Any(x => x is not string))
                throw new PyFreezeException($"{file}: [tool.pyfreeze] {key} must be a list of strings");
            return items.Cast<string>().ToList();
        }

        T? Scalar<T>(string key, string expected) where T : struct
        {
            if (!values.TryGetValue(key, out var v))
                return null;
            return v is T t ? t : throw new PyFreezeException($"{file}: [tool.pyfreeze] {key} has the wrong type (expected {expected})");
        }

        string? Text(string key, string expected) =>
            !values.TryGetValue(key, out var v) ? null
            : v as string ?? throw new PyFreezeException($"{file}: [tool.pyfreeze] {key} has the wrong type (expected {expected})");

        var optimize = Scalar<long>("optimize", "number");
        return new BuildSettings
        {
            BaseDirectory = dir,
            Name = Text("name", "string"),
            Optimize = optimize is { } o ? (int)Math.Clamp(o, int.MinValue, int.MaxValue) : null,
            OneDir = Scalar<bool>("onedir", "true or false"),
            Windowed = Scalar<bool>("windowed", "true or false"),
            Strict = Scalar<bool>("strict", "true or false"),
            IncludeSource = Scalar<bool>("include-source", "true or false"),
            Paths = List("paths"),
            HiddenImports = List("hidden-imports"),
            Excludes = List("exclude-modules"),
            CollectSubmodules = List("collect-submodules"),
            CollectData = List("collect-data"),
            CollectBinaries = List("collect-binaries"),
            CollectAll = List("collect-all"),
            CopyMetadata = List("copy-metadata"),
            AddData = List("add-data"),
            AddBinary = List("add-binary"),
            RuntimeHooks = List("runtime-hooks"),
            AdditionalHooksDirs = List("additional-hooks-dirs"),
            Smoke = Text("smoke", "a string of arguments, e.g. smoke = \"--version\""),
        };
    }
}
