using System.CommandLine;
using PyFreeze.Build;
using PyFreeze.Cli;
using PyFreeze.Diagnostics;
using PyFreeze.Tests.Infrastructure;

namespace PyFreeze.Tests.Build;

/// <summary>How the command line, <c>[tool.pyfreeze]</c> and the defaults stack into <see cref="BuildOptions"/>: every
/// setting pyproject.toml takes, set in the file only, on the command line only, and in both. The command line is
/// parsed by the real <c>pyfreeze build</c> command; nothing is built.</summary>
[Trait("Lane", "Fast")]
public class OptionPrecedenceTests
{
    /// <summary>One setting: its pyproject.toml line, its command-line words, and what each source alone or both give.</summary>
    /// <param name="Key">The pyproject.toml key.</param>
    /// <param name="Toml">The value in pyproject.toml (TOML syntax).</param>
    /// <param name="Cli">The command-line words.</param>
    /// <param name="Read">The resolved value, as text.</param>
    /// <param name="FromFile">Expected from the file alone.</param>
    /// <param name="FromCli">Expected from the command line alone.</param>
    /// <param name="FromBoth">Expected from both.</param>
    public sealed record Case(string Key, string Toml, string[] Cli, Func<BuildOptions, string, string> Read, string FromFile, string FromCli, string FromBoth)
    {
        /// <inheritdoc />
        public override string ToString() => Key;
    }

    private static string L(IEnumerable<string> items) => string.Join(",", items);

    /// <summary>Paths are shown relative to the test folder, so expectations read the same everywhere.</summary>
    private static string Rel(string root, IEnumerable<string> paths) => L(paths.Select(p => Path.GetRelativePath(root, p).Replace('\\', '/')));

    private static IEnumerable<Case> Cases() =>
    [
        new("name", "\"fromfile\"", ["--name", "fromcli"], (o, _) => o.Name, "fromfile", "fromcli", "fromcli"),
        new("optimize", "1", ["--optimize", "2"], (o, _) => o.Optimize.ToString(), "1", "2", "2"),
        new("optimize", "1", ["--optimize", "0"], (o, _) => o.Optimize.ToString(), "1", "0", "0"),
        new("onedir", "true", ["-F"], (o, _) => o.OneDir.ToString(), "True", "False", "False"),
        new("onedir", "true", ["--onefile"], (o, _) => o.OneDir.ToString(), "True", "False", "False"),
        new("onedir", "false", ["-D"], (o, _) => o.OneDir.ToString(), "False", "True", "True"),
        new("windowed", "true", ["--console"], (o, _) => o.Windowed.ToString(), "True", "False", "False"),
        new("windowed", "false", ["-w"], (o, _) => o.Windowed.ToString(), "False", "True", "True"),
        new("strict", "false", ["--strict"], (o, _) => o.Strict.ToString(), "False", "True", "True"),
        new("strict", "true", [], (o, _) => o.Strict.ToString(), "True", "False", "True"),
        new("include-source", "false", ["--include-source"], (o, _) => o.IncludeSource.ToString(), "False", "True", "True"),
        new("include-source", "true", ["--no-include-source"], (o, _) => o.IncludeSource.ToString(), "True", "False", "False"),
        new("include-source", "true", [], (o, _) => o.IncludeSource.ToString(), "True", "False", "True"),
        new("hidden-imports", "[\"a\"]", ["--hidden-import", "b"], (o, _) => L(o.HiddenImports), "a", "b", "a,b"),
        new("exclude-modules", "[\"a\"]", ["--exclude-module", "b"], (o, _) => L(o.Excludes), "a", "b", "a,b"),
        new("collect-submodules", "[\"a\"]", ["--collect-submodules", "b"], (o, _) => L(o.CollectSubmodules), "a", "b", "a,b"),
        new("collect-data", "[\"a\"]", ["--collect-data", "b"], (o, _) => L(o.CollectData), "a", "b", "a,b"),
        new("collect-binaries", "[\"a\"]", ["--collect-binaries", "b"], (o, _) => L(o.CollectBinaries), "a", "b", "a,b"),
        new("collect-all", "[\"a\"]", ["--collect-all", "b"], (o, _) => L(o.CollectAll), "a", "b", "a,b"),
        new("copy-metadata", "[\"a\"]", ["--copy-metadata", "b"], (o, _) => L(o.CopyMetadata), "a", "b", "a,b"),
        // paths: the file's relative to the file (proj/), the command line's to the current folder (t/).
        new("paths", "[\"lib\"]", ["--paths", "cli-lib"], (o, t) => Rel(t, o.Paths), "proj/lib", "cli-lib", "proj/lib,cli-lib"),
        new("runtime-hooks", "[\"rt.py\"]", ["--runtime-hook", "cli-rt.py"], (o, t) => Rel(t, o.RuntimeHooks), "proj/rt.py", "cli-rt.py", "proj/rt.py,cli-rt.py"),
        new("additional-hooks-dirs", "[\"hooks\"]", ["--additional-hooks-dir", "cli-hooks"], (o, t) => Rel(t, o.AdditionalHooksDirs), "proj/hooks", "cli-hooks", "proj/hooks,cli-hooks"),
        new("add-data", "[\"assets:assets\"]", ["--add-data", "cli.txt:."], (o, t) => L(o.AddData.Select(a => Path.GetRelativePath(t, a.Source) + ">" + a.Dest)),
            "proj/assets>assets", "cli.txt>.", "proj/assets>assets,cli.txt>."),
        new("add-binary", "[\"lib.so:libs\"]", ["--add-binary", "cli.so:."], (o, t) => L(o.AddBinary.Select(a => Path.GetRelativePath(t, a.Source) + ">" + a.Dest)),
            "proj/lib.so>libs", "cli.so>.", "proj/lib.so>libs,cli.so>."),
    ];

