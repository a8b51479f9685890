using System.Text;
using System.Text.Json;
using PyFreeze.Diagnostics;
using PyFreeze.Payload;

namespace PyFreeze.Inspect;

/// <summary>A file inside a frozen app's payload.</summary>
/// <param name="Path">Path inside the payload.</param>
/// <param name="Size">Uncompressed size in bytes.</param>
/// <param name="CompressedSize">Stored size in bytes.</param>
public sealed record InspectedFile(string Path, long Size, long CompressedSize);

/// <summary>What <c>pyfreeze inspect</c> shows of a frozen app.</summary>
public sealed class InspectResult
{
    /// <summary>The executable.</summary>
    public required string Path { get; init; }

    /// <summary>Its size in bytes.</summary>
    public long Size { get; init; }

    /// <summary>The .NET bundle's manifest.</summary>
    public required BundleReader Bundle { get; init; }

    /// <summary>The launch settings (from the bundle's settings entry or its runtimeconfig).</summary>
    public required LaunchSettings Settings { get; init; }

    /// <summary>The payload's <c>pyfreeze/build.json</c> (PyFreeze and Python versions, RID, entry, options), or null (onedir).</summary>
    public JsonElement? BuildInfo { get; init; }

    /// <summary>The payload's files (empty for an onedir executable).</summary>
    public required IReadOnlyList<InspectedFile> Files { get; init; }

    /// <summary>True when the payload's bytes hash to the recorded XXH64.</summary>
    public bool PayloadIntact { get; init; }

    /// <summary>The app's bootloader: <c>aot</c> (NativeAOT, its own bundle host) or <c>singlefile</c> (the .NET single-file host).</summary>
    public required string Bootloader { get; init; }
}

/// <summary>
/// Reads a frozen app of any RID on any host, NativeAOT or single-file bootloader alike: the bundle manifest
/// (<see cref="BundleReader"/>), the launch settings (a bundle entry, or the bundled runtimeconfig's properties), and
/// the payload (<see cref="PayloadFormat"/>) at the place they give.
/// </summary>
public static class AppInspector
{
    /// <summary>Inspects <paramref name="path"/>.</summary>
    /// <exception cref="PyFreezeException">Missing, not a PyFreeze app, or truncated/damaged (the message says which).</exception>
    public static InspectResult Inspect(string path)
    {
        if (Directory.Exists(path))
        {
            var inside = System.IO.Path.Combine(path, System.IO.Path.GetFileName(path.TrimEnd('/')));
            if (!File.Exists(inside))
                throw new PyFreezeException($"{path}: is a folder; give the frozen executable");
            path = inside;
        }
        if (!File.Exists(path))
            throw new PyFreezeException($"{path}: no such file");
        var bundle = BundleReader.Read(path);
        var settings = ReadSettings(path, bundle);
        var files = new List<InspectedFile>();
        JsonElement? buildInfo = null;
        bool intact = true;
        if (!settings.OneDir)
        {
            var end = settings.PayloadOffset + settings.PayloadLength;
            if (bundle.FileLength < end)
                throw new PyFreezeException($"{path}: is truncated ({bundle.FileLength} bytes; the payload ends at {end})");
            using var f = File.OpenRead(path);
            using (var region = new RegionStream(f, settings.PayloadOffset, settings.PayloadLength))
                intact = Xxh64(region) == settings.PayloadXxh64;
            try
            {
                ReadPayload(f, settings, (name, size, _, data) =>
                {
                    files.Add(new InspectedFile(name, size, 0));
                    if (name == PayloadLayout.BuildInfo)
                    {
                        using var doc = JsonDocument.Parse(data);
                        buildInfo = doc.RootElement.Clone();
                    }
                }, null);
            }
            catch (Exception e) when (e is InvalidDataException or JsonException)
            {
                throw new PyFreezeException($"{path}: its payload is damaged ({e.Message})", 1, e);
            }
        }
        return new InspectResult
        {
            Path = path, Size = new FileInfo(path).Length, Bundle = bundle, Settings = settings, BuildInfo = buildInfo,
            Files = files.OrderBy(x => x.Path, StringComparer.Ordinal).ToList(), PayloadIntact = intact,
            Bootloader = bundle.Entries.Any(e => e.RelativePath == PayloadLayout.SettingsEntry) ? "aot" : "singlefile",
        };
    }

