using System.Buffers.Binary;
using System.Globalization;
using System.Text;
using System.Text.Json;
using Microsoft.NET.HostModel;
using PyFreeze.Diagnostics;

namespace PyFreeze.Emit;

/// <summary>
/// The Win32 resources a Windows executable gets from <c>--icon</c>, <c>--version-file</c>, <c>--company</c> and
/// <c>--product-version</c>: an icon group (RT_GROUP_ICON with one RT_ICON per image of the .ico) and a version
/// resource (RT_VERSION: VS_VERSIONINFO with a fixed file info, string tables and a translation; an en-US/Unicode
/// table unless a PyInstaller version file names others). Validated when made (so a bad input fails before anything
/// is built) and written into the patched host with HostModel's <see cref="ResourceUpdater"/>.
/// </summary>
public sealed class WindowsResources
{
    private const int RtIcon = 3;
    private const int RtGroupIcon = 14;
    private const int RtVersion = 16;

    private static ReadOnlySpan<byte> PngSignature => [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A];

    /// <summary>The icon's images (each an RT_ICON), or empty.</summary>
    public IReadOnlyList<IconImage> Icons { get; init; } = [];

    /// <summary>Version strings of the first string table (CompanyName, FileVersion, ProductVersion, …), or empty for
    /// no version resource unless <see cref="Fixed"/> is set.</summary>
    public IReadOnlyDictionary<string, string> Version { get; init; } = new Dictionary<string, string>();

    /// <summary>The key of the first string table: language then code page in 8 hex digits (default <c>040904B0</c>,
    /// en-US, Unicode).</summary>
    public string StringTableKey { get; init; } = "040904B0";

    /// <summary>String tables after the first (a PyInstaller version file may hold several), in file order.</summary>
    public IReadOnlyList<VersionStringTable> MoreStringTables { get; init; } = [];

    /// <summary>VarFileInfo's Translation (language, code page pairs, flattened), or empty for no VarFileInfo.</summary>
    public IReadOnlyList<ushort> Translation { get; init; } = [0x0409, 0x04B0];

    /// <summary>The fixed file info of a PyInstaller version file (its numbers, flags, OS, type, date; the string
    /// tables and translation are in the other properties), or null to derive the version numbers from the
    /// FileVersion and ProductVersion strings.</summary>
    public VersionResourceData? Fixed { get; init; }

    /// <summary>One image of an .ico file: its directory entry fields and its bytes (BMP DIB or PNG).</summary>
    public sealed record IconImage(byte Width, byte Height, byte ColorCount, ushort Planes, ushort BitCount, byte[] Data);

    /// <summary>True when there is nothing to write.</summary>
    public bool IsEmpty => Icons.Count == 0 && !HasVersion;

    /// <summary>True when a version resource is written.</summary>
    public bool HasVersion => Version.Count > 0 || Fixed is not null;

    /// <summary>The version string names a version file may set (the StringFileInfo keys Windows shows).</summary>
    public static IReadOnlyList<string> VersionKeys { get; } =
    [
        "CompanyName", "FileDescription", "FileVersion", "InternalName", "LegalCopyright", "LegalTrademarks",
        "OriginalFilename", "ProductName", "ProductVersion", "Comments",
    ];

