using System.Reflection;
using System.Security.Cryptography;
using System.Text.Json;
using PyFreeze.Diagnostics;

namespace PyFreeze.Emit;

/// <summary>
/// What an installed PyFreeze (the pip wheel or the .NET tool package that <c>release.sh</c> writes) ships beside its
/// executable: prebuilt bootloader kits (<c>kits/RID/</c>, whatever files the kit build produced), the bootloader's
/// source (<c>bootloader-src/</c>, so a RID with no shipped kit can still be published with the .NET SDK), and
/// <c>pyfreeze-package.json</c>, the manifest: <c>{"version": "0.1.0", "channel": "wheel"|"dotnet-tool",
/// "kits": ["linux-x64", …], "files": {"kits/linux-x64/kit.txt": "SHA-256 hex", …}}</c>, paths relative to the
/// manifest's folder with <c>/</c>.
/// <para>Where the manifest's folder is, relative to <see cref="AppContext.BaseDirectory"/> (the folder of the running
/// executable): the same folder (the .NET tool: <c>tools/net10.0/any/</c> in the tool store), or
/// <c>../share/pyfreeze</c> (the wheel: its executable is a <c>.data/scripts</c> file installed into the scheme's
/// scripts folder and the rest a <c>.data/data/share/pyfreeze</c> tree installed under the scheme's data root, which
/// is the scripts folder's parent in the venv, posix_prefix, posix_user and nt schemes of CPython's
/// <c>Lib/sysconfig.py</c>), or <c>../../share/pyfreeze</c> (nt_user: <c>%APPDATA%\Python\PythonXY\Scripts</c>).
/// A manifest of another version than this executable is not this package's and is ignored.</para>
/// </summary>
public sealed class InstalledPackage
{
    /// <summary>The manifest's file name.</summary>
    public const string ManifestName = "pyfreeze-package.json";


    /// <summary>The folder holding the manifest.</summary>
    public required string Root { get; init; }

    /// <summary>The package's version (<c>0.1.0</c>).</summary>
    public required string Version { get; init; }

    /// <summary>How it was installed: <c>wheel</c> or <c>dotnet-tool</c> (decides the reinstall advice).</summary>
    public required string Channel { get; init; }

    /// <summary>The RIDs whose bootloader kit the package ships.</summary>
    public required IReadOnlyList<string> Kits { get; init; }

    /// <summary>Every shipped file (relative, <c>/</c>-separated) with its SHA-256 (lower-case hex).</summary>
    public required IReadOnlyDictionary<string, string> Files { get; init; }

    /// <summary>The package this executable was installed with, or null (a source checkout, <c>dotnet run</c>).</summary>
    public static InstalledPackage? Current => CurrentPackage.Value;

    /// <summary>This build's version without its <c>+commit</c> suffix.</summary>
    public static string ThisVersion { get; } =
        (typeof(InstalledPackage).Assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion ?? "0").Split('+')[0];

    private static readonly Lazy<InstalledPackage?> CurrentPackage = new(() => Find(AppContext.BaseDirectory, ThisVersion));

    /// <summary>The folders a package's manifest may be in, for an executable in <paramref name="baseDirectory"/>, in
    /// the order they are tried.</summary>
    public static IReadOnlyList<string> Candidates(string baseDirectory) =>
    [
        Path.GetFullPath(baseDirectory),
        Path.GetFullPath(Path.Combine(baseDirectory, "..", "share", "pyfreeze")),
        Path.GetFullPath(Path.Combine(baseDirectory, "..", "..", "share", "pyfreeze")),
    ];

    /// <summary>The first package of <paramref name="version"/> among <see cref="Candidates"/>, or null.</summary>
    /// <exception cref="PyFreezeException">A manifest of that version that does not parse (names the file).</exception>
    public static InstalledPackage? Find(string baseDirectory, string version) =>
        Candidates(baseDirectory).Select(Read).FirstOrDefault(p => p is not null && p.Version == version);