    /// <summary>The launch settings: the NativeAOT bundle's <see cref="PayloadLayout.SettingsEntry"/> (with the payload's
    /// place from its entry), else the <c>configProperties</c> of a single-file bundle's runtimeconfig.</summary>
    private static LaunchSettings ReadSettings(string path, BundleReader bundle)
    {
        try
        {
            if (bundle.Entries.FirstOrDefault(e => e.RelativePath == PayloadLayout.SettingsEntry) is { } launch)
            {
                var settings = LaunchSettings.FromBytes(BundleReader.ReadEntry(path, launch))
                    ?? throw new PyFreezeException($"{path}: a bundle without PyFreeze launch settings, not a PyFreeze app");
                return bundle.Entries.FirstOrDefault(e => e.RelativePath == PayloadLayout.PayloadEntry) is { } payload
                    ? settings with { PayloadOffset = payload.Offset, PayloadLength = payload.Size } : settings;
            }
            var config = bundle.Entries.FirstOrDefault(e => e.Type == 4 || e.RelativePath.EndsWith(".runtimeconfig.json", StringComparison.Ordinal))
                         ?? throw new PyFreezeException($"{path}: a .NET app without PyFreeze launch settings or a runtimeconfig, not a PyFreeze app");
            using var doc = JsonDocument.Parse(BundleReader.ReadEntry(path, config));
            var props = doc.RootElement.GetProperty("runtimeOptions").TryGetProperty("configProperties", out var p) ? p : default;
            return LaunchSettings.FromProperties(name =>
                       props.ValueKind == JsonValueKind.Object && props.TryGetProperty(name, out var v) ? v.ToString() : null)
                   ?? throw new PyFreezeException($"{path}: a .NET single-file app, but not a PyFreeze app (no PyFreeze launch settings)");
        }
        catch (Exception e) when (e is JsonException or KeyNotFoundException or FormatException)
        {
            throw new PyFreezeException($"{path}: its launch settings are damaged ({e.Message})", 1, e);
        }
    }

    /// <summary>Reads every frame of the payload in order: folders to <paramref name="folder"/> (when given), files to
    /// <paramref name="file"/>.</summary>
    private static void ReadPayload(FileStream f, LaunchSettings settings, Action<string, long, bool, Stream> file, Action<string>? folder)
    {
        var frames = PayloadFormat.ReadIndex((at, buffer) => RandomAccess.Read(f.SafeFileHandle, buffer, settings.PayloadOffset + at), settings.PayloadLength);
        foreach (var frame in frames)
        {
            using var region = new RegionStream(f, settings.PayloadOffset + frame.Offset, frame.Length);
            PayloadFormat.ReadFrame(region, folder ?? (static _ => { }), file);
        }
    }

    private static string Xxh64(Stream s)
    {
        var h = new System.IO.Hashing.XxHash64();
        h.Append(s);
        return h.GetCurrentHashAsUInt64().ToString("x16");
    }

    /// <summary>Extracts the payload to <paramref name="dir"/> (created), refusing unsafe entry names.</summary>
    /// <returns>Number of files written.</returns>
    /// <exception cref="PyFreezeException">An onedir executable (nothing to extract), or a damaged payload.</exception>
    public static int Extract(InspectResult app, string dir)
    {
        if (app.Settings.OneDir)
            throw new PyFreezeException($"{app.Path}: an --onedir executable; its files are the folder beside it");
        Directory.CreateDirectory(dir);
        var root = System.IO.Path.GetFullPath(dir) + System.IO.Path.DirectorySeparatorChar;
        string Target(string name)
        {
            var target = System.IO.Path.GetFullPath(System.IO.Path.Combine(dir, name));
            if (!target.StartsWith(root, StringComparison.Ordinal))
                throw new PyFreezeException($"{app.Path}: unsafe payload entry {name}");
            return target;
        }
        using var f = File.OpenRead(app.Path);
        int count = 0;
        try
        {
            ReadPayload(f, app.Settings, (name, _, exec, data) =>
            {
                var target = Target(name);
                Directory.CreateDirectory(System.IO.Path.GetDirectoryName(target)!);
                using (var output = File.Create(target))
                    data.CopyTo(output);
                if (!OperatingSystem.IsWindows() && exec)
                    File.SetUnixFileMode(target, (UnixFileMode)0b111_101_101);
                count++;
            }, name => Directory.CreateDirectory(Target(name)));
        }
        catch (InvalidDataException e)
        {
            throw new PyFreezeException($"{app.Path}: its payload is damaged ({e.Message})", 1, e);
        }
        return count;
    }

