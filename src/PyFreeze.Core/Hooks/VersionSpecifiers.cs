using System.Text.RegularExpressions;

namespace PyFreeze.Hooks;

/// <summary>
/// The comparison part of PEP 440 version specifiers, as hook conditions use them: a comma-separated list of
/// <c>==</c>, <c>!=</c>, <c>&lt;</c>, <c>&lt;=</c>, <c>&gt;</c>, <c>&gt;=</c> against release numbers (<c>3.11</c>,
/// <c>2.0.1</c>), <c>==</c>/<c>!=</c> also with a trailing <c>.*</c> (<c>==3.11.*</c>). Only the release segment of
/// the installed version is compared (<c>2.1.0rc1</c> counts as <c>2.1.0</c>); missing parts are zeros (PEP 440
/// "Version matching").
/// </summary>
public static partial class VersionSpecifiers
{
    [GeneratedRegex(@"^\s*(==|!=|<=|>=|<|>)\s*([0-9]+(?:\.[0-9]+)*)(\.\*)?\s*$", RegexOptions.CultureInvariant)]
    private static partial Regex Clause();

    [GeneratedRegex(@"^\s*v?([0-9]+(?:\.[0-9]+)*)", RegexOptions.CultureInvariant)]
    private static partial Regex Release();

    /// <summary>True when <paramref name="specifiers"/> is a list this class understands.</summary>
    public static bool IsValid(string specifiers) =>
        specifiers.Split(',').All(c => Clause().Match(c) is { Success: true } m && (!m.Groups[3].Success || m.Groups[1].Value is "==" or "!="));

    /// <summary>True when <paramref name="version"/> satisfies every clause of <paramref name="specifiers"/>.</summary>
    /// <exception cref="FormatException">A clause that <see cref="IsValid"/> refuses, or a version without a release number.</exception>
    public static bool Matches(string specifiers, string version)
    {
        var have = Release().Match(version) is { Success: true } r ? Parts(r.Groups[1].Value) : throw new FormatException($"{version}: not a version");
        foreach (var clause in specifiers.Split(','))
        {
            var m = Clause().Match(clause);
            if (!m.Success)
                throw new FormatException($"{clause.Trim()}: not a version specifier");
            var want = Parts(m.Groups[2].Value);
            var op = m.Groups[1].Value;
            if (m.Groups[3].Success)
            {
                var prefix = have.Length >= want.Length && have.AsSpan(0, want.Length).SequenceEqual(want);
                if (prefix != (op == "=="))
                    return false;
                continue;
            }
            var c = Compare(have, want);
            var ok = op switch { "==" => c == 0, "!=" => c != 0, "<" => c < 0, "<=" => c <= 0, ">" => c > 0, _ => c >= 0 };
            if (!ok)
                return false;
        }
        return true;
    }

    private static int[] Parts(string release) => release.Split('.').Select(int.Parse).ToArray();

    private static int Compare(int[] a, int[] b)
    {
        for (int i = 0; i < Math.Max(a.Length, b.Length); i++)
        {
            var x = i < a.Length ? a[i] : 0;
            var y = i < b.Length ? b[i] : 0;
            if (x != y)
                return x.CompareTo(y);
        }
        return 0;
    }
}
