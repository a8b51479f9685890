using System.Text.RegularExpressions;

namespace PyFreeze.Analyze;

/// <summary>
/// Folders an app puts on <c>sys.path</c> itself: <c>sys.path.insert(0, os.path.join(os.path.dirname(__file__), "lib"))</c>,
/// <c>sys.path.append(str(Path(__file__).parent / "vendor"))</c>, <c>site.addsitedir("../plugins")</c>. The imports
/// that follow find their modules there, so the analyzer must search those folders too (as with <c>--paths</c>);
/// modules found there are collected at the top of the app, where the frozen app's own <c>sys.path</c> finds them.
/// </summary>
/// <remarks>A string literal inside such a call counts when it names an existing folder relative to the file making the
/// call (or its parent, for <c>..</c>), or an absolute one; anything computed otherwise is not guessed.</remarks>
public static partial class SysPathAdditions
{
    [GeneratedRegex(@"\b(?:sys\.path\.(?:insert|append|extend)|site\.addsitedir)\s*\(", RegexOptions.CultureInvariant)]
    private static partial Regex Call();

    [GeneratedRegex(@"(?<![A-Za-z])(?:r|R)?(['""])((?:(?!\1)[^\\\n])+)\1", RegexOptions.CultureInvariant)]
    private static partial Regex Literal();

    /// <summary>The largest source file looked at, in bytes.</summary>
    public const int MaxFileSize = 1 << 20;

    /// <summary>Folders the app's own top-level scripts add to <c>sys.path</c>.</summary>
    /// <param name="entry">The entry script (or a package folder's <c>__main__.py</c>).</param>
    /// <returns>Absolute folders that exist, in the order first seen, without the entry's own folder.</returns>
    public static IReadOnlyList<string> Find(string entry)
    {
        var dir = Path.GetDirectoryName(Path.GetFullPath(entry))!;
        var files = new List<string> { Path.GetFullPath(entry) };
        try
        {
            files.AddRange(Directory.EnumerateFiles(dir, "*.py").Select(Path.GetFullPath).Where(f => f != files[0]).Order(StringComparer.Ordinal));
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
        }
        var found = new List<string>();
        foreach (var file in files)
        {
            string text;
            try
            {
                if (new FileInfo(file).Length > MaxFileSize)
                    continue;
                text = File.ReadAllText(file);
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                continue;
            }
            foreach (var folder in InSource(text, Path.GetDirectoryName(file)!))
                if (folder != dir && !found.Contains(folder))
                    found.Add(folder);
        }
        return found;
    }

    /// <summary>Folders named by literals in the <c>sys.path</c> calls of one source text.</summary>
    /// <param name="text">Python source.</param>
    /// <param name="baseDir">The folder of the file (what <c>dirname(__file__)</c> gives).</param>
    public static IEnumerable<string> InSource(string text, string baseDir)
    {
        foreach (Match call in Call().Matches(text))
        {
            var args = Arguments(text, call.Index + call.Length);
            var literals = Literal().Matches(args).Select(m => m.Groups[2].Value)
                .Where(v => v.IndexOfAny(['{', '%', '*']) < 0).ToList();
            // each literal alone ("lib"), and all of them joined as os.path.join would ("..", "lib")
            var candidates = literals.Where(v => v.Trim('.', '/') != "").ToList();
            if (literals.Count > 1)
                candidates.Add(Path.Combine([.. literals]));
            foreach (var value in candidates)
            {
                var candidate = Path.IsPathRooted(value) ? value : Path.Combine(baseDir, value);
                string full;
                try
                {
                    full = Path.TrimEndingDirectorySeparator(Path.GetFullPath(candidate));
                }
                catch (Exception e) when (e is ArgumentException or NotSupportedException or PathTooLongException)
                {
                    continue;
                }
                if (Directory.Exists(full))
                    yield return full;
            }
        }
    }

    /// <summary>The text of a call's arguments up to its closing parenthesis (or the end of the line when unbalanced).</summary>
    private static string Arguments(string text, int start)
    {
        int depth = 1;
        for (int i = start; i < text.Length && i < start + 2000; i++)
        {
            var c = text[i];
            if (c is '(' or '[')
                depth++;
            else if (c is ')' or ']' && --depth == 0)
                return text[start..i];
        }
        var end = text.IndexOf('\n', start);
        return end < 0 ? text[start..] : text[start..end];
    }
}
