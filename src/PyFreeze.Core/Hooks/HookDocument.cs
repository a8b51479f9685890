using System.Text.Json;
using System.Text.Json.Serialization;

namespace PyFreeze.Hooks;

/// <summary>A hook file as written (the shape <c>src/PyFreeze.Core/Hooks/hook.schema.json</c> describes); read with
/// System.Text.Json source generation (<see cref="HookJsonContext"/>), unknown members refused.</summary>
internal sealed class HookDocument
{
    [JsonPropertyName("when")] public HookCondition? When { get; set; }
    [JsonPropertyName("hidden_imports")] public List<string>? HiddenImports { get; set; }
    [JsonPropertyName("optional_hidden_imports")] public List<string>? OptionalHiddenImports { get; set; }
    [JsonPropertyName("excluded_imports")] public List<string>? ExcludedImports { get; set; }
    [JsonPropertyName("collect_submodules")] public bool? CollectSubmodules { get; set; }
    [JsonPropertyName("developer_tool")] public bool? DeveloperTool { get; set; }
    [JsonPropertyName("stdlib_source")] public bool? StdlibSource { get; set; }
    [JsonPropertyName("datas")] public List<string>? Datas { get; set; }
    [JsonPropertyName("exclude_datas")] public List<string>? ExcludeDatas { get; set; }
    [JsonPropertyName("binaries")] public List<string>? Binaries { get; set; }
    [JsonPropertyName("prefix_datas")] public Dictionary<string, string>? PrefixDatas { get; set; }
    [JsonPropertyName("copy_metadata")] public List<string>? CopyMetadata { get; set; }
    [JsonPropertyName("runtime_hooks")] public List<string>? RuntimeHooks { get; set; }
    [JsonPropertyName("env")] public Dictionary<string, string>? Env { get; set; }
    [JsonPropertyName("aliases")] public Dictionary<string, string>? Aliases { get; set; }
    [JsonPropertyName("modules")] public Dictionary<string, ModuleHookDocument>? Modules { get; set; }
}

/// <summary>What a hook says of one module of its package.</summary>
internal sealed class ModuleHookDocument
{
    [JsonPropertyName("hidden_imports")] public List<string>? HiddenImports { get; set; }
    [JsonPropertyName("side_imports")] public List<string>? SideImports { get; set; }
}

/// <summary>When a hook applies: every condition given must hold.</summary>
public sealed class HookCondition
{
    /// <summary><c>sys.platform</c> values of the target it applies to (<c>linux</c>, <c>win32</c>, <c>darwin</c>).</summary>
    [JsonPropertyName("platform")] public List<string>? Platform { get; set; }

    /// <summary>The target Python's versions, as a PEP 440 specifier set of comparisons (<c>&gt;=3.11,&lt;3.13</c>).</summary>
    [JsonPropertyName("python")] public string? Python { get; set; }

    /// <summary>Distribution name → versions of it (a specifier set as above) that must be installed.</summary>
    [JsonPropertyName("distribution")] public Dictionary<string, string>? Distribution { get; set; }
}

/// <summary>The source-generated reader of hook files: comments and trailing commas allowed, unknown members refused.</summary>
[JsonSourceGenerationOptions(ReadCommentHandling = JsonCommentHandling.Skip, AllowTrailingCommas = true,
    UnmappedMemberHandling = JsonUnmappedMemberHandling.Disallow)]
[JsonSerializable(typeof(HookDocument))]
internal sealed partial class HookJsonContext : JsonSerializerContext;
