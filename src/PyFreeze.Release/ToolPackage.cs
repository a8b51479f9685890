using System.Security;
using System.Text;

namespace PyFreeze.Release;

/// <summary>
/// The .NET tool package (<c>pyfreeze.V.nupkg</c>): NuGet's tool layout, as <c>dotnet pack</c> with
/// <c>PackAsTool</c> writes it — <c>pyfreeze.nuspec</c> with package type <c>DotnetTool</c>,
/// <c>tools/net10.0/any/</c> holding the framework-dependent publish of the CLI, <c>DotnetToolSettings.xml</c> (the
/// command, its entry assembly and the <c>dotnet</c> runner) and the package tree (kits, bootloader source, manifest),
/// plus the OPC parts (<c>[Content_Types].xml</c>, <c>_rels/.rels</c>). Written here rather than by
/// <c>dotnet pack</c> so that the bytes are reproducible and the kits are laid out like the wheel's.
/// </summary>
public static class ToolPackage
{
    /// <summary>The target framework folder inside <c>tools/</c>.</summary>
    public const string Framework = "net10.0";

    /// <summary>The package's file name.</summary>
    public static string FileName(string version) => $"pyfreeze.{version}.nupkg";

    /// <summary>The nuspec.</summary>
    public static string Nuspec(ReleaseInfo info)
    {
        string X(string s) => SecurityElement.Escape(s);
        var commit = info.Commit.Length > 0 ? $" commit=\"{X(info.Commit)}\"" : "";
        return $"""
            <?xml version="1.0" encoding="utf-8"?>
            <package xmlns="http://schemas.microsoft.com/packaging/2013/05/nuspec.xsd">
              <metadata>
                <id>pyfreeze</id>
                <version>{X(info.Version)}</version>
                <authors>PyFreeze</authors>
                <license type="expression">{X(info.License)}</license>
                <licenseUrl>https://licenses.nuget.org/{X(info.License)}</licenseUrl>
                <projectUrl>{X(info.RepositoryUrl)}</projectUrl>
                <description>{X(ReleaseInfo.Summary)} The pyfreeze command as a .NET tool, with its bootloader kits.</description>
                <tags>python freeze packaging executable pyinstaller</tags>
                <packageTypes>
                  <packageType name="DotnetTool" />
                </packageTypes>
                <repository type="git" url="{X(info.RepositoryUrl)}"{commit} />
              </metadata>
            </package>

            """.Replace("\r\n", "\n");
    }

    /// <summary>DotnetToolSettings.xml: one command, <c>pyfreeze</c>, run by <c>dotnet</c>.</summary>
    public const string Settings = """
        <?xml version="1.0" encoding="utf-8"?>
        <DotNetCliTool Version="1">
          <Commands>
            <Command Name="pyfreeze" EntryPoint="pyfreeze.dll" Runner="dotnet" />
          </Commands>
        </DotNetCliTool>

        """;

    private const string Rels = """
        <?xml version="1.0" encoding="utf-8"?>
        <Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">
          <Relationship Type="http://schemas.microsoft.com/packaging/2010/07/manifest" Target="/pyfreeze.nuspec" Id="R0" />
        </Relationships>

        """;

    /// <summary>[Content_Types].xml for the parts: a default per extension, an override per file with none.</summary>
    public static string ContentTypes(IEnumerable<string> parts)
    {
        var sb = new StringBuilder("<?xml version=\"1.0\" encoding=\"utf-8\"?>\n<Types xmlns=\"http://schemas.openxmlformats.org/package/2006/content-types\">\n");
        sb.Append("  <Default Extension=\"rels\" ContentType=\"application/vnd.openxmlformats-package.relationships+xml\" />\n");
        var list = parts.ToList();
        foreach (var ext in list.Select(p => Path.GetExtension(p).TrimStart('.')).Where(e => e.Length > 0 && e != "rels").Distinct(StringComparer.OrdinalIgnoreCase).Order(StringComparer.Ordinal))
            sb.Append($"  <Default Extension=\"{SecurityElement.Escape(ext)}\" ContentType=\"application/octet\" />\n");
        foreach (var p in list.Where(p => Path.GetExtension(p).Length == 0))
            sb.Append($"  <Override PartName=\"/{SecurityElement.Escape(p)}\" ContentType=\"application/octet\" />\n");
        return sb.Append("</Types>\n").ToString();
    }

    /// <summary>Writes the package into <paramref name="outDir"/>.</summary>
    /// <param name="info">Version, URLs, timestamp.</param>
    /// <param name="publishDir">The framework-dependent publish of the CLI (<c>pyfreeze.dll</c> and its assemblies);
    /// symbols and XML docs are left out.</param>
    /// <param name="packageTree">The laid-out package tree (channel <c>dotnet-tool</c>).</param>
    /// <param name="outDir">Where the package goes.</param>
    /// <returns>The package's path.</returns>
    /// <exception cref="InvalidOperationException"><paramref name="publishDir"/> has no <c>pyfreeze.dll</c>.</exception>
    public static string Write(ReleaseInfo info, string publishDir, string packageTree, string outDir)
    {
        if (!File.Exists(Path.Combine(publishDir, "pyfreeze.dll")))
            throw new InvalidOperationException($"{publishDir}: no pyfreeze.dll (publish src/PyFreeze.Cli framework-dependent there first)");
        var prefix = $"tools/{Framework}/any/";
        var items = Directory.EnumerateFiles(publishDir)
            .Where(f => !f.EndsWith(".pdb", StringComparison.Ordinal) && !f.EndsWith(".xml", StringComparison.Ordinal))
            .Select(f => ZipItem.FromFile(prefix + Path.GetFileName(f), f) with { Executable = false })
            .ToList();
        items.Add(new(prefix + "DotnetToolSettings.xml", Encoding.UTF8.GetBytes(Settings.Replace("\r\n", "\n"))));
        items.AddRange(PackageTree.Items(packageTree, prefix));
        items.Add(new("pyfreeze.nuspec", Encoding.UTF8.GetBytes(Nuspec(info))));
        items.Sort((a, b) => string.CompareOrdinal(a.Path, b.Path));
        items.Add(new("_rels/.rels", Encoding.UTF8.GetBytes(Rels.Replace("\r\n", "\n"))));
        items.Add(new("[Content_Types].xml", Encoding.UTF8.GetBytes(ContentTypes(items.Select(i => i.Path)))));
        var path = Path.Combine(outDir, FileName(info.Version));
        ReproducibleZip.Write(path, items, ReproducibleZip.Timestamp(info.SourceDateEpoch));
        return path;
    }
}
