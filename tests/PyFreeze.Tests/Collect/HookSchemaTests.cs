using System.Reflection;
using System.Text.Json;
using System.Text.Json.Nodes;
using PyFreeze.Analyze;
using PyFreeze.Diagnostics;
using PyFreeze.Hooks;
using PyFreeze.Tests.Binaries;
using PyFreeze.Tests.Infrastructure;

namespace PyFreeze.Tests.Collect;

/// <summary>The hook format: its JSON Schema (<c>src/PyFreeze.Core/Hooks/hook.schema.json</c>) against the loader
/// and the built-in hooks, unknown members refused with file and line, and <c>when</c> conditions.</summary>
public class HookSchemaTests
{
    private static readonly string SchemaFile = Repo.Path_("src", "PyFreeze.Core", "Hooks", "hook.schema.json");
    private static readonly string BuiltinDir = Repo.Path_("src", "PyFreeze.Core", "Hooks", "builtin");

    /// <summary>A hook as plain JSON (the loader skips comments; a schema validator does not).</summary>
    private static string Plain(string file) =>
        JsonNode.Parse(File.ReadAllText(file), documentOptions: new JsonDocumentOptions { CommentHandling = JsonCommentHandling.Skip, AllowTrailingCommas = true })!.ToJsonString();

    private static readonly string[] BadHooks =
    [
        """{"hidden_import": ["x"]}""",
        """{"hidden_imports": "x"}""",
        """{"hidden_imports": [""]}""",
        """{"collect_submodules": "yes"}""",
        """{"env": {"A": 1}}""",
        """{"modules": {"p.x": {"hiddenimports": ["y"]}}}""",
        """{"when": {"platform": ["solaris"]}}""",
        """{"when": {"python": "3.11"}}""",
        """{"when": {"os": "linux"}}""",
    ];

    [Fact]
    [Trait("Lane", "Fast")]
    public void The_schema_and_the_reader_know_the_same_keys()
    {
        using var schema = JsonDocument.Parse(File.ReadAllText(SchemaFile));
        var props = schema.RootElement.GetProperty("properties");
        static IEnumerable<string> Names(Type t) => t.GetProperties().Select(p => p.GetCustomAttribute<System.Text.Json.Serialization.JsonPropertyNameAttribute>()!.Name).Order();
        var core = typeof(Hook).Assembly;
        Assert.Equal(Names(core.GetType("PyFreeze.Hooks.HookDocument")!), props.EnumerateObject().Select(p => p.Name).Order());
        Assert.Equal(Names(core.GetType("PyFreeze.Hooks.ModuleHookDocument")!),
            props.GetProperty("modules").GetProperty("additionalProperties").GetProperty("properties").EnumerateObject().Select(p => p.Name).Order());
        Assert.Equal(Names(typeof(HookCondition)), props.GetProperty("when").GetProperty("properties").EnumerateObject().Select(p => p.Name).Order());
    }

    [Theory]
    [Trait("Lane", "Fast")]
    [InlineData("{\n  \"hidden_imports\": [\"a\"],\n  \"hiden_imports\": [\"b\"]\n}", "x.json:3: unknown key \"hiden_imports\"; expected one of when, hidden_imports")]
    [InlineData("{\n  \"modules\": {\"p.x\": {\n    \"hiddenimports\": [\"y\"]}}\n}", "x.json:3: unknown key \"hiddenimports\" in \"modules\"")]
    [InlineData("{\n\n  \"hidden_imports\": \"a\"\n}", "x.json:3: \"hidden_imports\" has the wrong type")]
    [InlineData("{\"hidden_imports\": [\"\"]}", "x.json:1: \"hidden_imports\" must be a list of non-empty strings")]
    [InlineData("{\"when\": {\"python\": \"3.11\"}}", "x.json:1: \"when\": 3.11 is not a version specifier")]
    [InlineData("[1]", "x.json:1: not a hook")]
    [InlineData("{", "x.json:1: ")]
    public void A_bad_hook_is_one_line_with_its_file_and_line(string text, string expected)
    {
        var e = Assert.Throws<PyFreezeException>(() => Hook.Parse("p", text, "x.json", null));
        Assert.StartsWith(expected, e.Message);
    }

