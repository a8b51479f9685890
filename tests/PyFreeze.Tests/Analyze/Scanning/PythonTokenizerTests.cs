using PyFreeze.Analyze;
using PyFreeze.Analyze.Scanning;
using static PyFreeze.Analyze.Scanning.TokenKind;

namespace PyFreeze.Tests.Analyze.Scanning;

[Trait("Lane", "Fast")]
public sealed class PythonTokenizerTests
{
    private static List<(TokenKind Kind, string Text)> Tokens(string source, List<ScanProblem>? problems = null) =>
        PythonTokenizer.Tokenize(source, problems).Select(t => (t.Kind, t.Text(source).ToString())).ToList();

    /// <summary>Tokens without the line-structure ones, as "KIND text" strings.</summary>
    private static string[] Significant(string source) =>
        Tokens(source).Where(t => t.Kind is not (Nl or Newline or Indent or Dedent or EndMarker or Comment))
            .Select(t => $"{t.Kind} {t.Text}").ToArray();

    private static List<ScanProblem> Problems(string source)
    {
        var problems = new List<ScanProblem>();
        PythonTokenizer.Tokenize(source, problems);
        return problems;
    }

    [Fact]
    public void SimpleStatement()
    {
        var t = Tokens("x = foo(1, 'a')\n");
        Assert.Equal(
            [(Name, "x"), (Op, "="), (Name, "foo"), (Op, "("), (Number, "1"), (Op, ","), (TokenKind.String, "'a'"), (Op, ")"),
             (Newline, "\n"), (EndMarker, "")],
            t);
    }

    [Fact]
    public void PositionsAreLikeTokenize()
    {
        const string src = "if x:\n    y = 'a\\\nb'\n";
        var t = PythonTokenizer.Tokenize(src);
        var y = t.Single(k => k.Kind == Name && k.Text(src) is "y");
        Assert.Equal((2, 4), (y.Line, y.Column));
        var s = t.Single(k => k.Kind == TokenKind.String);
        Assert.Equal((2, 8, 3, 2), (s.Line, s.Column, s.EndLine, s.EndColumn));
    }

    [Fact]
    public void NoTrailingNewlineStillEndsTheLogicalLine()
    {
        var t = Tokens("import x");
        Assert.Equal([(Name, "import"), (Name, "x"), (Newline, ""), (EndMarker, "")], t);
    }

    [Fact]
    public void BlankAndCommentLinesAreNl()
    {
        var t = Tokens("a\n\n   # c\nb\n");
        Assert.Equal(
            [(Name, "a"), (Newline, "\n"), (Nl, "\n"), (Comment, "# c"), (Nl, "\n"), (Name, "b"), (Newline, "\n"), (EndMarker, "")],
            t);
    }

    [Fact]
    public void CrLfLineEnds()
    {
        var t = Tokens("a\r\nb\r\n");
        Assert.Equal([(Name, "a"), (Newline, "\r\n"), (Name, "b"), (Newline, "\r\n"), (EndMarker, "")], t);
    }

    [Fact]
    public void NewlinesInsideBracketsAreNl()
    {
        var t = Tokens("f(a,\n  b)\n");
        Assert.Equal(
            [(Name, "f"), (Op, "("), (Name, "a"), (Op, ","), (Nl, "\n"), (Name, "b"), (Op, ")"), (Newline, "\n"), (EndMarker, "")],
            t);
    }

    [Fact]
    public void BackslashContinuationJoinsLines()
    {
        var t = Tokens("from a \\\n    import b\n");
        Assert.Equal([(Name, "from"), (Name, "a"), (Name, "import"), (Name, "b"), (Newline, "\n"), (EndMarker, "")], t);
    }

    [Fact]
    public void IndentAndDedent()
    {
        var kinds = Tokens("if a:\n    if b:\n        c\n    d\ne\n").Select(t => t.Kind).ToArray();
        Assert.Equal(
            [Name, Name, Op, Newline, Indent, Name, Name, Op, Newline, Indent, Name, Newline, Dedent, Name, Newline,
             Dedent, Name, Newline, EndMarker],
            kinds);
    }

    [Fact]
    public void DedentsAtEndOfFile()
    {
        var kinds = Tokens("def f():\n    if x:\n        pass").Select(t => t.Kind).TakeLast(4).ToArray();
        Assert.Equal([Newline, Dedent, Dedent, EndMarker], kinds);
    }

