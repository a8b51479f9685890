using YamlDotNet.RepresentationModel;

namespace PyFreeze.Tests.Release;

/// <summary>Reads workflow files with YamlDotNet's representation model (the node tree as the file spells it).</summary>
internal static class Yaml
{
    /// <summary>The root mapping of a YAML file; throws YamlException on invalid YAML.</summary>
    public static YamlMappingNode Load(string path)
    {
        var stream = new YamlStream();
        stream.Load(new StringReader(File.ReadAllText(path)));
        return Assert.IsType<YamlMappingNode>(Assert.Single(stream.Documents).RootNode);
    }

    /// <summary>The value at a key, failing the test with the path when it is absent.</summary>
    public static YamlNode At(this YamlNode node, params string[] keys)
    {
        foreach (var k in keys)
        {
            var map = Assert.IsType<YamlMappingNode>(node);
            Assert.True(map.Children.TryGetValue(new YamlScalarNode(k), out var next), $"no key '{k}' in {string.Join('.', keys)}");
            node = next!;
        }
        return node;
    }

    /// <summary>The value at a key, or null.</summary>
    public static YamlNode? Get(this YamlNode node, string key) =>
        node is YamlMappingNode map && map.Children.TryGetValue(new YamlScalarNode(key), out var v) ? v : null;

    /// <summary>A scalar's text.</summary>
    public static string Text(this YamlNode node) => Assert.IsType<YamlScalarNode>(node).Value ?? "";

    /// <summary>A sequence's items.</summary>
    public static IReadOnlyList<YamlNode> Items(this YamlNode node) => Assert.IsType<YamlSequenceNode>(node).Children.ToList();

    /// <summary>A mapping's keys.</summary>
    public static IEnumerable<string> Keys(this YamlNode node) => Assert.IsType<YamlMappingNode>(node).Children.Keys.Select(k => k.Text());
}