    /// <summary>Reads and checks the options.</summary>
    /// <param name="icon"><c>--icon</c>: a Windows .ico file, or null.</param>
    /// <param name="versionFile"><c>--version-file</c>, or null: either a JSON object of version strings
    /// (<see cref="VersionKeys"/>), or PyInstaller's <c>VSVersionInfo(...)</c> file as <c>pyi-grab_version</c> writes
    /// it (<see cref="PyiVersionFile"/>; told apart by content). The latter is written as it is: its fixed file info,
    /// every string table (any names) and its translation, with no defaults added.</param>
    /// <param name="company"><c>--company</c> (CompanyName of the first string table), or null.</param>
    /// <param name="productVersion"><c>--product-version</c> (also the file version unless the version file sets one;
    /// with a PyInstaller file it sets the ProductVersion string and the fixed product version), or null.</param>
    /// <param name="appName">The app's name (ProductName, InternalName, OriginalFilename defaults).</param>
    /// <exception cref="PyFreezeException">Exit code 2: not an .ico, an unreadable or malformed version file (named,
    /// with the line for a PyInstaller file), a bad version number.</exception>
    public static WindowsResources Create(string? icon, string? versionFile, string? company, string? productVersion, string appName)
    {
        var icons = icon is null ? [] : ReadIco(icon);
        var version = new Dictionary<string, string>(StringComparer.Ordinal);
        VersionResourceData? pyi = null;
        if (versionFile is not null)
        {
            var text = ReadText(versionFile);
            if (PyiVersionFile.IsVsVersionInfo(text))
            {
                pyi = PyiVersionFile.Parse(text, versionFile);
                foreach (var (k, v) in pyi.StringTables.Count > 0 ? pyi.StringTables[0].Strings : [])
                    version[k] = v;
            }
            else
            {
                foreach (var (k, v) in ReadVersionJson(text, versionFile))
                    version[k] = v;
            }
        }
        if (company is not null)
            version["CompanyName"] = company;
        if (pyi is not null)
        {
            if (productVersion is not null)
            {
                pyi = pyi with { ProductVersion = ParseVersion(productVersion, "--product-version") };
                version["ProductVersion"] = productVersion;
            }
            var tables = pyi.StringTables;
            return new WindowsResources
            {
                Icons = icons,
                Version = version,
                Fixed = pyi,
                StringTableKey = tables.Count > 0 ? tables[0].Key : "040904B0",
                MoreStringTables = tables.Skip(1).ToList(),
                Translation = pyi.Translation,
            };
        }
        if (productVersion is not null)
        {
            ParseVersion(productVersion, "--product-version");
            version["ProductVersion"] = productVersion;
            version.TryAdd("FileVersion", productVersion);
        }
        if (version.Count > 0)
        {
            version.TryAdd("ProductName", appName);
            version.TryAdd("FileDescription", appName);
            version.TryAdd("InternalName", appName);
            version.TryAdd("OriginalFilename", appName + ".exe");
            version.TryAdd("FileVersion", version.GetValueOrDefault("ProductVersion", "0.0.0.0"));
            version.TryAdd("ProductVersion", version["FileVersion"]);
            ParseVersion(version["FileVersion"], "FileVersion");
            ParseVersion(version["ProductVersion"], "ProductVersion");
        }
        return new WindowsResources { Icons = icons, Version = version };
    }

    /// <summary>Reads an .ico file (ICONDIR, ICONDIRENTRY × n, images), checking every entry lies inside the file.</summary>
    /// <exception cref="PyFreezeException">Missing, unreadable, or not an icon file.</exception>
    public static IReadOnlyList<IconImage> ReadIco(string path)
    {
        byte[] data;
        try
        {
            data = File.ReadAllBytes(path);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new PyFreezeException($"--icon {path}: cannot be read ({(e is FileNotFoundException or DirectoryNotFoundException ? "no such file" : e.Message)})", 2, e);
        }
        string Bad(string why) => $"--icon {path}: not a Windows .ico file ({why}); convert the image to .ico first";
        if (data.Length < 6 || BinaryPrimitives.ReadUInt16LittleEndian(data) != 0 || BinaryPrimitives.ReadUInt16LittleEndian(data.AsSpan(2)) != 1)
            throw new PyFreezeException(Bad(data.Length >= 8 && data.AsSpan(0, 8).SequenceEqual(PngSignature) ? "it is a PNG image" : "no ICONDIR header"), 2);
        int count = BinaryPrimitives.ReadUInt16LittleEndian(data.AsSpan(4));
        if (count == 0 || 6 + count * 16 > data.Length)
            throw new PyFreezeException(Bad(count == 0 ? "it holds no image" : "its directory runs past the end"), 2);
        var images = new List<IconImage>(count);
        for (int i = 0; i < count; i++)
        {
            var e = data.AsSpan(6 + i * 16, 16);
            var size = BinaryPrimitives.ReadUInt32LittleEndian(e[8..]);
            var offset = BinaryPrimitives.ReadUInt32LittleEndian(e[12..]);
            if (size < 8 || offset < 6 + count * 16 || (long)offset + size > data.Length)
                throw new PyFreezeException(Bad($"image {i + 1} lies outside the file"), 2);
            var image = data.AsSpan((int)offset, (int)size);
            var isPng = image[..8].SequenceEqual(PngSignature);
            if (!isPng && BinaryPrimitives.ReadUInt32LittleEndian(image) != 40)
                throw new PyFreezeException(Bad($"image {i + 1} is neither a bitmap nor a PNG"), 2);
            images.Add(new IconImage(e[0], e[1], e[2], BinaryPrimitives.ReadUInt16LittleEndian(e[4..]),
                BinaryPrimitives.ReadUInt16LittleEndian(e[6..]), image.ToArray()));
        }
        return images;
    }