    /// <summary>Reads the manifest in <paramref name="root"/>.</summary>
    /// <returns>The package, or null when the folder has no manifest.</returns>
    /// <exception cref="PyFreezeException">The manifest is not a PyFreeze package manifest (names the file and how to reinstall).</exception>
    public static InstalledPackage? Read(string root)
    {
        var path = Path.Combine(root, ManifestName);
        if (!File.Exists(path))
            return null;
        try
        {
            using var doc = JsonDocument.Parse(File.ReadAllBytes(path));
            var e = doc.RootElement;
            return new InstalledPackage
            {
                Root = root,
                Version = e.GetProperty("version").GetString()!,
                Channel = e.GetProperty("channel").GetString()!,
                Kits = [.. e.GetProperty("kits").EnumerateArray().Select(k => k.GetString()!)],
                Files = e.GetProperty("files").EnumerateObject().ToDictionary(p => p.Name, p => p.Value.GetString()!, StringComparer.Ordinal),
            };
        }
        catch (Exception x) when (x is JsonException or KeyNotFoundException or InvalidOperationException)
        {
            throw new PyFreezeException($"{path}: damaged ({x.Message}); {ReinstallAdvice(null, ThisVersion)}", 1, x);
        }
    }

    /// <summary>Writes the manifest of the tree in <paramref name="root"/> (every file under it is listed and hashed;
    /// the kits are the folders of <c>kits/</c>). Used by the release tool.</summary>
    public static void WriteManifest(string root, string version, string channel)
    {
        var files = Directory.EnumerateFiles(root, "*", SearchOption.AllDirectories)
            .Select(f => Path.GetRelativePath(root, f).Replace('\\', '/'))
            .Where(f => f != ManifestName)
            .Order(StringComparer.Ordinal)
            .ToList();
        var kitsDir = Path.Combine(root, "kits");
        var kits = Directory.Exists(kitsDir) ? Directory.GetDirectories(kitsDir).Select(Path.GetFileName).Order(StringComparer.Ordinal).ToList() : [];
        using var stream = File.Create(Path.Combine(root, ManifestName));
        using var w = new Utf8JsonWriter(stream, new JsonWriterOptions { Indented = true });
        w.WriteStartObject();
        w.WriteString("version", version);
        w.WriteString("channel", channel);
        w.WriteStartArray("kits");
        foreach (var k in kits)
            w.WriteStringValue(k);
        w.WriteEndArray();
        w.WriteStartObject("files");
        foreach (var f in files)
            w.WriteString(f, Sha256(Path.Combine(root, f)));
        w.WriteEndObject();
        w.WriteEndObject();
    }

    /// <summary>The shipped kit folder for <paramref name="rid"/>, checked file by file against the manifest; null
    /// when the package ships no kit for that RID.</summary>
    /// <exception cref="PyFreezeException">A file of that kit is missing or its hash differs: one line naming the file
    /// and how to reinstall.</exception>
    public string? VerifiedKit(string rid)
    {
        if (!Kits.Contains(rid))
            return null;
        var prefix = $"kits/{rid}/";
        var listed = Files.Where(f => f.Key.StartsWith(prefix, StringComparison.Ordinal)).ToList();
        if (listed.Count == 0)
            throw Damaged(Path.Combine(Root, "kits", rid), "missing");
        foreach (var (relative, sha) in listed)
        {
            var file = Path.Combine(Root, relative);
            if (!File.Exists(file))
                throw Damaged(file, "missing");
            if (Sha256(file) != sha)
                throw Damaged(file, "damaged (its SHA-256 differs from the package's)");
        }
        return Path.Combine(Root, "kits", rid);
    }

    /// <summary>The bootloader project shipped as source, or null.</summary>
    public string? BootloaderProject()
    {
        var project = Path.Combine(Root, "bootloader-src", "bootloader", "PyFreeze.Bootloader.csproj");
        return File.Exists(project) ? project : null;
    }

    /// <summary>How to reinstall a package of <paramref name="channel"/> (<c>wheel</c>, <c>dotnet-tool</c>, or null
    /// when not known) and <paramref name="version"/>.</summary>
    public static string ReinstallAdvice(string? channel, string version)
    {
        var tool = $"dotnet tool uninstall --global pyfreeze && dotnet tool install --global pyfreeze --version {version}";
        var wheel = $"pipx reinstall pyfreeze, or pip install --force-reinstall pyfreeze=={version}";
        return "reinstall PyFreeze: " + channel switch { "dotnet-tool" => tool, "wheel" => wheel, _ => $"{wheel}, or {tool}" };
    }

    private PyFreezeException Damaged(string file, string what) =>
        new($"{file}: {what}; {ReinstallAdvice(Channel, Version)}", 1);

    private static string Sha256(string file)
    {
        using var s = File.OpenRead(file);
        return Convert.ToHexStringLower(SHA256.HashData(s));
    }
}
