using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.NET.HostModel.AppHost;
using Microsoft.NET.HostModel.Bundle;
using PyFreeze.Assemble;
using PyFreeze.Payload;

namespace PyFreeze.Emit;

/// <summary>What the emit stage produced.</summary>
/// <param name="Path">The executable written.</param>
/// <param name="Size">Its size in bytes.</param>
/// <param name="PayloadOffset">Where the payload starts inside it.</param>
/// <param name="BootloaderSize">Bytes that are not payload (host, runtime, bootloader).</param>
/// <param name="Bootloader">The kind of bootloader the app got: <see cref="BootloaderKit.Aot"/> (NativeAOT) or
/// <see cref="BootloaderKit.SingleFile"/> (the .NET single-file host).</param>
public sealed record EmitResult(string Path, long Size, long PayloadOffset, long BootloaderSize, string Bootloader = BootloaderKit.SingleFile);

/// <summary>
/// Bundles a bootloader kit with a payload into one executable through Microsoft.NET.HostModel's <see cref="Bundler"/>,
/// which writes one bundle format for both kinds of kit (<see cref="BootloaderKit"/>); the bundle is generated once.
/// <list type="bullet">
/// <item>NativeAOT: the bootloader is the bundle host (it carries the bundle-header slot that the bundler patches);
/// the bundle holds the payload (<see cref="PayloadLayout.PayloadEntry"/>) and the launch settings
/// (<see cref="PayloadLayout.SettingsEntry"/>), which the bootloader finds through the manifest.</item>
/// <item>Single-file .NET host: the host is patched for the bootloader (<see cref="HostWriter.CreateAppHost"/>), then the
/// bundle holds the payload wrapper assembly (first, so its offset is known before bundling:
/// <see cref="PayloadAssemblyOffset"/>), the kit's assemblies and a runtimeconfig that carries the launch settings,
/// read by the bootloader with <see cref="AppContext.GetData(string)"/>.</item>
/// </list>
/// </summary>
public static class Emitter
{
    /// <summary>Writes the executable.</summary>
    /// <param name="kit">The bootloader kit for the target RID.</param>
    /// <param name="rid">The target.</param>
    /// <param name="payload">The payload archive, or null for a <c>--onedir</c> executable (its payload lies beside it).</param>
    /// <param name="settings">Launch settings (the payload's offset and length are filled in here; its hashes must be
    /// the archive's).</param>
    /// <param name="workDir">A private scratch folder (emptied).</param>
    /// <param name="outputPath">Where the executable goes; written to a temporary name beside it and renamed, so a
    /// failure never leaves a half-written file.</param>
    /// <param name="windowed">Windows: GUI subsystem.</param>
    /// <param name="compress">Deflate the bootloader's assemblies (smaller, ~45 ms slower start; Wine needs it).</param>
    /// <param name="resourcesFrom">A PE whose Win32 resources (icon, version) are copied into a Windows host, or null.</param>
    /// <param name="resources">Icon and version resources written into a Windows host, or null.</param>
    /// <param name="report">The build report's bytes for the bundle entry <see cref="Report.EmbeddedReport.Entry"/>, or null.</param>
    /// <returns>The result.</returns>
    public static EmitResult Emit(BootloaderKit kit, Rid rid, PayloadArchive? payload, LaunchSettings settings, string workDir,
        string outputPath, bool windowed = false, bool compress = false, string? resourcesFrom = null, WindowsResources? resources = null,
        byte[]? report = null)
    {
        if (Directory.Exists(workDir))
            Directory.Delete(workDir, true);
        Directory.CreateDirectory(workDir);
        FileSpec? reportSpec = null;
        if (report is not null)
        {
            var reportFile = Path.Combine(workDir, "report");
            File.WriteAllBytes(reportFile, report);
            reportSpec = new FileSpec(reportFile, Report.EmbeddedReport.Entry);
        }
        if (kit.IsAot)
            return EmitAot(kit, rid, payload, settings, workDir, outputPath, reportSpec);
        var hostName = Path.GetFileName(outputPath);
        var host = Path.Combine(workDir, hostName);
        HostWriter.CreateAppHost(kit.Host, host, kit.AssemblyName + ".dll",
            windowsGraphicalUserInterface: windowed && rid.IsWindows,
            assemblyToCopyResourcesFrom: rid.IsWindows ? resourcesFrom : null,
            enableMacOSCodeSign: rid.IsMacOS);
        if (rid.IsWindows)
            resources?.WriteTo(host);

        var payloadDll = Path.Combine(workDir, PayloadAssembly.FileName);
        var offsetInDll = payload is null ? 0 : PayloadAssembly.Write(payload.Path, payload.Sha256, payloadDll);
        var offset = payload is null ? 0 : PayloadAssemblyOffset(host, rid) + offsetInDll;
        var withOffset = settings with { PayloadOffset = offset, PayloadLength = payload?.Length ?? 0 };
        var runtimeConfigName = kit.AssemblyName + ".runtimeconfig.json";
        var runtimeConfig = Path.Combine(workDir, runtimeConfigName);
        WriteRuntimeConfig(kit.FilePath(runtimeConfigName), runtimeConfig, withOffset);

        var outDir = Path.Combine(workDir, "out");
        Directory.CreateDirectory(outDir);
        var specs = new List<FileSpec> { new(host, hostName) };
        if (payload is not null)
            specs.Add(new FileSpec(payloadDll, PayloadAssembly.FileName));
        foreach (var f in kit.Files)
            specs.Add(f == runtimeConfigName ? new FileSpec(runtimeConfig, f) : new FileSpec(kit.FilePath(f), f));
        if (reportSpec is not null)
            specs.Add(reportSpec);
        var options = compress ? BundleOptions.EnableCompression : BundleOptions.None;
        var bundler = new Bundler(hostName, outDir, options, rid.Os, rid.Architecture, new Version(10, 0),
            diagnosticOutput: false, appAssemblyName: kit.AssemblyName, macosCodesign: rid.IsMacOS);
        var bundle = bundler.GenerateBundle(specs);
        if (payload is not null)
        {
            var entry = bundler.BundleManifest.Files.Single(f => f.RelativePath == PayloadAssembly.FileName);
            if (entry.CompressedSize != 0)
                throw new InvalidOperationException("the bundler compressed the payload; it must stay readable in place");
            if (entry.Offset + offsetInDll != offset)
                throw new InvalidOperationException($"the bundler placed the payload at {entry.Offset + offsetInDll}, not at {offset} where the launch settings say it is");
        }
        var size = Publish(bundle, outputPath);
        return new EmitResult(outputPath, size, offset, size - (payload?.Length ?? 0));
    }

