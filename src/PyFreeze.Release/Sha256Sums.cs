using System.Security.Cryptography;
using System.Text;

namespace PyFreeze.Release;

/// <summary>A <c>SHA256SUMS</c> file as GNU coreutils' <c>sha256sum</c> writes and <c>sha256sum -c</c> checks it: one
/// <c>HEX  NAME</c> line per file (two spaces: text mode), sorted by name.</summary>
public static class Sha256Sums
{
    /// <summary>The file name.</summary>
    public const string FileName = "SHA256SUMS";

    /// <summary>The lines for every file in <paramref name="dir"/> (not recursing; SHA256SUMS itself and hidden files left out).</summary>
    public static string Compute(string dir)
    {
        var sb = new StringBuilder();
        foreach (var file in Directory.EnumerateFiles(dir).Select(Path.GetFileName).OfType<string>()
                     .Where(n => n != FileName && !n.StartsWith('.')).Order(StringComparer.Ordinal))
        {
            using var s = File.OpenRead(Path.Combine(dir, file));
            sb.Append(Convert.ToHexStringLower(SHA256.HashData(s))).Append("  ").Append(file).Append('\n');
        }
        return sb.ToString();
    }

    /// <summary>Writes <c>DIR/SHA256SUMS</c>.</summary>
    public static string Write(string dir)
    {
        var path = Path.Combine(dir, FileName);
        File.WriteAllText(path, Compute(dir), new UTF8Encoding(false));
        return path;
    }
}