    [Fact]
    public void TabsCountToMultiplesOfEight()
    {
        // A tab and eight spaces are the same level; no problem is reported when each block is consistent.
        var problems = new List<ScanProblem>();
        var kinds = Tokens("if a:\n\tb\n\tc\nd\n", problems).Select(t => t.Kind).ToArray();
        Assert.Equal(1, kinds.Count(k => k == Indent));
        Assert.Equal(1, kinds.Count(k => k == Dedent));
        Assert.Empty(problems);
    }

    [Fact]
    public void MixedTabsAndSpacesAreATabError()
    {
        var problems = Problems("if a:\n        b\n\tc\n");
        Assert.Contains(problems, p => p.Line == 3 && p.Message.Contains("inconsistent use of tabs"));
    }

    [Fact]
    public void FormFeedResetsIndentation()
    {
        var problems = new List<ScanProblem>();
        var kinds = Tokens("a\n\f\nb\n  \fc\n", problems).Select(t => t.Kind).ToArray();
        Assert.DoesNotContain(Indent, kinds);
        Assert.Empty(problems);
    }

    [Fact]
    public void BadDedentIsReportedWithLineAndColumn()
    {
        var problems = Problems("if a:\n        b\n    c\nd\n");
        var p = Assert.Single(problems);
        Assert.Equal(3, p.Line);
        Assert.Equal(5, p.Column);
        Assert.Contains("unindent does not match", p.Message);
    }

    [Theory]
    [InlineData("0x_FF", "0x_FF")]
    [InlineData("0o17", "0o17")]
    [InlineData("0b1010", "0b1010")]
    [InlineData("1_000_000", "1_000_000")]
    [InlineData("3.14", "3.14")]
    [InlineData(".5", ".5")]
    [InlineData("1.", "1.")]
    [InlineData("1e-10", "1e-10")]
    [InlineData("1.5E+3j", "1.5E+3j")]
    [InlineData("10j", "10j")]
    public void Numbers(string source, string expected)
    {
        Assert.Equal([$"Number {expected}"], Significant(source));
    }

    [Fact]
    public void NumberFollowedByKeyword()
    {
        Assert.Equal(["Number 1", "Name if", "Name x", "Name else", "Number 2"], Significant("1if x else 2"));
        Assert.Equal(["Number 1.", "Name __class__"], Significant("1.__class__"));
    }

    [Fact]
    public void LongestMatchOperators()
    {
        Assert.Equal(
            ["Op **=", "Op //=", "Op >>=", "Op <<=", "Op ...", "Op ->", "Op :=", "Op !=", "Op ==", "Op @=", "Op **", "Op .", "Op !"],
            Significant("**= //= >>= <<= ... -> := != == @= ** . !"));
    }

    [Fact]
    public void UnicodeIdentifiers()
    {
        Assert.Equal(["Name résumé", "Op =", "Name 变量", "Op +", "Name _x1"], Significant("résumé = 变量 + _x1"));
    }

    [Theory]
    [InlineData("r'\\d'")]
    [InlineData("b'x'")]
    [InlineData("B\"x\"")]
    [InlineData("u'x'")]
    [InlineData("Rb'x'")]
    [InlineData("bR'x'")]
    [InlineData("'''a\n'b'\n'''")]
    [InlineData("\"\"\"doc \\\"\"\" still\"\"\"")]
    [InlineData("'it\\'s'")]
    [InlineData("'a\\\nb'")]
    public void StringForms(string source)
    {
        Assert.Equal([$"String {source}"], Significant(source));
    }

    [Fact]
    public void InvalidPrefixIsANameThenAString()
    {
        Assert.Equal(["Name ur", "String 'x'"], Significant("ur'x'"));
        Assert.Equal(["Name bf", "String 'x'"], Significant("bf'x'"));
    }

    [Fact]
    public void FStringWithFieldsAndSpec()
    {
        Assert.Equal(
            ["FStringStart f\"", "FStringMiddle a ", "Op {", "Name x", "Op !", "Name r", "Op :", "FStringMiddle >",
             "Op {", "Name w", "Op }", "Op }", "FStringMiddle  {{b}}", "FStringEnd \""],
            Significant("f\"a {x!r:>{w}} {{b}}\""));
    }

    [Fact]
    public void FStringColonEqualsIsASpec()
    {
        Assert.Equal(["FStringStart f'", "Op {", "Name x", "Op :", "FStringMiddle =10", "Op }", "FStringEnd '"],
            Significant("f'{x:=10}'"));
    }