    /// <summary>The NativeAOT kit's bundle: the bootloader, then the payload and the launch settings as bundle entries
    /// (stored, so the bootloader reads the payload in place).</summary>
    private static EmitResult EmitAot(BootloaderKit kit, Rid rid, PayloadArchive? payload, LaunchSettings settings, string workDir, string outputPath,
        FileSpec? report)
    {
        var hostName = Path.GetFileName(outputPath);
        var launch = Path.Combine(workDir, "launch");
        File.WriteAllBytes(launch, settings.ToBytes());
        var specs = new List<FileSpec> { new(kit.Host, hostName) };
        if (payload is not null)
            specs.Add(new FileSpec(payload.Path, PayloadLayout.PayloadEntry));
        specs.Add(new FileSpec(launch, PayloadLayout.SettingsEntry));
        if (report is not null)
            specs.Add(report);
        var outDir = Path.Combine(workDir, "out");
        Directory.CreateDirectory(outDir);
        var bundler = new Bundler(hostName, outDir, BundleOptions.BundleAllContent, rid.Os, rid.Architecture, new Version(10, 0),
            diagnosticOutput: false, appAssemblyName: null, macosCodesign: rid.IsMacOS);
        var bundle = bundler.GenerateBundle(specs);
        long offset = 0;
        if (payload is not null)
        {
            var entry = bundler.BundleManifest.Files.Single(f => f.RelativePath == PayloadLayout.PayloadEntry);
            if (entry.CompressedSize != 0)
                throw new InvalidOperationException("the bundler compressed the payload; it must stay readable in place");
            offset = entry.Offset;
        }
        var size = Publish(bundle, outputPath);
        return new EmitResult(outputPath, size, offset, size - (payload?.Length ?? 0), BootloaderKit.Aot);
    }

