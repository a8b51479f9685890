using System.Buffers;
using System.Globalization;
using System.Runtime.CompilerServices;

namespace PyFreeze.Analyze.Scanning;

/// <summary>
/// A Python 3.14 tokenizer over decoded source text, modelled on CPython's <c>Parser/tokenizer.c</c> and
/// <c>Lib/tokenize.py</c>: names (Unicode identifiers), numbers, operators, every string form (prefixes
/// <c>r b u f t</c> and their combinations in any case, single and triple quotes), f-strings and t-strings as
/// <c>FSTRING_START … FSTRING_END</c> with the replacement fields tokenized (PEP 701: nested fields, format specs,
/// nested f-strings, reuse of the enclosing quote inside a field), comments, NEWLINE vs NL, INDENT/DEDENT (tabs to
/// multiples of 8 as CPython counts them, form feed resets the column), backslash continuation and implicit
/// continuation inside brackets.
/// </summary>
/// <remarks>
/// <para>Never throws on any input. Errors are added to the problem list given to the constructor (when there is
/// one) with a 1-based line and column, and the tokenizer recovers:</para>
/// <list type="bullet">
/// <item>an unterminated single-quoted string ends at the end of its line;</item>
/// <item>an unterminated triple-quoted string or f-string ends at the end of the line it started on, and
/// tokenizing resumes there (so code after it is still seen), for the first few of them in a file;</item>
/// <item>an unmatched closing bracket is ignored; a mismatched one closes up to its partner when there is one;</item>
/// <item>an unclosed bracket is closed when the next line starts with a keyword that can only begin a statement
/// (<c>import</c>, <c>def</c>, <c>class</c>, <c>return</c>, …), so one typo does not swallow the rest of the file;</item>
/// <item>an unindent that matches no outer level is reported and taken as the nearest outer level.</item>
/// </list>
/// <para>Each FSTRING_START/TSTRING_START is always followed by its END (zero-width when made by recovery).
/// A tokenizer holds only its own state: use one per thread.</para>
/// </remarks>
public ref struct PythonTokenizer
{
    private const int MaxProblems = 100;

    /// <summary>How often an unterminated triple-quoted string or f-string may send the tokenizer back to the
    /// line it started on. Each rewind re-reads the rest of the file, so a bound keeps the worst case linear;
    /// past it, the string runs to the end of the file as in CPython.</summary>
    private const int MaxRewinds = 8;

    private enum ModeKind : byte { FString, Field, Spec }

    private struct Mode
    {
        public ModeKind Kind;
        public char Quote;
        public byte QuoteSize;
        public bool Raw;
        public bool IsT;
        public int BracketBase;
        public int StartPos, StartLine, StartLineStart;
    }

    private struct Bracket
    {
        public char Ch;
        public int Line, Col;
    }

    [Flags]
    private enum Prefix
    {
        None = 0, Raw = 1, Bytes = 2, F = 4, T = 8, U = 16,
    }

    private static readonly SearchValues<char> SingleDq = SearchValues.Create("\"\\\n\r");
    private static readonly SearchValues<char> SingleSq = SearchValues.Create("'\\\n\r");
    private static readonly SearchValues<char> LineEnds = SearchValues.Create("\n\r");

    private readonly ReadOnlySpan<char> _s;
    private readonly List<ScanProblem>? _problems;
    private int _pos, _line, _lineStart;
    private bool _atLineStart, _lineHasContent, _done, _prevWasYield;
    private int _pendingDedents, _eofStage, _rewinds;
    private int[] _indents, _altIndents;
    private int _indentCount;
    private Bracket[] _brackets;
    private int _bracketCount;
    private Mode[]? _modes;
    private int _modeCount;
    private TokenKind[]? _pendingEnds;
    private int _pendingEndCount;

    /// <summary>Creates a tokenizer over <paramref name="source"/> (already decoded; see
    /// <see cref="PythonSourceDecoder"/>). A leading U+FEFF is skipped.</summary>
    /// <param name="source">The source text.</param>
    /// <param name="problems">Where to add tokenizer errors; null to ignore them. At most 100 are added.</param>
    public PythonTokenizer(ReadOnlySpan<char> source, List<ScanProblem>? problems = null)
    {
        _s = source;
        _problems = problems;
        _pos = source.Length > 0 && source[0] == '\uFEFF' ? 1 : 0;
        _lineStart = _pos;
        _line = 1;
        _atLineStart = true;
        _indents = new int[16];
        _altIndents = new int[16];
        _indentCount = 1;
        _brackets = new Bracket[16];
    }

    /// <summary>Tokenizes all of <paramref name="source"/>, ENDMARKER included.</summary>
    /// <param name="source">Decoded source text.</param>
    /// <param name="problems">Where to add tokenizer errors; null to ignore them.</param>
    /// <returns>Every token in order.</returns>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static List<Token> Tokenize(ReadOnlySpan<char> source, List<ScanProblem>? problems = null)
    {
        var list = new List<Token>(source.Length / 4 + 4);
        var tokenizer = new PythonTokenizer(source, problems);
        while (tokenizer.Next(out var t))
            list.Add(t);
        return list;
    }

    /// <summary>Reads the next token.</summary>
    /// <param name="token">The token; default when the method returns false.</param>
    /// <returns>False once the ENDMARKER has been returned.</returns>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public bool Next(out Token token)
    {
        while (true)
        {
            if (_pendingEndCount > 0)
            {
                token = Make(_pendingEnds![--_pendingEndCount], _pos, _pos);
                return true;
            }
            if (_pendingDedents > 0)
            {
                _pendingDedents--;
                token = Make(TokenKind.Dedent, _pos, _pos);
                return true;
            }
            if (_done)
            {
                token = default;
                return false;
            }
            if (_modeCount > 0 && _modes![_modeCount - 1].Kind != ModeKind.Field)
            {
                if (LexFStringText(out token))
                    return true;
                continue;
            }
            if (_pos >= _s.Length)
            {
                if (AtEof(out token))
                    return true;
                continue;
            }
            if (_atLineStart && _bracketCount == 0 && _modeCount == 0)
            {
                if (LexIndentation(out token))
                    return true;
                continue;
            }

            char c = _s[_pos];
            switch (c)
            {
                case ' ':
                case '\t':
                case '\f':
                    _pos++;
                    continue;
                case '\n':
                case '\r':
                    if (_bracketCount > 0 || _modeCount > 0)
                    {
                        if (NextLineStartsStatement(_pos))
                        {
                            CloseEverythingOpen();
                            continue;
                        }
                        token = LexLineBreak(TokenKind.Nl);
                        return true;
                    }
                    token = LexLineBreak(_lineHasContent ? TokenKind.Newline : TokenKind.Nl);
                    _lineHasContent = false;
                    _atLineStart = true;
                    return true;
                case '#':
                    token = LexComment();
                    return true;
                case '\\':
                {
                    int n = LineBreakLength(_pos + 1);
                    if (n > 0)
                    {
                        _pos += 1 + n;
                        NewLine();
                        continue;
                    }
                    Problem(_line, _pos - _lineStart + 1, "unexpected character after line continuation character");
                    token = Make(TokenKind.ErrorToken, _pos, _pos + 1);
                    _pos++;
                    return true;
                }
                case '"':
                case '\'':
                    _lineHasContent = true;
                    _prevWasYield = false;
                    token = LexString(_pos, _pos, Prefix.None);
                    return true;
            }

            _lineHasContent = true;
            if (IsAsciiDigit(c) || (c == '.' && _pos + 1 < _s.Length && IsAsciiDigit(_s[_pos + 1])))
            {
                _prevWasYield = false;
                token = LexNumber();
                return true;
            }
            if (IsIdStart(c))
            {
                token = LexNameOrPrefixedString();
                return true;
            }
            _prevWasYield = false;
            token = LexOperator();
            return true;
        }
    }

    // ---- line structure ----

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private bool LexIndentation(out Token token)
    {
        var s = _s;
        int p = _pos, col = 0, alt = 0;
        for (; p < s.Length; p++)
        {
            char ch = s[p];
            if (ch == ' ') { col++; alt++; }
            else if (ch == '\t') { col = (col / 8 + 1) * 8; alt++; }
            else if (ch == '\f') { col = alt = 0; }
            else break;
        }
        token = default;
        _pos = p;
        if (p >= s.Length)
            return false;
        char c = s[p];
        if (c == '#')
        {
            token = LexComment();
            return true;
        }
        if (c == '\n' || c == '\r')
        {
            token = LexLineBreak(TokenKind.Nl);
            return true;
        }
        if (c == '\\')
        {
            int n = LineBreakLength(p + 1);
            if (n > 0)
            {
                // A backslash continuation on an otherwise empty line: join it to the next one.
                _pos = p + 1 + n;
                NewLine();
                return false;
            }
        }

        _atLineStart = false;
        int top = _indents[_indentCount - 1], altTop = _altIndents[_indentCount - 1];
        if (col == top)
        {
            if (alt != altTop)
                TabProblem(p);
            return false;
        }
        if (col > top)
        {
            if (alt <= altTop)
                TabProblem(p);
            if (_indentCount == _indents.Length)
            {
                Array.Resize(ref _indents, _indentCount * 2);
                Array.Resize(ref _altIndents, _indentCount * 2);
            }
            _indents[_indentCount] = col;
            _altIndents[_indentCount] = alt;
            _indentCount++;
            token = Make(TokenKind.Indent, _lineStart, p);
            return true;
        }
        while (_indentCount > 1 && col < _indents[_indentCount - 1])
        {
            _indentCount--;
            _pendingDedents++;
        }
        if (col != _indents[_indentCount - 1])
            Problem(_line, p - _lineStart + 1, "unindent does not match any outer indentation level");
        else if (alt != _altIndents[_indentCount - 1])
            TabProblem(p);
        return false;
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private void TabProblem(int p) =>
        Problem(_line, p - _lineStart + 1, "inconsistent use of tabs and spaces in indentation");

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private readonly int LineBreakLength(int p)
    {
        if (p >= _s.Length)
            return 0;
        char c = _s[p];
        if (c == '\n')
            return 1;
        if (c == '\r')
            return p + 1 < _s.Length && _s[p + 1] == '\n' ? 2 : 1;
        return 0;
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private void NewLine()
    {
        _line++;
        _lineStart = _pos;
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private Token LexLineBreak(TokenKind kind)
    {
        int n = LineBreakLength(_pos);
        var t = Make(kind, _pos, _pos + n);
        _pos += n;
        NewLine();
        return t;
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private Token LexComment()
    {
        int start = _pos;
        int i = _s[start..].IndexOfAny(LineEnds);
        _pos = i < 0 ? _s.Length : start + i;
        return Make(TokenKind.Comment, start, _pos);
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private bool AtEof(out Token token)
    {
        token = default;
        if (_modeCount > 0)
        {
            RecoverFStrings(0, rewind: true);
            return false;
        }
        if (_eofStage == 0)
        {
            _eofStage = 1;
            for (int i = 0; i < _bracketCount; i++)
                Problem(_brackets[i].Line, _brackets[i].Col + 1, $"'{_brackets[i].Ch}' was never closed");
            _bracketCount = 0;
            if (_lineHasContent)
            {
                _lineHasContent = false;
                token = Make(TokenKind.Newline, _pos, _pos);
                return true;
            }
        }
        if (_eofStage == 1)
        {
            _eofStage = 2;
            _pendingDedents = _indentCount - 1;
            _indentCount = 1;
            return false;
        }
        _done = true;
        token = Make(TokenKind.EndMarker, _pos, _pos);
        return true;
    }

    /// <summary>Recovery for unclosed brackets: true when the line after the break at <paramref name="p"/> starts
    /// with a keyword that can never appear inside an expression.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private readonly bool NextLineStartsStatement(int p)
    {
        var s = _s;
        p += LineBreakLength(p);
        while (p < s.Length && (s[p] == ' ' || s[p] == '\t' || s[p] == '\f'))
            p++;
        int start = p;
        while (p < s.Length && (uint)(s[p] - 'a') <= 'z' - 'a')
            p++;
        if (p < s.Length && IsIdContinue(s[p]))
            return false;
        var word = s[start..p];
        switch (word.Length)
        {
            case 3:
                return word is "def" or "del" or "try";
            case 4:
                return word is "pass" or "elif" or "with" || (word is "from" && !_prevWasYield);
            case 5:
                return word is "class" or "raise" or "while" or "break";
            case 6:
                return word is "return" or "import" or "except" or "assert" or "global";
            case 7:
                return word is "finally";
            case 8:
                return word is "continue" or "nonlocal";
            default:
                return false;
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private void CloseEverythingOpen()
    {
        if (_modeCount > 0)
            RecoverFStrings(0, rewind: false);
        for (int i = 0; i < _bracketCount; i++)
            Problem(_brackets[i].Line, _brackets[i].Col + 1, $"'{_brackets[i].Ch}' was never closed");
        _bracketCount = 0;
    }

    // ---- names, numbers, operators ----

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private Token LexNameOrPrefixedString()
    {
        var s = _s;
        int start = _pos, p = _pos + 1;
        while (p < s.Length && IsIdContinue(s[p]))
            p++;
        int n = p - start;
        if (n <= 2 && p < s.Length && (s[p] == '"' || s[p] == '\''))
        {
            var prefix = ParsePrefix(s.Slice(start, n));
            if (prefix != (Prefix)(-1))
            {
                _prevWasYield = false;
                return LexString(start, p, prefix);
            }
        }
        _prevWasYield = n == 5 && s.Slice(start, 5) is "yield";
        _pos = p;
        return Make(TokenKind.Name, start, p);
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static Prefix ParsePrefix(ReadOnlySpan<char> text)
    {
        var result = Prefix.None;
        foreach (char ch in text)
        {
            Prefix bit = (char)(ch | 0x20) switch
            {
                'r' => Prefix.Raw,
                'b' => Prefix.Bytes,
                'f' => Prefix.F,
                't' => Prefix.T,
                'u' => Prefix.U,
                _ => (Prefix)(-1),
            };
            if (bit == (Prefix)(-1) || (result & bit) != 0)
                return (Prefix)(-1);
            result |= bit;
        }
        // u goes alone; b, f and t exclude each other; r combines with b, f, t.
        if ((result & Prefix.U) != 0 && result != Prefix.U)
            return (Prefix)(-1);
        int kinds = ((result & Prefix.Bytes) != 0 ? 1 : 0) + ((result & Prefix.F) != 0 ? 1 : 0) + ((result & Prefix.T) != 0 ? 1 : 0);
        return kinds > 1 ? (Prefix)(-1) : result;
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private Token LexNumber()
    {
        var s = _s;
        int start = _pos, p = _pos;
        if (s[p] == '0' && p + 1 < s.Length && ((s[p + 1] | 0x20) is 'x' or 'o' or 'b'))
        {
            bool hex = (s[p + 1] | 0x20) == 'x';
            p += 2;
            while (p < s.Length && (IsAsciiDigit(s[p]) || s[p] == '_' || (hex && (uint)((s[p] | 0x20) - 'a') <= 'f' - 'a')))
                p++;
        }
        else
        {
            p = Digits(s, p);
            if (p < s.Length && s[p] == '.')
                p = Digits(s, p + 1);
            if (p < s.Length && (s[p] | 0x20) == 'e')
            {
                int q = p + 1;
                if (q < s.Length && (s[q] == '+' || s[q] == '-'))
                    q++;
                if (q < s.Length && IsAsciiDigit(s[q]))
                    p = Digits(s, q);
            }
            if (p < s.Length && (s[p] | 0x20) == 'j')
                p++;
        }
        _pos = p;
        return Make(TokenKind.Number, start, p);

        static int Digits(ReadOnlySpan<char> s, int p)
        {
            while (p < s.Length)
            {
                if (IsAsciiDigit(s[p]))
                    p++;
                else if (s[p] == '_' && p + 1 < s.Length && IsAsciiDigit(s[p + 1]))
                    p += 2;
                else
                    break;
            }
            return p;
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private Token LexOperator()
    {
        var s = _s;
        int start = _pos;
        char c = s[start];
        if (_modeCount > 0)
        {
            // Inside an f-string replacement field: at its own bracket level, '}' ends it and ':' starts the
            // format spec (even before '=': f"{x:=10}" has the spec "=10").
            ref Mode top = ref _modes![_modeCount - 1];
            if (_bracketCount == top.BracketBase)
            {
                if (c == '}')
                {
                    _modeCount--;
                    _pos++;
                    return Make(TokenKind.Op, start, start + 1);
                }
                if (c == ':')
                {
                    top.Kind = ModeKind.Spec;
                    _pos++;
                    return Make(TokenKind.Op, start, start + 1);
                }
            }
        }
        switch (c)
        {
            case '(':
            case '[':
            case '{':
                if (_bracketCount == _brackets.Length)
                    Array.Resize(ref _brackets, _bracketCount * 2);
                _brackets[_bracketCount++] = new Bracket { Ch = c, Line = _line, Col = start - _lineStart };
                _pos++;
                return Make(TokenKind.Op, start, start + 1);
            case ')':
            case ']':
            case '}':
                CloseBracket(c);
                _pos++;
                return Make(TokenKind.Op, start, start + 1);
        }
        int n = OperatorLength(s, start);
        if (n == 0)
        {
            n = char.IsHighSurrogate(c) && start + 1 < s.Length && char.IsLowSurrogate(s[start + 1]) ? 2 : 1;
            int cp = n == 2 ? char.ConvertToUtf32(c, s[start + 1]) : c;
            if (_problems is not null && _problems.Count <= MaxProblems)
                Problem(_line, start - _lineStart + 1, cp < 0x20 || (cp >= 0x7f && cp <= 0xa0)
                    ? $"invalid non-printable character U+{cp:X4}"
                    : $"invalid character '{s.Slice(start, n).ToString()}' (U+{cp:X4})");
            _pos += n;
            return Make(TokenKind.ErrorToken, start, start + n);
        }
        _pos += n;
        return Make(TokenKind.Op, start, start + n);
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static int OperatorLength(ReadOnlySpan<char> s, int p)
    {
        char c0 = s[p];
        char c1 = p + 1 < s.Length ? s[p + 1] : '\0';
        char c2 = p + 2 < s.Length ? s[p + 2] : '\0';
        switch (c0)
        {
            case '*':
            case '/':
                return c1 == c0 ? (c2 == '=' ? 3 : 2) : c1 == '=' ? 2 : 1;
            case '<':
                return c1 == '<' ? (c2 == '=' ? 3 : 2) : c1 is '=' or '>' ? 2 : 1;
            case '>':
                return c1 == '>' ? (c2 == '=' ? 3 : 2) : c1 == '=' ? 2 : 1;
            case '.':
                return c1 == '.' && c2 == '.' ? 3 : 1;
            case '-':
                return c1 is '=' or '>' ? 2 : 1;
            case '=':
            case '!':
            case '%':
            case '&':
            case '^':
            case '|':
            case '@':
            case '+':
            case ':':
                return c1 == '=' ? 2 : 1;
            case ',':
            case ';':
            case '~':
                return 1;
            default:
                return 0;
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private void CloseBracket(char c)
    {
        int bottom = _modeCount > 0 ? _modes![_modeCount - 1].BracketBase : 0;
        char open = c == ')' ? '(' : c == ']' ? '[' : '{';
        int col = _pos - _lineStart + 1;
        if (_bracketCount <= bottom)
        {
            Problem(_line, col, $"unmatched '{c}'");
            return;
        }
        ref Bracket top = ref _brackets[_bracketCount - 1];
        if (top.Ch == open)
        {
            _bracketCount--;
            return;
        }
        Problem(_line, col, top.Line == _line
            ? $"closing parenthesis '{c}' does not match opening parenthesis '{top.Ch}'"
            : $"closing parenthesis '{c}' does not match opening parenthesis '{top.Ch}' on line {top.Line}");
        for (int i = _bracketCount - 2; i >= bottom; i--)
        {
            if (_brackets[i].Ch == open)
            {
                _bracketCount = i;
                return;
            }
        }
    }

    // ---- strings ----

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private Token LexString(int start, int quotePos, Prefix prefix)
    {
        var s = _s;
        char q = s[quotePos];
        bool triple = quotePos + 2 < s.Length && s[quotePos + 1] == q && s[quotePos + 2] == q;
        int size = triple ? 3 : 1;
        int startLine = _line, startLineStart = _lineStart, startCol = start - _lineStart;

        if ((prefix & (Prefix.F | Prefix.T)) != 0)
        {
            bool isT = (prefix & Prefix.T) != 0;
            PushMode(new Mode
            {
                Kind = ModeKind.FString, Quote = q, QuoteSize = (byte)size, Raw = (prefix & Prefix.Raw) != 0, IsT = isT,
                BracketBase = _bracketCount, StartPos = start, StartLine = _line, StartLineStart = _lineStart,
            });
            _pos = quotePos + size;
            return Make(isT ? TokenKind.TStringStart : TokenKind.FStringStart, start, _pos);
        }

        int p = quotePos + size;
        var stops = q == '"' ? SingleDq : SingleSq;
        while (true)
        {
            int i = s[p..].IndexOfAny(stops);
            if (i < 0)
            {
                p = s.Length;
                break;
            }
            p += i;
            char c = s[p];
            if (c == q)
            {
                if (!triple)
                {
                    p++;
                    goto done;
                }
                if (p + 2 < s.Length && s[p + 1] == q && s[p + 2] == q)
                {
                    p += 3;
                    goto done;
                }
                p++;
                continue;
            }
            if (c == '\\')
            {
                int n = LineBreakLength(p + 1);
                if (n > 0)
                {
                    p += 1 + n;
                    _pos = p;
                    NewLine();
                }
                else
                {
                    p = Math.Min(p + 2, s.Length);
                }
                continue;
            }
            // A line break.
            if (!triple)
            {
                Problem(startLine, startCol + 1, $"unterminated string literal (detected at line {_line})");
                goto done;
            }
            p += LineBreakLength(p);
            _pos = p;
            NewLine();
        }

        // End of input inside the string.
        if (!triple)
        {
            Problem(startLine, startCol + 1, $"unterminated string literal (detected at line {_line})");
        }
        else
        {
            Problem(startLine, startCol + 1, $"unterminated triple-quoted string literal (detected at line {_line})");
            if (_rewinds < MaxRewinds)
            {
                // Recover: the string ends with the line it started on, and the rest is tokenized again.
                _rewinds++;
                int eol = s[start..].IndexOfAny(LineEnds);
                p = eol < 0 ? s.Length : start + eol;
                _line = startLine;
                _lineStart = startLineStart;
            }
        }

    done:
        _pos = p;
        return Make(TokenKind.String, start, startLine, startCol, p);
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private void PushMode(Mode mode)
    {
        _modes ??= new Mode[8];
        if (_modeCount == _modes.Length)
            Array.Resize(ref _modes, _modeCount * 2);
        _modes[_modeCount++] = mode;
    }

    /// <summary>Literal text of an f-string or of a format spec, up to a field, the closing quote or an error.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private bool LexFStringText(out Token token)
    {
        var s = _s;
        var m = _modes![_modeCount - 1];
        bool isSpec = m.Kind == ModeKind.Spec;
        var middle = m.IsT ? TokenKind.TStringMiddle : TokenKind.FStringMiddle;
        int start = _pos, startLine = _line, startCol = _pos - _lineStart;
        int p = _pos;
        while (true)
        {
            if (p >= s.Length)
            {
                if (p > start)
                    return Middle(middle, start, startLine, startCol, p, out token);
                token = default;
                RecoverFStrings(0, rewind: true);
                return false;
            }
            char c = s[p];
            if (c == m.Quote && (m.QuoteSize == 1 || (p + 2 < s.Length && s[p + 1] == c && s[p + 2] == c)))
            {
                if (p > start)
                    return Middle(middle, start, startLine, startCol, p, out token);
                if (isSpec)
                {
                    Problem(_line, p - _lineStart + 1, "f-string: expecting '}'");
                    while (_modes[_modeCount - 1].Kind != ModeKind.FString)
                        _modeCount--;
                    _bracketCount = _modes[_modeCount - 1].BracketBase;
                    token = default;
                    return false;
                }
                _modeCount--;
                _pos = p + m.QuoteSize;
                token = Make(m.IsT ? TokenKind.TStringEnd : TokenKind.FStringEnd, p, _pos);
                return true;
            }
            switch (c)
            {
                case '\\':
                {
                    if (p + 1 >= s.Length)
                    {
                        p++;
                        continue;
                    }
                    char n = s[p + 1];
                    int nl = LineBreakLength(p + 1);
                    if (nl > 0)
                    {
                        p += 1 + nl;
                        _pos = p;
                        NewLine();
                    }
                    else if (m.Raw)
                        p += n == m.Quote || n == '\\' ? 2 : 1;
                    else if (n == 'N' && p + 2 < s.Length && s[p + 2] == '{')
                    {
                        // \N{NAME}: the braces are part of the escape.
                        int q = p + 3;
                        while (q < s.Length && s[q] != '}' && s[q] != m.Quote && s[q] != '\n' && s[q] != '\r')
                            q++;
                        p = q < s.Length && s[q] == '}' ? q + 1 : p + 2;
                    }
                    else if (n == '{' || n == '}')
                        p++;
                    else
                        p += 2;
                    continue;
                }
                case '{':
                    if (!isSpec && p + 1 < s.Length && s[p + 1] == '{')
                    {
                        p += 2;
                        continue;
                    }
                    if (p > start)
                        return Middle(middle, start, startLine, startCol, p, out token);
                    _pos = p + 1;
                    _lineHasContent = true;
                    token = Make(TokenKind.Op, p, p + 1);
                    var field = m;
                    field.Kind = ModeKind.Field;
                    field.BracketBase = _bracketCount;
                    PushMode(field);
                    return true;
                case '}':
                    if (!isSpec)
                    {
                        if (p + 1 < s.Length && s[p + 1] == '}')
                            p += 2;
                        else
                        {
                            Problem(_line, p - _lineStart + 1, "f-string: single '}' is not allowed");
                            p++;
                        }
                        continue;
                    }
                    if (p > start)
                        return Middle(middle, start, startLine, startCol, p, out token);
                    _modeCount--; // the spec, and with it the replacement field it belongs to
                    _pos = p + 1;
                    token = Make(TokenKind.Op, p, p + 1);
                    return true;
                case '\n':
                case '\r':
                    if (m.QuoteSize == 3)
                    {
                        p += LineBreakLength(p);
                        _pos = p;
                        NewLine();
                        continue;
                    }
                    if (p > start)
                        return Middle(middle, start, startLine, startCol, p, out token);
                    // Unterminated single-quoted f-string: close from the outermost single-quoted one.
                    int from = 0;
                    while (_modes[from].Kind != ModeKind.FString || _modes[from].QuoteSize != 1)
                        from++;
                    token = default;
                    RecoverFStrings(from, rewind: false);
                    return false;
                default:
                    p++;
                    continue;
            }
        }

    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private bool Middle(TokenKind kind, int start, int startLine, int startCol, int end, out Token token)
    {
        _pos = end;
        token = Make(kind, start, startLine, startCol, end);
        return true;
    }

    /// <summary>Closes the f-strings from mode <paramref name="from"/> up, queueing their END tokens; with
    /// <paramref name="rewind"/>, resumes at the end of the line where the outermost of them started.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private void RecoverFStrings(int from, bool rewind)
    {
        var modes = _modes!;
        ref Mode outer = ref modes[from];
        int innermost = _modeCount - 1;
        while (modes[innermost].Kind != ModeKind.FString)
            innermost--;
        ref Mode inner = ref modes[innermost];
        var reported = rewind ? outer : inner;
        Problem(reported.StartLine, reported.StartPos - reported.StartLineStart + 1,
            (reported.QuoteSize == 3 ? "unterminated triple-quoted f-string literal" : "unterminated f-string literal")
            + $" (detected at line {_line})");

        _pendingEnds ??= new TokenKind[8];
        for (int i = from; i < _modeCount; i++)
        {
            if (modes[i].Kind != ModeKind.FString)
                continue;
            if (_pendingEndCount == _pendingEnds.Length)
                Array.Resize(ref _pendingEnds, _pendingEndCount * 2);
            _pendingEnds[_pendingEndCount++] = modes[i].IsT ? TokenKind.TStringEnd : TokenKind.FStringEnd;
        }
        _bracketCount = outer.BracketBase;
        if (rewind && _rewinds < MaxRewinds)
        {
            _rewinds++;
            int eol = _s[outer.StartPos..].IndexOfAny(LineEnds);
            _pos = eol < 0 ? _s.Length : outer.StartPos + eol;
            _line = outer.StartLine;
            _lineStart = outer.StartLineStart;
        }
        _modeCount = from;
    }

    // ---- helpers ----

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private readonly Token Make(TokenKind kind, int start, int end) =>
        new(kind, start, end, _line, start - _lineStart, _line, end - _lineStart);

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private readonly Token Make(TokenKind kind, int start, int startLine, int startCol, int end) =>
        new(kind, start, end, startLine, startCol, _line, end - _lineStart);

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private readonly void Problem(int line, int column, string message)
    {
        if (_problems is null)
            return;
        if (_problems.Count < MaxProblems)
            _problems.Add(new ScanProblem(line, column, message));
        else if (_problems.Count == MaxProblems)
            _problems.Add(new ScanProblem(line, column, "too many problems; no more are reported"));
    }

    private static bool IsAsciiDigit(char c) => (uint)(c - '0') <= 9;

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static bool IsIdStart(char c) =>
        c < 128 ? (uint)((c | 0x20) - 'a') <= 'z' - 'a' || c == '_' : IsNonAsciiIdChar(c);

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    internal static bool IsIdContinue(char c) =>
        c < 128 ? (uint)((c | 0x20) - 'a') <= 'z' - 'a' || c == '_' || (uint)(c - '0') <= 9 : IsNonAsciiIdChar(c);

    /// <summary>Identifier characters beyond ASCII (PEP 3131: XID_Start/XID_Continue, approximated by category).</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static bool IsNonAsciiIdChar(char c)
    {
        if (char.IsSurrogate(c))
            return true;
        switch (CharUnicodeInfo.GetUnicodeCategory(c))
        {
            case UnicodeCategory.UppercaseLetter:
            case UnicodeCategory.LowercaseLetter:
            case UnicodeCategory.TitlecaseLetter:
            case UnicodeCategory.ModifierLetter:
            case UnicodeCategory.OtherLetter:
            case UnicodeCategory.LetterNumber:
            case UnicodeCategory.NonSpacingMark:
            case UnicodeCategory.SpacingCombiningMark:
            case UnicodeCategory.DecimalDigitNumber:
            case UnicodeCategory.ConnectorPunctuation:
                return true;
            default:
                // Other_ID_Start / Other_ID_Continue.
                return c is '\u00B7' or '\u0387' or '\u2118' or '\u212E' or '\u309B' or '\u309C' or '\u19DA'
                    or (>= '\u1369' and <= '\u1371');
        }
    }
}