    [FactRequires("pymodule:jsonschema")]
    public void Built_in_hooks_are_valid_by_the_schema_and_bad_ones_are_refused_by_both()
    {
        using var t = new TempDir("hookschema");
        var files = Directory.GetFiles(BuiltinDir, "*.json").Order(StringComparer.Ordinal).ToList();
        Assert.True(files.Count > 20, $"{files.Count} built-in hooks");
        var good = files.Select((f, i) => t.Write($"good{i}.json", Plain(f))).ToList();
        var bad = BadHooks.Select((h, i) => t.Write($"bad{i}.json", h)).ToList();
        const string script = """
            import json, sys, jsonschema
            schema = json.load(open(sys.argv[1]))
            jsonschema.Draft202012Validator.check_schema(schema)
            v = jsonschema.Draft202012Validator(schema)
            for f in sys.argv[2:]:
                errors = list(v.iter_errors(json.load(open(f))))
                print(f, "ok" if not errors else "invalid: " + errors[0].message)
            """;
        var run = Proc.Exec(Requirements.PythonWith("jsonschema")!, ["-c", script, SchemaFile, .. good, .. bad]);
        Assert.True(run.ExitCode == 0, run.ToString());
        var verdicts = run.StdOut.Split('\n', StringSplitOptions.RemoveEmptyEntries).ToDictionary(l => l.Split(' ')[0], l => l[(l.IndexOf(' ') + 1)..]);
        for (int i = 0; i < files.Count; i++)
        {
            Assert.True(verdicts[good[i]] == "ok", $"{files[i]}: {verdicts[good[i]]}");
            Hook.Parse("p", File.ReadAllText(files[i]), files[i], null); // and the loader reads it
        }
        for (int i = 0; i < bad.Count; i++)
        {
            Assert.True(verdicts[bad[i]].StartsWith("invalid", StringComparison.Ordinal), $"the schema accepts {BadHooks[i]}");
            Assert.Throws<PyFreezeException>(() => Hook.Parse("p", BadHooks[i], bad[i], null));
        }
    }

    [Fact]
    [Trait("Lane", "Fast")]
    public void When_conditions_choose_the_hooks_of_a_target()
    {
        var hooks = new HookSet();
        hooks.Add(Hook.Parse("winonly", """{"when": {"platform": ["win32"]}, "hidden_imports": ["w"]}""", "winonly.json", null));
        hooks.Add(Hook.Parse("newpy", """{"when": {"python": ">=3.12"}, "hidden_imports": ["n"]}""", "newpy.json", null));
        hooks.Add(Hook.Parse("oldnumpy", """{"when": {"distribution": {"numpy": "<2"}}, "hidden_imports": ["o"]}""", "oldnumpy.json", null));
        hooks.Add(Hook.Parse("always", """{"hidden_imports": ["a"]}""", "always.json", null));
        string? Numpy(string d, string? v) => Distribution.Normalize(d) == "numpy" ? v : null;
        var linux311np1 = hooks.Applying(new HookTarget("linux", "3.11.2", d => Numpy(d, "1.24.2")));
        Assert.Equal(["always", "oldnumpy"], linux311np1.All.Select(h => h.Package).Order());
        var win312np2 = hooks.Applying(new HookTarget("win32", "3.12.1", d => Numpy(d, "2.0.1")));
        Assert.Equal(["always", "newpy", "winonly"], win312np2.All.Select(h => h.Package).Order());
        var noNumpy = hooks.Applying(new HookTarget("darwin", "3.13.0", _ => null));
        Assert.Equal(["always", "newpy"], noNumpy.All.Select(h => h.Package).Order());
    }

    [Theory]
    [Trait("Lane", "Fast")]
    [InlineData(">=3.11", "3.11.2", true)]
    [InlineData(">=3.11,<3.13", "3.13.0", false)]
    [InlineData("==3.11.*", "3.11.9", true)]
    [InlineData("==3.11.*", "3.1.1", false)]
    [InlineData("!=2.0", "2.0.0", false)]
    [InlineData("<2", "2.0.0rc1", false)]
    [InlineData(">1.0", "1.0.post1", false)]
    [InlineData("<=1.26", "1.26.4", false)]
    public void Version_specifiers(string spec, string version, bool matches) => Assert.Equal(matches, VersionSpecifiers.Matches(spec, version));

    [Fact]
    [Trait("Lane", "Fast")]
    public void Developer_tools_and_side_imports_are_built_in_hooks()
    {
        var hooks = HookSet.Load([]);
        foreach (var tool in new[] { "doctest", "pdb", "unittest", "pydoc", "readline" })
            Assert.True(hooks.IsDeveloperTool(tool), tool);
        Assert.False(hooks.IsDeveloperTool("json"));
        Assert.True(hooks.IsSideImport("importlib._bootstrap_external", "importlib.metadata"));
        Assert.True(hooks.IsSideImport("random", "statistics"));
        Assert.False(hooks.IsSideImport("random", "math"));
    }
}