    /// <summary>Moves the finished bundle to <paramref name="outputPath"/> (mode 0755): written to a temporary name
    /// beside it and renamed, so a failure never leaves a half-written file.</summary>
    /// <returns>The executable's size in bytes.</returns>
    /// <exception cref="Diagnostics.PyFreezeException">No space left on the device.</exception>
    private static long Publish(string bundle, string outputPath)
    {
        var hostName = Path.GetFileName(outputPath);
        if (!OperatingSystem.IsWindows())
            File.SetUnixFileMode(bundle, (UnixFileMode)0b111_101_101);

        var dir = Path.GetDirectoryName(Path.GetFullPath(outputPath))!;
        Directory.CreateDirectory(dir);
        var tmp = Path.Combine(dir, $".{hostName}.{Environment.ProcessId}.tmp");
        try
        {
            File.Copy(bundle, tmp, overwrite: true);
            if (!OperatingSystem.IsWindows())
                File.SetUnixFileMode(tmp, (UnixFileMode)0b111_101_101);
            File.Move(tmp, outputPath, overwrite: true);
        }
        catch (Exception e)
        {
            File.Delete(tmp); // a full disk or a failed rename leaves nothing half-written beside the output
            if (e is IOException io && (io.HResult & 0xFFFF) is 28 or 122 || e.Message.Contains("No space left", StringComparison.OrdinalIgnoreCase))
                throw new Diagnostics.PyFreezeException($"{outputPath}: cannot write the executable (no space left on device); free some space or choose another --distpath", 1, e);
            throw;
        }
        return new FileInfo(outputPath).Length;
    }

    /// <summary>Where <see cref="Bundler"/> puts the first bundled file, the payload assembly: at the end of the host
    /// rounded up to the target's assembly alignment (<see cref="TargetInfo.AssemblyAlignment"/>), where a macOS host's
    /// end is the start of its code signature, which the bundler removes before appending (and signs anew after).
    /// Known before bundling, so the launch settings carry the payload's place and the bundle is made once.</summary>
    /// <param name="host">The patched single-file host.</param>
    /// <param name="rid">The target.</param>
    /// <returns>The offset in bytes.</returns>
    internal static long PayloadAssemblyOffset(string host, Rid rid)
    {
        var alignment = new TargetInfo(rid.Os, rid.Architecture, new Version(10, 0)).AssemblyAlignment;
        var end = new FileInfo(host).Length;
        if (rid.IsMacOS && Binaries.MachOFile.Read(host).Images is [{ CodeSignature: { } signature }])
            end = signature.DataOffset;
        return (end + alignment - 1) / alignment * alignment;
    }

    private static void WriteRuntimeConfig(string template, string output, LaunchSettings settings)
    {
        var root = JsonNode.Parse(File.ReadAllText(template))!.AsObject();
        var options = root["runtimeOptions"]!.AsObject();
        if (options["configProperties"] is not JsonObject props)
            options["configProperties"] = props = new JsonObject();
        foreach (var (k, v) in settings.ToProperties())
            props[k] = v;
        File.WriteAllText(output, root.ToJsonString(new JsonSerializerOptions { WriteIndented = true }));
    }
}
