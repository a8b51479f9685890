using System.Diagnostics;
using System.Text;
using System.Text.Json;
using PyFreeze.Analyze;
using PyFreeze.Analyze.Scanning;
using PyFreeze.Tests.Binaries;
using Xunit.Abstractions;

namespace PyFreeze.Tests.Analyze.Scanning;

/// <summary>The Python files installed on the machine: the system python3's stdlib (3.11 on Debian 12, 3.13 and 3.14 in
/// the trixie and sid roots) and Debian's dist-packages.</summary>
public sealed class InstalledPythonFiles
{
    /// <summary>The system python3's stdlib folder (<c>/usr/lib/python3.X</c>), or null without one.</summary>
    public static readonly string? Stdlib = PythonReference.SystemPython is { } py
        ? PythonReference.Run(py, ["-c", "import sysconfig; print(sysconfig.get_paths()['stdlib'])"], null).Output.Trim()
        : null;

    public static readonly string[] Roots = [.. new[] { Stdlib }.OfType<string>(), "/usr/lib/python3/dist-packages"];

    public IReadOnlyList<string> Files { get; }

    public InstalledPythonFiles()
    {
        Files = Roots.Where(Directory.Exists)
            .SelectMany(r => Directory.EnumerateFiles(r, "*.py", SearchOption.AllDirectories))
            .Where(f => !new FileInfo(f).Attributes.HasFlag(FileAttributes.ReparsePoint) || File.Exists(f))
            .Order(StringComparer.Ordinal)
            .ToList();
    }
}