    /// <summary>Writes the human summary.</summary>
    public static void WriteSummary(InspectResult app, TextWriter w)
    {
        string Info(string key) => app.BuildInfo is { } b && b.TryGetProperty(key, out var v) ? v.ToString() : "?";
        w.WriteLine($"{app.Path}: PyFreeze app \"{app.Settings.AppName}\" ({app.Size / 1048576.0:0.0} MB)");
        w.WriteLine($"  built by PyFreeze {Info("pyfreeze")} for {Info("rid")}, Python {Info("python")} (magic {Info("magic")}), {Info("mode")}");
        w.WriteLine($"  entry {Info("entry")} (module {Info("entry_module")}), optimize {Info("optimize")}, windowed {Info("windowed")}");
        if (!app.Settings.OneDir)
        {
            w.WriteLine($"  payload {app.Settings.PayloadLength / 1048576.0:0.0} MB at offset {app.Settings.PayloadOffset}, sha256 {app.Settings.PayloadSha256}{(app.PayloadIntact ? "" : " — DAMAGED (checksum mismatch)")}");
            w.WriteLine($"  {app.Files.Count} files, {app.Files.Sum(f => f.Size) / 1048576.0:0.0} MB unpacked; largest:");
            foreach (var f in app.Files.OrderByDescending(f => f.Size).Take(10))
                w.WriteLine($"    {f.Size,12:N0}  {f.Path}");
        }
        w.WriteLine($"  interpreter {app.Settings.Interpreter} {string.Join(' ', app.Settings.PythonOptions)}; bundle format {app.Bundle.MajorVersion}.{app.Bundle.MinorVersion}, {app.Bundle.Entries.Count} bundled files");
        w.WriteLine($"  bootloader {(app.Bootloader == "aot" ? "NativeAOT" : ".NET single-file host")}");
    }

    /// <summary>Writes the JSON form: <c>{path, size, app, bootloader, payload: {offset, length, sha256, intact}, build, settings, files: [{path, size, compressed}]}</c>.</summary>
    public static void WriteJson(InspectResult app, Stream output)
    {
        using var j = new Utf8JsonWriter(output, new JsonWriterOptions { Indented = true });
        j.WriteStartObject();
        j.WriteString("path", app.Path);
        j.WriteNumber("size", app.Size);
        j.WriteString("app", app.Settings.AppName);
        j.WriteString("bootloader", app.Bootloader);
        j.WriteStartObject("payload");
        j.WriteNumber("offset", app.Settings.PayloadOffset);
        j.WriteNumber("length", app.Settings.PayloadLength);
        j.WriteString("sha256", app.Settings.PayloadSha256);
        j.WriteBoolean("intact", app.PayloadIntact);
        j.WriteEndObject();
        j.WritePropertyName("build");
        if (app.BuildInfo is { } b) b.WriteTo(j); else j.WriteNullValue();
        j.WriteStartObject("settings");
        foreach (var (k, v) in app.Settings.ToProperties())
            j.WriteString(k[LaunchSettings.Prefix.Length..], v.Replace(LaunchSettings.ListSeparator, ' '));
        j.WriteEndObject();
        j.WriteStartArray("files");
        foreach (var f in app.Files)
        {
            j.WriteStartObject();
            j.WriteString("path", f.Path);
            j.WriteNumber("size", f.Size);
            j.WriteNumber("compressed", f.CompressedSize);
            j.WriteEndObject();
        }
        j.WriteEndArray();
        j.WriteEndObject();
    }
}