    /// <summary>The cases' keys, for the theory (each key's cases run together).</summary>
    public static TheoryData<string> Keys() => [.. Cases().Select(c => c.Key).Distinct()];

    private static BuildOptions Resolve(TempDir t, string? toml, string[] cli)
    {
        var entry = t.Write("proj/app.py", "print('hi')\n");
        var pyproject = t["proj/pyproject.toml"];
        if (toml is null)
            File.Delete(pyproject);
        else
            File.WriteAllText(pyproject, "[project]\nname = \"x\"\n\n[tool.pyfreeze]\n" + toml + "\n");
        var cmd = BuildCommand.Create(out var toSettings);
        var root = new RootCommand { cmd };
        var parse = root.Parse(["build", entry, .. cli]);
        Assert.Empty(parse.Errors);
        // the command line's relative paths are taken from t (as from the current folder, which tests do not change)
        var given = toSettings(parse);
        var settings = given with { Log = new Log(given.Log!.Level, TextWriter.Null), BaseDirectory = t.Path };
        return BuildOptions.Resolve(settings, _ => null);
    }

    [Theory]
    [MemberData(nameof(Keys))]
    public void File_only_command_line_only_and_both(string key)
    {
        using var t = new TempDir("precedence");
        foreach (var c in Cases().Where(c => c.Key == key))
        {
            var line = $"{c.Key} = {c.Toml}";
            string Got(string? toml, string[] cli) => c.Read(Resolve(t, toml, cli), t.Path);
            Assert.Equal((c.Key, "file only", c.FromFile), (c.Key, "file only", Got(line, [])));
            Assert.Equal((c.Key, "command line only", c.FromCli), (c.Key, "command line only", Got(null, c.Cli)));
            Assert.Equal((c.Key, string.Join(' ', c.Cli), c.FromBoth), (c.Key, string.Join(' ', c.Cli), Got(line, c.Cli)));
            // with underscores instead of dashes
            Assert.Equal(c.FromFile, Got($"{c.Key.Replace('-', '_')} = {c.Toml}", []));
        }
    }

    [Fact]
    public void Every_pyproject_setting_has_a_case()
    {
        Assert.Equal(ProjectSettings.ScalarKeys.Concat(ProjectSettings.ListKeys).Order(), Cases().Select(c => c.Key).Distinct().Order());
    }

