namespace PyFreeze.Analyze.Scanning;

/// <summary>
/// Kinds of Python tokens, named after the token types of CPython's <c>Lib/token.py</c> (3.14, with the
/// f-string and t-string tokens of PEP 701 and PEP 750).
/// </summary>
public enum TokenKind : byte
{
    /// <summary>End of input; always the last token.</summary>
    EndMarker,

    /// <summary>An identifier or keyword (Python has no separate keyword token; soft keywords are names too).</summary>
    Name,

    /// <summary>A numeric literal: integer, float or imaginary, any base, with underscores.</summary>
    Number,

    /// <summary>A complete string or bytes literal with its prefix and quotes (not an f-string or t-string).</summary>
    String,

    /// <summary>The end of a logical line.</summary>
    Newline,

    /// <summary>A line break that does not end a logical line: blank or comment-only lines, breaks inside brackets
    /// or inside f-string replacement fields.</summary>
    Nl,

    /// <summary>The indentation of a logical line deeper than the previous one.</summary>
    Indent,

    /// <summary>One level of indentation closed (zero-width).</summary>
    Dedent,

    /// <summary>An operator or delimiter (<c>(</c>, <c>**=</c>, <c>...</c>, <c>-></c>, <c>!</c>, …).</summary>
    Op,

    /// <summary>A <c>#</c> comment, without the line break.</summary>
    Comment,

    /// <summary>The prefix and opening quote of an f-string (<c>f"</c>, <c>rf'''</c>).</summary>
    FStringStart,

    /// <summary>Literal text of an f-string between replacement fields, or of a format spec (source text, braces
    /// escaped as <c>{{</c>/<c>}}</c> are not undone).</summary>
    FStringMiddle,

    /// <summary>The closing quote of an f-string; zero-width when an unterminated f-string was closed by recovery.</summary>
    FStringEnd,

    /// <summary>The prefix and opening quote of a template string (<c>t"</c>, PEP 750, Python 3.14).</summary>
    TStringStart,

    /// <summary>Literal text of a t-string.</summary>
    TStringMiddle,

    /// <summary>The closing quote of a t-string.</summary>
    TStringEnd,

    /// <summary>A character that cannot start any token (<c>$</c>, <c>?</c>, a backtick, a stray non-printable).</summary>
    ErrorToken,
}

/// <summary>
/// One token: its kind and where it is. The text is not copied; take it from the source with <see cref="Text"/>.
/// Positions are those of CPython's <c>tokenize</c> module: lines are 1-based, columns are 0-based offsets in
/// UTF-16 code units from the start of the line.
/// </summary>
/// <param name="Kind">What the token is.</param>
/// <param name="Start">Offset of the first character in the decoded source.</param>
/// <param name="End">Offset just past the last character (equal to <paramref name="Start"/> for zero-width tokens).</param>
/// <param name="Line">1-based line of the first character.</param>
/// <param name="Column">0-based column of the first character.</param>
/// <param name="EndLine">1-based line of <paramref name="End"/>.</param>
/// <param name="EndColumn">0-based column of <paramref name="End"/>.</param>
public readonly record struct Token(TokenKind Kind, int Start, int End, int Line, int Column, int EndLine, int EndColumn)
{
    /// <summary>The token's characters in <paramref name="source"/> (the text the tokenizer was given).</summary>
    public ReadOnlySpan<char> Text(ReadOnlySpan<char> source) => source[Start..End];

    /// <summary>Length in characters.</summary>
    public int Length => End - Start;
}