/// <summary>
/// Scans every .py file of the system python3's stdlib and /usr/lib/python3/dist-packages and compares with an
/// ast-based reference run by the real Python (same rules: module, level, names, line, context, condition, dynamic
/// imports and __all__), and the token stream with CPython's own tokenize. Each test is skipped, with the reason, where
/// its Python or files are not installed. Run inside the trixie and sid roots too (Python 3.13 and 3.14, their own
/// stdlib and dist-packages).
/// </summary>
[Trait("Roots", "inside")]
public sealed class RealWorldSweepTests(InstalledPythonFiles installed, ITestOutputHelper output)
    : IClassFixture<InstalledPythonFiles>
{
    private const string SystemStdlib = "python:stdlib";

    [FactRequires(SystemStdlib)]
    public void EveryInstalledFileScansWithoutThrowing()
    {
        long bytes = 0;
        foreach (var file in installed.Files)
        {
            byte[] data = File.ReadAllBytes(file);
            bytes += data.Length;
            var result = ImportScanner.Scan(data);
            Assert.NotNull(result.Imports);
        }
        output.WriteLine($"{installed.Files.Count} files, {bytes / 1e6:F1} MB");
    }

    [FactRequires("python:ast", SystemStdlib)]
    public void ImportsMatchPythonAstForEveryInstalledFile()
    {
        CompareWithAst(PythonReference.SystemPython!, installed.Files, minimum: 100);
    }

    [FactRequires("python:3.12+")]
    public void ImportsMatchNewerPythonAstForItsOwnStandardLibrary()
    {
        // 3.12+ syntax (PEP 701 f-strings, PEP 695 generics, except*, match) in the newer Python's stdlib and tests.
        CompareWithAst(PythonReference.Python312!, NewerStdlibFiles(), minimum: 100);
    }

    private static List<string> NewerStdlibFiles()
    {
        var (_, stdlib) = PythonReference.Run(PythonReference.Python312!, ["-c", "import sysconfig; print(sysconfig.get_paths()['stdlib'])"], null);
        stdlib = stdlib.Trim();
        if (!Directory.Exists(stdlib))
            return [];
        return Directory.EnumerateFiles(stdlib, "*.py", SearchOption.AllDirectories)
            .Where(f => !f.Contains("/site-packages/", StringComparison.Ordinal)
                        && !f.Contains("/tokenizedata/", StringComparison.Ordinal) && !f.Contains("badsyntax", StringComparison.Ordinal)
                        && !f.Contains("lib2to3", StringComparison.Ordinal))
            .Order(StringComparer.Ordinal)
            .ToList();
    }

    private void CompareWithAst(string python, IReadOnlyList<string> files, int minimum)
    {
        var reference = PythonReference.AstImports(python, files);
        int compared = 0, imports = 0, dunderAll = 0;
        var mismatches = new List<string>();
        foreach (var file in files)
        {
            if (!reference.TryGetValue(file, out var expected) || expected.Error is not null)
                continue;
            compared++;
            var result = ImportScanner.Scan(File.ReadAllBytes(file));
            var want = expected.Imports.Select(i => i.Key).Order(StringComparer.Ordinal).ToList();
            var got = result.Imports.Select(i => PythonReference.RefImport.From(i).Key).Order(StringComparer.Ordinal).ToList();
            imports += want.Count;
            if (!want.SequenceEqual(got))
            {
                var missing = want.Except(got).Take(5);
                var extra = got.Except(want).Take(5);
                mismatches.Add($"{file}:\n  missing: {string.Join("\n           ", missing)}\n  extra:   {string.Join("\n           ", extra)}");
            }
            bool allSame = expected.All is null
                ? result.DunderAll is null
                : result.DunderAll is not null && expected.All.SequenceEqual(result.DunderAll);
            if (expected.All is not null)
                dunderAll++;
            if (!allSame)
                mismatches.Add($"{file}: __all__ expected {Show(expected.All)} got {Show(result.DunderAll)}");
        }
        output.WriteLine($"{python}: compared {compared} files, {imports} imports, {dunderAll} literal __all__");
        File.WriteAllText(Path.Combine(Path.GetTempPath(), $"pyfreeze-scan-mismatches-{Path.GetFileName(Path.GetDirectoryName(Path.GetDirectoryName(python)))}.txt"),
            string.Join("\n", mismatches));
        Assert.True(compared >= minimum, $"only {compared} files compared");
        Assert.True(mismatches.Count == 0, $"{mismatches.Count} mismatches:\n" + string.Join("\n", mismatches.Take(30)));

        static string Show(IReadOnlyList<string>? l) => l is null ? "null" : "[" + string.Join(",", l) + "]";
    }

    [FactRequires("python:3.12+")]
    public void TokensMatchCPythonTokenizeForTheStandardLibrary()
    {
        // The system stdlib and dist-packages, and the newer Python's own stdlib (which uses 3.12+ f-string syntax).
        var files = installed.Files.ToList();
        files.AddRange(NewerStdlibFiles().Except(files));
        Assert.True(files.Count >= 100, $"only {files.Count} files to compare");
        string script = PythonReference.WriteScript("tokref.py", PythonReference.TokenizeScript);
        int compared = 0, tokens = 0;
        var mismatches = new List<string>();
        // In batches: the token listing of a dist-packages with pandas, scipy or sympy in it outgrows one .NET string.
        foreach (var batch in files.Chunk(500))
        {
            var (code, text) = PythonReference.Run(PythonReference.Python312!, [script], string.Join('\n', batch));
            Assert.True(code == 0, text);
            foreach (var line in text.Split('\n', StringSplitOptions.RemoveEmptyEntries))
            {
                using var doc = JsonDocument.Parse(line);
                var root = doc.RootElement;
                if (root.TryGetProperty("error", out _))
                    continue;
                string path = root.GetProperty("path").GetString()!;
                var want = new List<string>();
                foreach (var t in root.GetProperty("tokens").EnumerateArray())
                {
                    string? key = Key(t[0].GetString()!, t[1].GetString()!, t[2].GetInt32(), t[3].GetInt32());
                    if (key is not null)
                        want.Add(key);
                }
                var problems = new List<ScanProblem>();
                string source = PythonSourceDecoder.Decode(File.ReadAllBytes(path), out _, problems);
                var got = new List<string>();
                foreach (var t in PythonTokenizer.Tokenize(source, problems))
                {
                    // Python counts columns in code points, we in UTF-16 units: convert for the comparison.
                    int lineStart = t.Start - t.Column;
                    int column = t.Column - CountLowSurrogates(source.AsSpan(lineStart, t.Column));
                    string? key = Key(Name(t.Kind), t.Text(source).ToString(), t.Line, column);
                    if (key is not null)
                        got.Add(key);
                }
                compared++;
                tokens += want.Count;
                int n = Math.Min(want.Count, got.Count), i = 0;
                while (i < n && want[i] == got[i])
                    i++;
                if (i < n || want.Count != got.Count)
                    mismatches.Add($"{path}: token {i}: python {(i < want.Count ? want[i] : "<end>")} ours {(i < got.Count ? got[i] : "<end>")}");
                if (problems.Count > 0)
                    mismatches.Add($"{path}: problems {string.Join("; ", problems.Take(3))}");
            }
        }
        File.Delete(script);
        output.WriteLine($"compared {compared} files, {tokens} tokens");
        File.WriteAllText(Path.Combine(Path.GetTempPath(), "pyfreeze-token-mismatches.txt"), string.Join("\n", mismatches));
        Assert.True(mismatches.Count == 0, $"{mismatches.Count} mismatches:\n" + string.Join("\n", mismatches.Take(30)));

        // Significant tokens with position; line-structure tokens by kind only (their positions differ by design).
        static string? Key(string kind, string text, int line, int col) => kind switch
        {
            "NAME" or "NUMBER" or "STRING" or "OP" or "FSTRING_START" or "FSTRING_END" or "TSTRING_START" or "TSTRING_END" or "COMMENT"
                => $"{kind} {text} {line}:{col}",
            "NEWLINE" or "INDENT" or "DEDENT" => kind,
            _ => null,
        };
    }

    private static int CountLowSurrogates(ReadOnlySpan<char> s)
    {
        int n = 0;
        foreach (char c in s)
            if (char.IsLowSurrogate(c))
                n++;
        return n;
    }

    private static string Name(TokenKind kind) => kind switch
    {
        TokenKind.Name => "NAME",
        TokenKind.Number => "NUMBER",
        TokenKind.String => "STRING",
        TokenKind.Op => "OP",
        TokenKind.FStringStart => "FSTRING_START",
        TokenKind.FStringEnd => "FSTRING_END",
        TokenKind.TStringStart => "TSTRING_START",
        TokenKind.TStringEnd => "TSTRING_END",
        TokenKind.Comment => "COMMENT",
        TokenKind.Newline => "NEWLINE",
        TokenKind.Indent => "INDENT",
        TokenKind.Dedent => "DEDENT",
        _ => kind.ToString(),
    };

    /// <summary>Scanning keeps no state between files: a second scan of every file finds the same imports and
    /// <c>__all__</c> as the first, and the tokenizer alone reaches the end of each. The speed of both is written to
    /// the test output (measured, never asserted; bench/analyze.py measures the analysis end to end).</summary>
    [FactRequires(SystemStdlib)]
    public void ScanningIsRepeatableAndItsSpeedIsReported()
    {
        var data = installed.Files.Select(File.ReadAllBytes).ToList();
        long bytes = data.Sum(d => (long)d.Length);
        var first = data.Select(d => ImportScanner.Scan(d)).ToList(); // also the warm-up: let tiered JIT settle
        var sw = Stopwatch.StartNew();
        int imports = 0;
        for (int i = 0; i < data.Count; i++)
        {
            var again = ImportScanner.Scan(data[i]);
            imports += again.Imports.Count;
            Assert.True(first[i].Imports.Select(x => PythonReference.RefImport.From(x).Key).SequenceEqual(again.Imports.Select(x => PythonReference.RefImport.From(x).Key)),
                $"{installed.Files[i]}: a second scan found other imports");
            Assert.Equal(first[i].DunderAll, again.DunderAll);
        }
        sw.Stop();
        var tsw = Stopwatch.StartNew();
        int tokens = 0;
        foreach (var d in data)
        {
            string s = PythonSourceDecoder.Decode(d, out _);
            var tok = new PythonTokenizer(s);
            while (tok.Next(out var t))
                tokens++;
        }
        tsw.Stop();
        Assert.True(tokens > data.Count, $"{tokens} tokens in {data.Count} files");
        output.WriteLine($"scan: {data.Count} files, {bytes / 1e6:F1} MB, {bytes / 1e6 / sw.Elapsed.TotalSeconds:F0} MB/s on one core ({imports} imports); " +
                         $"decode+tokenize alone: {bytes / 1e6 / tsw.Elapsed.TotalSeconds:F0} MB/s ({tokens} tokens)");
    }
}