    private static string ReadText(string path)
    {
        try
        {
            return File.ReadAllText(path);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new PyFreezeException($"--version-file {path}: cannot be read ({(e is FileNotFoundException or DirectoryNotFoundException ? "no such file" : e.Message)})", 2, e);
        }
    }

    private static Dictionary<string, string> ReadVersionJson(string text, string path)
    {
        var result = new Dictionary<string, string>(StringComparer.Ordinal);
        try
        {
            using var doc = JsonDocument.Parse(text, new JsonDocumentOptions { CommentHandling = JsonCommentHandling.Skip, AllowTrailingCommas = true });
            if (doc.RootElement.ValueKind != JsonValueKind.Object)
                throw new PyFreezeException($"--version-file {path}: must be a JSON object of version strings ({string.Join(", ", VersionKeys)}) or PyInstaller's VSVersionInfo(...) file", 2);
            foreach (var p in doc.RootElement.EnumerateObject())
            {
                if (!VersionKeys.Contains(p.Name))
                    throw new PyFreezeException($"--version-file {path}: unknown key {p.Name}; use {string.Join(", ", VersionKeys)}", 2);
                if (p.Value.ValueKind != JsonValueKind.String)
                    throw new PyFreezeException($"--version-file {path}: {p.Name} must be a string", 2);
                result[p.Name] = p.Value.GetString()!;
            }
        }
        catch (JsonException e)
        {
            throw new PyFreezeException($"--version-file {path}: neither JSON nor PyInstaller's VSVersionInfo(...) file (JSON error at line {e.LineNumber + 1}: {e.Message.Split('.')[0]})", 2, e);
        }
        return result;
    }

    /// <summary>Parses "1.2.3[.4]" (each part 0–65535) into the four numbers of VS_FIXEDFILEINFO.</summary>
    /// <exception cref="PyFreezeException">Not 1 to 4 dot-separated numbers of 0–65535.</exception>
    public static ushort[] ParseVersion(string version, string what)
    {
        var parts = version.Split('.');
        var numbers = new ushort[4];
        if (parts.Length is < 1 or > 4)
            throw new PyFreezeException($"{what} {version}: use 1 to 4 numbers separated by dots, e.g. 1.2.3", 2);
        for (int i = 0; i < parts.Length; i++)
        {
            if (!ushort.TryParse(parts[i], NumberStyles.None, CultureInfo.InvariantCulture, out numbers[i]))
                throw new PyFreezeException($"{what} {version}: use 1 to 4 numbers of 0–65535 separated by dots, e.g. 1.2.3", 2);
        }
        return numbers;
    }

    /// <summary>Writes the resources into a PE file (the patched host, before bundling).</summary>
    public void WriteTo(string peFile)
    {
        if (IsEmpty)
            return;
        using var updater = new ResourceUpdater(peFile);
        if (Icons.Count > 0)
        {
            using var group = new MemoryStream();
            var w = new BinaryWriter(group);
            w.Write((ushort)0);
            w.Write((ushort)1);
            w.Write((ushort)Icons.Count);
            for (int i = 0; i < Icons.Count; i++)
            {
                var icon = Icons[i];
                updater.AddResource(icon.Data, RtIcon, i + 1);
                w.Write(icon.Width);
                w.Write(icon.Height);
                w.Write(icon.ColorCount);
                w.Write((byte)0);
                w.Write(icon.Planes);
                w.Write(icon.BitCount);
                w.Write((uint)icon.Data.Length);
                w.Write((ushort)(i + 1));
            }
            w.Flush();
            updater.AddResource(group.ToArray(), RtGroupIcon, 1);
        }
        if (HasVersion)
            updater.AddResource(VersionInfo(), RtVersion, 1);
        updater.Update();
    }