    /// <summary>The options pyproject.toml does not take: each given on the command line reaches
    /// <see cref="BuildOptions"/> (as <c>-F/--onefile</c> once did not), and the default differs from what it gives.</summary>
    private static IEnumerable<(string Option, string[] Cli, Func<BuildOptions, string, string> Read, string Given, string Default)> CommandLineOnly() =>
    [
        ("--distpath", ["--distpath", "out"], (o, t) => Path.GetRelativePath(t, o.DistPath), "out", "dist"),
        ("--workpath", ["--workpath", "tmp"], (o, t) => Path.GetRelativePath(t, o.WorkPath), "tmp", "build"),
        ("--python", ["--python", "/usr/bin/python3"], (o, _) => o.Python ?? "", "/usr/bin/python3", "python3"),
        ("--target", ["--target", "win-x64"], (o, _) => o.Target.Name, "win-x64", Rid.HostName),
        ("--runtime", ["--runtime", "cpython.tar.gz"], (o, _) => o.Runtime ?? "", "cpython.tar.gz", ""),
        ("--runtime-sha256", ["--runtime-sha256", "ab12"], (o, _) => o.RuntimeSha256 ?? "", "ab12", ""),
        ("--target-site-packages", ["--target-site-packages", "site"], (o, _) => L(o.TargetSitePackages), "site", ""),
        ("--icon", ["--icon", "app.ico"], (o, _) => o.Icon ?? "", "app.ico", ""),
        ("--version-file", ["--version-file", "v.txt"], (o, _) => o.VersionFile ?? "", "v.txt", ""),
        ("--company", ["--company", "Acme"], (o, _) => o.Company ?? "", "Acme", ""),
        ("--product-version", ["--product-version", "1.2.3"], (o, _) => o.ProductVersion ?? "", "1.2.3", ""),
        ("--host-pack", ["--host-pack", "packs"], (o, _) => o.HostPack ?? "", "packs", ""),
        ("--bootloader-kit", ["--bootloader-kit", "kit"], (o, _) => o.BootloaderKit ?? "", "kit", ""),
        ("--codesign-identity", ["--codesign-identity", "Dev"], (o, _) => o.CodesignIdentity ?? "", "Dev", ""),
        ("--osx-entitlements-file", ["--entitlements", "e.plist"], (o, _) => o.Entitlements ?? "", "e.plist", ""),
        ("--bundle-identifier", ["--bundle-identifier", "com.example.app"], (o, _) => o.BundleIdentifier ?? "", "com.example.app", ""),
        ("--clean", ["--clean"], (o, _) => o.Clean.ToString(), "True", "False"),
        ("--log-level", ["--log-level", "trace"], (o, _) => o.Log.Level.ToString(), "Debug", "Info"),
        ("--json", ["--json", "-"], (o, _) => o.JsonReport ?? "", "-", ""),
        ("--report", ["--report", "r.html"], (o, t) => o.HtmlReport is null ? "" : Path.GetRelativePath(t, o.HtmlReport), "r.html", ""),
        ("--no-whole-packages", ["--no-whole-packages"], (o, _) => o.NoWholePackages.ToString(), "True", "False"),
        ("--no-whole-stdlib", ["--no-whole-stdlib"], (o, _) => o.NoWholeStdlib.ToString(), "True", "False"),
    ];

    /// <summary>Options pyproject.toml takes under another name (the cases above), and the one accepted with nothing
    /// to do (<c>--noconfirm</c>: builds never ask).</summary>
    private static readonly Dictionary<string, string> CoveredElsewhere = new()
    {
        ["--onefile"] = "onedir", ["--onedir"] = "onedir", ["--console"] = "windowed", ["--no-include-source"] = "include-source", ["--windowed"] = "windowed",
        ["--hidden-import"] = "hidden-imports", ["--exclude-module"] = "exclude-modules", ["--runtime-hook"] = "runtime-hooks",
        ["--additional-hooks-dir"] = "additional-hooks-dirs", ["--noconfirm"] = "",
    };

    [Fact]
    public void Every_command_line_option_reaches_the_options()
    {
        using var t = new TempDir("precedence");
        var keys = Cases().Select(c => c.Key).ToHashSet();
        var onlyCli = CommandLineOnly().ToList();
        foreach (var option in BuildCommand.Create().Options.Where(o => o.Name is not ("--help" or "--version")))
            Assert.True(keys.Contains(option.Name.TrimStart('-')) || CoveredElsewhere.ContainsKey(option.Name) || onlyCli.Any(c => c.Option == option.Name),
                $"{option.Name} has no case: add one to Cases (a pyproject.toml setting) or CommandLineOnly");
        var defaults = Resolve(t, null, []);
        foreach (var (option, cli, read, given, @default) in onlyCli)
        {
            Assert.Equal((option, "default", @default), (option, "default", read(defaults, t.Path)));
            Assert.Equal((option, "given", given), (option, "given", read(Resolve(t, null, cli), t.Path)));
        }
    }

    [Fact]
    public void Defaults_when_no_source_says()
    {
        using var t = new TempDir("precedence");
        var o = Resolve(t, null, []);
        Assert.Equal("app", o.Name);
        Assert.Equal(0, o.Optimize);
        Assert.False(o.OneDir);
        Assert.False(o.Windowed);
        Assert.False(o.IncludeSource);
        Assert.Equal(t["dist"], o.DistPath);
        Assert.Equal(t["build"], o.WorkPath);
        Assert.Equal(Rid.HostName, o.Target.Name);
        Assert.Equal("python3", o.Python);
        Assert.Null(o.Pyproject);
    }