    [Fact]
    public void FStringReusesTheSameQuoteInsideAField()
    {
        // PEP 701 (3.12): f"{x["a"]}" and f"{'\n'.join(y)}".
        Assert.Equal(
            ["FStringStart f\"", "Op {", "Name x", "Op [", "String \"a\"", "Op ]", "Op }", "FStringEnd \""],
            Significant("f\"{x[\"a\"]}\""));
        Assert.Equal(
            ["FStringStart f\"", "Op {", "String '\\n'", "Op .", "Name join", "Op (", "Name y", "Op )", "Op }", "FStringEnd \""],
            Significant("f\"{'\\n'.join(y)}\""));
    }

    [Fact]
    public void NestedFStrings()
    {
        var t = Significant("f\"{f'{f\"{1}\"}'}\"");
        Assert.Equal(3, t.Count(x => x.StartsWith("FStringStart", StringComparison.Ordinal)));
        Assert.Equal(3, t.Count(x => x.StartsWith("FStringEnd", StringComparison.Ordinal)));
        Assert.Contains("Number 1", t);
    }

    [Fact]
    public void FStringFieldsMaySpanLinesAndHoldComments()
    {
        const string src = "x = f'''{\n    a # comment\n    + b}'''\nimport y\n";
        var problems = new List<ScanProblem>();
        var t = Tokens(src, problems);
        Assert.Empty(problems);
        Assert.Contains((Comment, "# comment"), t);
        Assert.Equal(2, t.Count(k => k.Kind == Newline));
    }

    [Fact]
    public void DictAndSliceInsideAFieldAreNotTheFormatSpec()
    {
        Assert.Equal(
            ["FStringStart f'", "Op {", "Op {", "Number 1", "Op :", "Number 2", "Op }", "Op [", "Number 1", "Op ]", "Op }", "FStringEnd '"],
            Significant("f'{ {1:2}[1]}'"));
        Assert.Contains("Op :", Significant("f'{a[1:2]}'"));
    }

    [Fact]
    public void RawFStringBackslashesAndNamedEscapes()
    {
        Assert.Equal(["FStringStart rf'", "FStringMiddle \\", "Op {", "Name x", "Op }", "FStringEnd '"], Significant("rf'\\{x}'"));
        Assert.Equal(["FStringStart f'", "FStringMiddle \\N{DASH}", "FStringEnd '"], Significant("f'\\N{DASH}'"));
    }

    [Fact]
    public void TStrings()
    {
        Assert.Equal(["TStringStart t'", "TStringMiddle a", "Op {", "Name b", "Op }", "TStringEnd '"], Significant("t'a{b}'"));
        Assert.Equal("TStringStart TR\"", Significant("TR\"x\"")[0]);
    }

    [Fact]
    public void EveryFStringPrefixCase()
    {
        foreach (var prefix in new[] { "f", "F", "fr", "Fr", "fR", "FR", "rf", "rF", "Rf", "RF" })
            Assert.Equal($"FStringStart {prefix}'", Significant(prefix + "'x'")[0]);
    }

    [Fact]
    public void SemicolonSeparatedStatementsAreOneLogicalLine()
    {
        var t = Tokens("import a; import b\n");
        Assert.Single(t, x => x.Kind == Newline);
        Assert.Contains((Op, ";"), t);
    }

    [Fact]
    public void UnterminatedStringIsReportedAndTheNextLineTokenized()
    {
        var problems = new List<ScanProblem>();
        var t = Tokens("x = 'abc\nimport y\n", problems);
        var p = Assert.Single(problems);
        Assert.Equal((1, 5), (p.Line, p.Column));
        Assert.Contains("unterminated string literal", p.Message);
        Assert.Contains((Name, "import"), t);
        Assert.Contains((TokenKind.String, "'abc"), t);
    }

    [Fact]
    public void UnterminatedTripleQuotedStringEndsWithItsFirstLine()
    {
        var problems = new List<ScanProblem>();
        var t = Tokens("a = 1\nx = '''abc\nimport y\n", problems);
        var p = Assert.Single(problems);
        Assert.Equal((2, 5), (p.Line, p.Column));
        Assert.Contains("unterminated triple-quoted string literal", p.Message);
        Assert.Contains((Name, "y"), t);
        var import = PythonTokenizer.Tokenize("a = 1\nx = \"\"\"abc\nimport y\n").Single(k => k.Kind == Name && k.Column == 0 && k.Line == 3);
        Assert.Equal(0, import.Column);
    }

