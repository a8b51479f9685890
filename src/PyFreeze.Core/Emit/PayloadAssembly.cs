using System.Reflection;
using System.Reflection.Metadata;
using System.Reflection.Metadata.Ecma335;
using System.Reflection.PortableExecutable;
using PyFreeze.Payload;

namespace PyFreeze.Emit;

/// <summary>
/// Wraps the payload in a resource-only .NET assembly (ECMA-335 metadata with one manifest resource) so the .NET
/// bundler types it "assembly" and the host leaves it inside the executable instead of extracting it at every
/// start (a non-assembly entry is extracted to <c>$DOTNET_BUNDLE_EXTRACT_BASE_DIR</c>; an assembly
/// entry is not, and unlike an entry retyped after bundling it survives the bundler's macOS signing). The bootloader never loads the assembly: it reads the resource bytes in place at
/// the offset recorded in its launch settings.
/// </summary>
public static class PayloadAssembly
{
    /// <summary>File name of the wrapper inside the bundle.</summary>
    public const string FileName = PayloadLayout.AssemblyName + ".dll";

    /// <summary>Writes the wrapper assembly.</summary>
    /// <param name="payloadPath">The payload file.</param>
    /// <param name="payloadSha256">The payload's hash (hex): seeds the module's MVID so the output is deterministic.</param>
    /// <param name="outputPath">The .dll to write.</param>
    /// <returns>Offset in bytes of the first payload byte from the start of the .dll file.</returns>
    /// <exception cref="InvalidOperationException">The payload is too large for a PE resource (over 2 GiB).</exception>
    public static long Write(string payloadPath, string payloadSha256, string outputPath)
    {
        var length = new FileInfo(payloadPath).Length;
        if (length > int.MaxValue - 4096)
            throw new InvalidOperationException($"the payload is {length} bytes; a single-file app holds at most 2 GiB");

        var metadata = new MetadataBuilder();
        var mvid = new Guid(Convert.FromHexString(payloadSha256[..32]));
        metadata.AddModule(0, metadata.GetOrAddString(FileName), metadata.GetOrAddGuid(mvid), default, default);
        metadata.AddAssembly(metadata.GetOrAddString(PayloadLayout.AssemblyName), new Version(1, 0, 0, 0), default, default,
            default, AssemblyHashAlgorithm.Sha1);
        metadata.AddTypeDefinition(default, default, metadata.GetOrAddString("<Module>"), default,
            MetadataTokens.FieldDefinitionHandle(1), MetadataTokens.MethodDefinitionHandle(1));
        metadata.AddManifestResource(ManifestResourceAttributes.Public, metadata.GetOrAddString(PayloadLayout.ResourceName), default, 0);

        var resources = new BlobBuilder();
        resources.WriteInt32((int)length);
        using (var input = File.OpenRead(payloadPath))
            resources.TryWriteBytes(input, (int)length);

        var pe = new ManagedPEBuilder(
            new PEHeaderBuilder(imageCharacteristics: Characteristics.Dll | Characteristics.ExecutableImage),
            new MetadataRootBuilder(metadata),
            new BlobBuilder(),
            managedResources: resources,
            flags: CorFlags.ILOnly,
            deterministicIdProvider: content => new BlobContentId(mvid, 0x5059465a /* "PYFZ" */));
        var image = new BlobBuilder();
        pe.Serialize(image);
        using (var output = new FileStream(outputPath, FileMode.Create, FileAccess.Write))
            image.WriteContentTo(output);

        using var reader = new PEReader(File.OpenRead(outputPath));
        var rva = reader.PEHeaders.CorHeader!.ResourcesDirectory.RelativeVirtualAddress;
        foreach (var section in reader.PEHeaders.SectionHeaders)
        {
            if (rva >= section.VirtualAddress && rva < section.VirtualAddress + Math.Max(section.VirtualSize, section.SizeOfRawData))
                return section.PointerToRawData + (rva - section.VirtualAddress) + 4;
        }
        throw new InvalidOperationException("the payload assembly has no resource section");
    }
}
