using System.Buffers.Binary;
using System.Security;
using System.Text;
using System.Text.RegularExpressions;
using PyFreeze.Diagnostics;

namespace PyFreeze.Emit;

/// <summary>
/// The macOS application bundle of a <c>--windowed</c> osx-arm64 build: <c>NAME.app/Contents/MacOS/NAME</c> (the frozen
/// executable), <c>Contents/Resources/NAME.icns</c> (the icon, when given) and <c>Contents/Info.plist</c> (from
/// <c>templates/Info.plist</c>), the layout Finder and LaunchServices expect ("Bundle Programming Guide").
/// </summary>
public static partial class MacAppBundle
{
    [GeneratedRegex(@"^[A-Za-z0-9-]+(\.[A-Za-z0-9-]+)+$", RegexOptions.CultureInvariant)]
    private static partial Regex IdentifierPattern();

    /// <summary>Checks a bundle identifier: reverse-DNS segments of ASCII letters, digits and hyphens, at least two,
    /// separated by single dots (CFBundleIdentifier's documented character set).</summary>
    /// <exception cref="PyFreezeException">Empty segments, other characters, or a single segment.</exception>
    public static string ValidateIdentifier(string identifier)
    {
        if (identifier.Length > 255 || !IdentifierPattern().IsMatch(identifier))
        {
            var bad = identifier.FirstOrDefault(c => !(char.IsAsciiLetterOrDigit(c) || c is '-' or '.'));
            var why = bad != default ? $"'{bad}' is not allowed" : "it needs two or more dot-separated parts, none empty";
            throw new PyFreezeException($"--bundle-identifier {identifier}: not a bundle identifier ({why}); use reverse-DNS form with letters, digits, '-' and '.', e.g. com.example.myapp", 2);
        }
        return identifier;
    }

    /// <summary>The identifier used without <c>--bundle-identifier</c>: <c>org.pyfreeze.NAME</c> with characters a
    /// bundle identifier cannot hold replaced by '-'.</summary>
    public static string DefaultIdentifier(string appName)
    {
        var sb = new StringBuilder("org.pyfreeze.");
        foreach (var c in appName)
            sb.Append(char.IsAsciiLetterOrDigit(c) || c == '-' ? c : '-');
        return sb.ToString();
    }

    /// <summary>Checks an .icns file: the <c>icns</c> magic and a big-endian total length equal to the file's, and the
    /// first element lying inside it.</summary>
    /// <exception cref="PyFreezeException">Missing, unreadable or not an .icns file.</exception>
    public static void ValidateIcns(string path)
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
        var ok = data.Length >= 16 && data.AsSpan(0, 4).SequenceEqual("icns"u8)
                 && BinaryPrimitives.ReadUInt32BigEndian(data.AsSpan(4)) == data.Length
                 && BinaryPrimitives.ReadUInt32BigEndian(data.AsSpan(12)) is var first && first >= 8 && first <= data.Length - 8;
        if (!ok)
            throw new PyFreezeException($"--icon {path}: not a macOS .icns file (an osx-arm64 app's icon must be .icns; make one with iconutil)", 2);
    }

    /// <summary>The Info.plist text from the template.</summary>
    public static string InfoPlist(string name, string executable, string identifier, string version, string? iconFile)
    {
        using var s = typeof(MacAppBundle).Assembly.GetManifestResourceStream("PyFreeze.Templates.Info.plist")
                      ?? throw new InvalidOperationException("the Info.plist template is missing from PyFreeze.Core");
        var lines = new StreamReader(s).ReadToEnd().Split('\n').ToList();
        if (iconFile is null)
        {
            var at = lines.FindIndex(l => l.Contains("<key>CFBundleIconFile</key>", StringComparison.Ordinal));
            lines.RemoveRange(at, 2);
        }
        var commentStart = lines.FindIndex(l => l.StartsWith("<!--", StringComparison.Ordinal));
        var commentEnd = lines.FindIndex(l => l.Contains("-->", StringComparison.Ordinal));
        if (commentStart >= 0 && commentEnd >= commentStart)
            lines.RemoveRange(commentStart, commentEnd - commentStart + 1);
        return string.Join('\n', lines)
            .Replace("{{NAME}}", SecurityElement.Escape(name), StringComparison.Ordinal)
            .Replace("{{EXECUTABLE}}", SecurityElement.Escape(executable), StringComparison.Ordinal)
            .Replace("{{IDENTIFIER}}", SecurityElement.Escape(identifier), StringComparison.Ordinal)
            .Replace("{{VERSION}}", SecurityElement.Escape(version), StringComparison.Ordinal)
            .Replace("{{ICON}}", SecurityElement.Escape(iconFile ?? ""), StringComparison.Ordinal);
    }

    /// <summary>Lays out <c>NAME.app</c> inside <paramref name="parent"/> (which must not hold one yet).</summary>
    /// <param name="executable">The frozen executable (copied to <c>Contents/MacOS/NAME</c>).</param>
    /// <param name="name">The app's name.</param>
    /// <param name="identifier">A valid bundle identifier.</param>
    /// <param name="version">CFBundleVersion / CFBundleShortVersionString.</param>
    /// <param name="icns">A valid .icns file, or null.</param>
    /// <param name="parent">Where the bundle folder is made.</param>
    /// <returns>The bundle's path.</returns>
    public static string Create(string executable, string name, string identifier, string version, string? icns, string parent)
    {
        var app = Path.Combine(parent, name + ".app");
        var contents = Path.Combine(app, "Contents");
        var macos = Path.Combine(contents, "MacOS");
        var resources = Path.Combine(contents, "Resources");
        Directory.CreateDirectory(macos);
        Directory.CreateDirectory(resources);
        var exe = Path.Combine(macos, name);
        File.Copy(executable, exe);
        if (!OperatingSystem.IsWindows())
            File.SetUnixFileMode(exe, (UnixFileMode)0b111_101_101);
        string? iconFile = null;
        if (icns is not null)
        {
            iconFile = name + ".icns";
            File.Copy(icns, Path.Combine(resources, iconFile));
        }
        File.WriteAllText(Path.Combine(contents, "Info.plist"), InfoPlist(name, name, identifier, version, iconFile), new UTF8Encoding(false));
        File.WriteAllText(Path.Combine(contents, "PkgInfo"), "APPL????", Encoding.ASCII);
        return app;
    }
}