    [Fact]
    public void The_environment_chooses_the_default_python_and_the_command_line_wins_over_it()
    {
        using var t = new TempDir("precedence");
        var venvPython = t.Write("venv/bin/python", "");
        var entry = t.Write("app.py", "");
        Assert.Equal(venvPython, BuildOptions.Resolve(new BuildSettings { Entry = entry, Log = Log.Silent }, v => v == "VIRTUAL_ENV" ? t["venv"] : null).Python);
        Assert.Equal("/usr/bin/python3", BuildOptions.Resolve(new BuildSettings { Entry = entry, Python = "/usr/bin/python3", Log = Log.Silent },
            v => v == "VIRTUAL_ENV" ? t["venv"] : null).Python);
    }

    [Theory]
    [InlineData("optimize = \"one\"", "[tool.pyfreeze] optimize has the wrong type (expected number)")]
    [InlineData("onedir = 1", "[tool.pyfreeze] onedir has the wrong type (expected true or false)")]
    [InlineData("hidden-imports = \"a\"", "[tool.pyfreeze] hidden-imports must be a list of strings")]
    [InlineData("hidden-imports = [1]", "[tool.pyfreeze] hidden-imports must be a list of strings")]
    [InlineData("name = 3", "[tool.pyfreeze] name has the wrong type (expected string)")]
    [InlineData("smoke = 1", "[tool.pyfreeze] smoke has the wrong type (expected a string of arguments")]
    [InlineData("colect-data = [\"a\"]", "[tool.pyfreeze] has an unknown setting \"colect-data\"")]
    [InlineData("optimize = 5", "--optimize 5: use 0, 1 or 2")]
    [InlineData("name = \"a/b\"", "--name a/b: not a usable file name")]
    public void A_bad_setting_is_one_message_naming_the_file(string line, string expected)
    {
        using var t = new TempDir("precedence");
        var e = Assert.Throws<PyFreezeException>(() => Resolve(t, line, []));
        Assert.Contains(expected, e.Message);
        if (!expected.StartsWith("--", StringComparison.Ordinal))
            Assert.StartsWith(t["proj/pyproject.toml"] + ":", e.Message);
    }

    [Fact]
    public void A_file_that_is_not_TOML_is_reported_with_its_line()
    {
        using var t = new TempDir("precedence");
        var e = Assert.Throws<PyFreezeException>(() => Resolve(t, "name = \"unterminated\noptimize = 1", []));
        // the [tool.pyfreeze] header is on line 4, the broken value on line 5
        Assert.StartsWith(t["proj/pyproject.toml"] + ":5:", e.Message);
        Assert.Contains("not valid TOML", e.Message);
    }

    [Fact]
    public void A_pyproject_without_a_pyfreeze_table_changes_nothing()
    {
        using var t = new TempDir("precedence");
        t.Write("proj/app.py", "");
        t.Write("proj/pyproject.toml", "[project]\nname = \"x\"\n[tool.black]\nline-length = 99\n");
        var o = BuildOptions.Resolve(new BuildSettings { Entry = t["proj/app.py"], Log = Log.Silent }, _ => null);
        Assert.Equal("app", o.Name);
        Assert.Equal(t["proj/pyproject.toml"], o.Pyproject);
    }

    /// <summary><c>smoke</c> is <c>pyfreeze ci init</c>'s: read into the settings layer with the build's settings, and
    /// changing nothing of the build.</summary>
    [Fact]
    public void The_smoke_setting_is_read_but_is_not_the_builds()
    {
        using var t = new TempDir("precedence");
        var plain = Resolve(t, null, []);
        var withSmoke = Resolve(t, "smoke = \"Ada --json\"", []);
        Assert.Equal("Ada --json", ProjectSettings.Read(t["proj/pyproject.toml"]).Smoke);
        static string Shown(object? v) => v is System.Collections.IEnumerable e and not string ? string.Join(",", e.Cast<object>()) : $"{v}";
        foreach (var p in typeof(BuildOptions).GetProperties().Where(p => p.Name is not (nameof(BuildOptions.Pyproject) or nameof(BuildOptions.Log))))
            Assert.Equal((p.Name, Shown(p.GetValue(plain))), (p.Name, Shown(p.GetValue(withSmoke))));
    }
}