    [Fact]
    public void UnterminatedFStringRecovers()
    {
        var problems = new List<ScanProblem>();
        var t = Tokens("x = f'{a\nimport y\n", problems);
        Assert.Contains(problems, p => p.Line == 1 && p.Message.Contains("unterminated f-string"));
        Assert.Contains((Name, "import"), t);
        Assert.Equal(t.Count(k => k.Kind == FStringStart), t.Count(k => k.Kind == FStringEnd));

        problems.Clear();
        t = Tokens("x = f'''{a\nimport y\n", problems);
        Assert.Contains(problems, p => p.Line == 1 && p.Message.Contains("unterminated triple-quoted f-string"));
        Assert.Contains((Name, "import"), t);
        Assert.Equal(t.Count(k => k.Kind == FStringStart), t.Count(k => k.Kind == FStringEnd));
    }

    [Fact]
    public void UnclosedBracketIsClosedAtAStatementKeyword()
    {
        var problems = new List<ScanProblem>();
        var t = Tokens("x = foo(1,\nimport y\n", problems);
        var p = Assert.Single(problems);
        Assert.Equal((1, 8), (p.Line, p.Column));
        Assert.Contains("'(' was never closed", p.Message);
        // The statement before the keyword ends with a NEWLINE, so "import y" is a statement of its own.
        int import = t.IndexOf((Name, "import"));
        Assert.Equal(Newline, t[import - 1].Kind);
    }

    [Fact]
    public void YieldFromInsideBracketsIsNotARecoveryPoint()
    {
        var problems = new List<ScanProblem>();
        Tokens("x = (yield\n     from g)\n", problems);
        Assert.Empty(problems);
    }

    [Fact]
    public void UnmatchedAndMismatchedBrackets()
    {
        var problems = Problems("a)\nb = [1, 2)]\n");
        Assert.Equal(2, problems.Count);
        Assert.Equal((1, 2), (problems[0].Line, problems[0].Column));
        Assert.Contains("unmatched ')'", problems[0].Message);
        Assert.Equal(2, problems[1].Line);
        Assert.Contains("does not match opening parenthesis '['", problems[1].Message);
    }

    [Fact]
    public void UnclosedBracketAtEndOfFile()
    {
        var p = Assert.Single(Problems("x = [1,\n2\n"));
        Assert.Equal((1, 5), (p.Line, p.Column));
    }

    [Fact]
    public void InvalidCharactersAreErrorTokens()
    {
        var problems = new List<ScanProblem>();
        var t = Tokens("a $ b\n", problems);
        Assert.Contains((ErrorToken, "$"), t);
        Assert.Equal((1, 3), (problems[0].Line, problems[0].Column));
        Assert.Contains((Name, "b"), t);
    }

    [Fact]
    public void BackslashNotAtLineEndIsAProblem()
    {
        var p = Assert.Single(Problems("a \\ b\n"));
        Assert.Contains("continuation character", p.Message);
    }

    [Fact]
    public void ByteOrderMarkIsSkipped()
    {
        Assert.Equal(["Name x"], Significant("\uFEFFx"));
    }

    [Fact]
    public void RandomInputNeverThrows()
    {
        var rng = new Random(12345);
        const string alphabet = "abf rtu\"'{}()[]:;=!#\\\n\r\t\f 0123.eEjx_é€\uD83D\uDE00\0";
        for (int round = 0; round < 3000; round++)
        {
            int len = rng.Next(0, 200);
            var chars = new char[len];
            for (int i = 0; i < len; i++)
                chars[i] = rng.Next(4) == 0 ? (char)rng.Next(0, 0x10000) : alphabet[rng.Next(alphabet.Length)];
            var problems = new List<ScanProblem>();
            var tokens = PythonTokenizer.Tokenize(new string(chars), problems);
            Assert.Equal(EndMarker, tokens[^1].Kind);
            Assert.Equal(tokens.Count(t => t.Kind is FStringStart or TStringStart), tokens.Count(t => t.Kind is FStringEnd or TStringEnd));
            Assert.Equal(tokens.Count(t => t.Kind == Indent), tokens.Count(t => t.Kind == Dedent));
            Assert.All(tokens, t => Assert.True(t.Start <= t.End && t.End <= len));
        }
    }
}
