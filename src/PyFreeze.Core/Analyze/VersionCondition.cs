using System.Globalization;
using System.Text.RegularExpressions;

namespace PyFreeze.Analyze;

/// <summary>
/// Decides an import's condition (<see cref="ImportStatement.Condition"/>) for one CPython version when it is a plain
/// version check: <c>sys.version_info &gt;= (3, 14)</c>, <c>sys.version_info[:2] &lt; (3, 12)</c>,
/// <c>sys.version_info.minor &gt;= 13</c>, <c>sys.version_info[1] == 13</c>, <c>version_info &gt; (3, 13, 2)</c>, with
/// <c>not (…)</c> (an <c>else</c> branch), <c>and</c> and <c>or</c> of such checks. Comparisons follow Python's tuple
/// ordering: <c>sys.version_info</c> is (major, minor, micro, releaselevel, serial), longer than any literal it is
/// compared with, so it is greater when the literal is its prefix.
/// </summary>
public static partial class VersionCondition
{
    [GeneratedRegex(@"^\s*(?:[A-Za-z_][A-Za-z_0-9]*\.)?version_info\s*(?<sel>\[\s*:\s*(?<slice>\d)\s*\]|\[\s*(?<index>\d)\s*\]|\.(?<attr>major|minor|micro))?\s*(?<op><=|>=|==|!=|<|>)\s*(?<rhs>\(\s*\d+(?:\s*,\s*\d+)*\s*,?\s*\)|\d+)\s*$")]
    private static partial Regex Comparison();

    /// <summary>The value of <paramref name="condition"/> on CPython <paramref name="major"/>.<paramref name="minor"/>.<paramref name="micro"/>
    /// (a final release), or null when it is not (only) a version check.</summary>
    /// <param name="condition">A condition as the scanner reports it, or null.</param>
    /// <param name="major">3.</param>
    /// <param name="minor">The minor version.</param>
    /// <param name="micro">The micro version.</param>
    public static bool? Evaluate(string? condition, int major, int minor, int micro)
    {
        if (string.IsNullOrWhiteSpace(condition))
            return null;
        var c = condition.Trim();
        while (c.StartsWith('(') && Closing(c, 0) == c.Length - 1)
            c = c[1..^1].Trim();
        var or = Split(c, " or ");
        if (or.Count > 1)
        {
            var parts = or.Select(p => Evaluate(p, major, minor, micro)).ToList();
            return parts.Any(p => p is null) ? null : parts.Any(p => p == true);
        }
        var and = Split(c, " and ");
        if (and.Count > 1)
        {
            var parts = and.Select(p => Evaluate(p, major, minor, micro)).ToList();
            return parts.Any(p => p is null) ? null : parts.All(p => p == true);
        }
        if (c.StartsWith("not ", StringComparison.Ordinal) || c.StartsWith("not(", StringComparison.Ordinal))
            return !Evaluate(c[3..], major, minor, micro);
        var m = Comparison().Match(c);
        if (!m.Success)
            return null;
        long[] version = [major, minor, micro];
        long[] left;
        bool leftLonger = false;
        if (m.Groups["slice"].Success)
            left = version[..Math.Min(3, int.Parse(m.Groups["slice"].Value, CultureInfo.InvariantCulture))];
        else if (m.Groups["index"].Success)
            left = int.Parse(m.Groups["index"].Value, CultureInfo.InvariantCulture) is var i and < 3 ? [version[i]] : [];
        else if (m.Groups["attr"].Success)
            left = [version[m.Groups["attr"].Value switch { "major" => 0, "minor" => 1, _ => 2 }]];
        else
        {
            left = version;
            leftLonger = true; // releaselevel and serial follow
        }
        var rhsText = m.Groups["rhs"].Value;
        bool scalar = !rhsText.StartsWith('(');
        if (scalar != (m.Groups["index"].Success || m.Groups["attr"].Success) || left.Length == 0)
            return null; // a tuple compared with an int (or the reverse) raises TypeError in Python
        var right = rhsText.Trim('(', ')', ' ').Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
            .Select(s => long.Parse(s, CultureInfo.InvariantCulture)).ToArray();
        int cmp = Compare(left, leftLonger, right);
        return m.Groups["op"].Value switch
        {
            "<" => cmp < 0,
            "<=" => cmp <= 0,
            ">" => cmp > 0,
            ">=" => cmp >= 0,
            "==" => cmp == 0,
            _ => cmp != 0,
        };
    }

    /// <summary>Python's tuple comparison; <paramref name="leftLonger"/>: the left tuple goes on past its known items.</summary>
    private static int Compare(long[] left, bool leftLonger, long[] right)
    {
        int n = Math.Min(left.Length, right.Length);
        for (int i = 0; i < n; i++)
            if (left[i] != right[i])
                return left[i].CompareTo(right[i]);
        int leftLength = leftLonger ? int.MaxValue : left.Length;
        return leftLength.CompareTo(right.Length);
    }

    /// <summary>Splits at <paramref name="word"/> outside brackets.</summary>
    private static List<string> Split(string s, string word)
    {
        var parts = new List<string>();
        int depth = 0, start = 0;
        for (int i = 0; i < s.Length; i++)
        {
            if (s[i] is '(' or '[')
                depth++;
            else if (s[i] is ')' or ']')
                depth--;
            else if (depth == 0 && string.CompareOrdinal(s, i, word, 0, word.Length) == 0)
            {
                parts.Add(s[start..i]);
                start = i + word.Length;
                i = start - 1;
            }
        }
        parts.Add(s[start..]);
        return parts;
    }

    private static int Closing(string s, int open)
    {
        int depth = 0;
        for (int i = open; i < s.Length; i++)
        {
            if (s[i] == '(')
                depth++;
            else if (s[i] == ')' && --depth == 0)
                return i;
        }
        return -1;
    }
}