    /// <summary>The VS_VERSIONINFO block (winver.h; "VERSIONINFO resource", "VS_VERSIONINFO structure" and
    /// "VS_FIXEDFILEINFO structure" in Microsoft's Win32 docs): every node is wLength, wValueLength, wType, a
    /// NUL-terminated UTF-16 key, padding to 4 bytes, the value, padding, children. The fixed file info comes from
    /// <see cref="Fixed"/>, else from the FileVersion and ProductVersion strings; StringFileInfo holds the string
    /// tables (when any has strings) and VarFileInfo the <see cref="Translation"/> (when not empty).</summary>
    public byte[] VersionInfo()
    {
        var file = Fixed?.FileVersion ?? ParseVersion(Version["FileVersion"], "FileVersion");
        var product = Fixed?.ProductVersion ?? ParseVersion(Version["ProductVersion"], "ProductVersion");
        var fixedInfo = new byte[52];
        var f = fixedInfo.AsSpan();
        BinaryPrimitives.WriteUInt32LittleEndian(f, 0xFEEF04BD);
        BinaryPrimitives.WriteUInt32LittleEndian(f[4..], 0x00010000);
        BinaryPrimitives.WriteUInt32LittleEndian(f[8..], (uint)(file[0] << 16 | file[1]));
        BinaryPrimitives.WriteUInt32LittleEndian(f[12..], (uint)(file[2] << 16 | file[3]));
        BinaryPrimitives.WriteUInt32LittleEndian(f[16..], (uint)(product[0] << 16 | product[1]));
        BinaryPrimitives.WriteUInt32LittleEndian(f[20..], (uint)(product[2] << 16 | product[3]));
        BinaryPrimitives.WriteUInt32LittleEndian(f[24..], Fixed?.FileFlagsMask ?? 0x3F);
        BinaryPrimitives.WriteUInt32LittleEndian(f[28..], Fixed?.FileFlags ?? 0);
        BinaryPrimitives.WriteUInt32LittleEndian(f[32..], Fixed?.FileOS ?? 0x00040004); // VOS_NT_WINDOWS32
        BinaryPrimitives.WriteUInt32LittleEndian(f[36..], Fixed?.FileType ?? 1); // VFT_APP
        BinaryPrimitives.WriteUInt32LittleEndian(f[40..], Fixed?.FileSubtype ?? 0);
        BinaryPrimitives.WriteUInt32LittleEndian(f[44..], Fixed?.FileDate.MostSignificant ?? 0);
        BinaryPrimitives.WriteUInt32LittleEndian(f[48..], Fixed?.FileDate.LeastSignificant ?? 0);

        static byte[] Table(string key, IEnumerable<KeyValuePair<string, string>> strings) =>
            Node(key, [], 0, 1, strings.Select(kv => Node(kv.Key, Utf16Z(kv.Value), (ushort)(kv.Value.Length + 1), 1, [])).ToArray());
        var tables = new List<byte[]>();
        if (Version.Count > 0 || Fixed is { StringTables.Count: > 0 })
            tables.Add(Table(StringTableKey, Version.OrderBy(kv => kv.Key, StringComparer.Ordinal)));
        foreach (var more in MoreStringTables)
            tables.Add(Table(more.Key, more.Strings));
        var children = new List<byte[]>();
        if (tables.Count > 0)
            children.Add(Node("StringFileInfo", [], 0, 1, [.. tables]));
        if (Translation.Count > 0)
        {
            var value = new byte[Translation.Count * 2];
            for (int i = 0; i < Translation.Count; i++)
                BinaryPrimitives.WriteUInt16LittleEndian(value.AsSpan(i * 2), Translation[i]);
            children.Add(Node("VarFileInfo", [], 0, 1, [Node("Translation", value, (ushort)value.Length, 0, [])]));
        }
        return Node("VS_VERSION_INFO", fixedInfo, 52, 0, [.. children]);
    }

    private static byte[] Utf16Z(string s) => Encoding.Unicode.GetBytes(s + "\0");

    private static byte[] Node(string key, byte[] value, ushort valueLength, ushort type, byte[][] children)
    {
        using var ms = new MemoryStream();
        var w = new BinaryWriter(ms);
        w.Write((ushort)0); // wLength, patched below
        w.Write(valueLength);
        w.Write(type);
        w.Write(Utf16Z(key));
        Pad(ms);
        w.Write(value);
        foreach (var child in children)
        {
            Pad(ms);
            w.Write(child);
        }
        w.Flush();
        var bytes = ms.ToArray();
        BinaryPrimitives.WriteUInt16LittleEndian(bytes, checked((ushort)bytes.Length));
        return bytes;
    }

    private static void Pad(MemoryStream ms)
    {
        while (ms.Position % 4 != 0)
            ms.WriteByte(0);
    }
}
