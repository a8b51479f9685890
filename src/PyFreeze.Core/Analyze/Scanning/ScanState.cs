using System.Runtime.CompilerServices;
using System.Text;

namespace PyFreeze.Analyze.Scanning;

/// <summary>
/// The statement-level half of <see cref="ImportScanner"/>: reads tokens one logical line at a time, keeps a stack
/// of indented blocks with their <see cref="ImportContext"/> and condition (this file), and hands each simple
/// statement to the concern it is: import statements (ScanState.ImportStatements.cs), dynamic import calls
/// (ScanState.DynamicImports.cs), <c>__all__</c> (ScanState.DunderAll.cs), <c>sys.modules["a.b"] = x</c>
/// (ScanState.ModuleAssignments.cs), <c>importlib.metadata</c> look-ups (ScanState.MetadataCalls.cs); token helpers are in ScanState.Tokens.cs.
/// One ref struct over one token buffer, in parts, so no concern copies the line it reads.
/// </summary>
internal ref partial struct ScanState
{
    private enum Clause : byte { None, If, Try, TryElse, Loop }

    private enum CondKind : byte { None, Test, NotTest, Case }

    /// <summary>Where a condition's text is, turned into a string only for the imports that need it.</summary>
    private struct CondRef
    {
        public CondKind Kind;
        public int Start, End, Start2, End2;
    }

    private struct Frame
    {
        public ImportContext Ctx;
        public CondRef Cond;
        public bool InDefOrClass;
        public bool IsMatch;
        public int SubjectStart, SubjectEnd;

        // The last compound statement in this block, for the clauses that continue it.
        public Clause Last;
        public CondRef LastTest;
        public bool ChainTypeChecking; // elif/else of "if not TYPE_CHECKING"
        public int TryStart, TryEnd;
        public bool TryEnded, TryMarked;
    }

    private struct Entry
    {
        public string Module;
        public int Level;
        public string[] Names;
        public ImportContext Ctx;
        public int Line;
        public bool Dynamic;
        public CondRef Cond;
    }

    private readonly ReadOnlySpan<char> _text;
    private PythonTokenizer _tok;
    private Token[] _buf;
    private int _n;
    private Frame[] _frames;
    private int _depth;
    private bool _hasPending;
    private Frame _pending;
    private Entry[] _imports;
    private int _count;
    private List<string>? _all;
    private bool _allPoisoned;
    private List<ModuleAssignment>? _moduleAssignments; // sys.modules["a.b"] = x (ScanState.ModuleAssignments.cs)
    private List<MetadataCall>? _metadataCalls; // importlib.metadata look-ups (ScanState.MetadataCalls.cs)

    public ScanState(ReadOnlySpan<char> text, List<ScanProblem> problems)
    {
        _text = text;
        _tok = new PythonTokenizer(text, problems);
        _buf = new Token[64];
        _frames = new Frame[16];
        _frames[0] = default;
        _depth = 1;
        _imports = new Entry[16];
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public void Run()
    {
        while (_tok.Next(out var t))
        {
            switch (t.Kind)
            {
                case TokenKind.Comment:
                case TokenKind.Nl:
                    continue;
                case TokenKind.Indent:
                    PushBlock();
                    continue;
                case TokenKind.Dedent:
                    _hasPending = false;
                    if (_depth > 1)
                        _depth--;
                    continue;
                case TokenKind.Newline:
                    ProcessLine();
                    continue;
                case TokenKind.EndMarker:
                    ProcessLine();
                    return;
                case TokenKind.FStringStart:
                case TokenKind.TStringStart:
                {
                    // The scanner looks at an f-string as one opaque (non-literal) string.
                    int nest = 1;
                    var last = t;
                    while (nest > 0 && _tok.Next(out var u))
                    {
                        if (u.Kind is TokenKind.FStringStart or TokenKind.TStringStart)
                            nest++;
                        else if (u.Kind is TokenKind.FStringEnd or TokenKind.TStringEnd)
                            nest--;
                        else if (u.Kind == TokenKind.EndMarker)
                            break;
                        last = u;
                    }
                    Add(new Token(TokenKind.FStringStart, t.Start, last.End, t.Line, t.Column, last.EndLine, last.EndColumn));
                    continue;
                }
                default:
                    Add(t);
                    continue;
            }
        }
        ProcessLine();
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private void Add(in Token t)
    {
        if (_n == _buf.Length)
            Array.Resize(ref _buf, _n * 2);
        _buf[_n++] = t;
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private void PushBlock()
    {
        if (_depth == _frames.Length)
            Array.Resize(ref _frames, _depth * 2);
        // Without a pending header this is an unexpected indent: keep the enclosing context.
        _frames[_depth] = _hasPending ? _pending : Child(_frames[_depth - 1]);
        _depth++;
        _hasPending = false;
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static Frame Child(in Frame parent) => new()
    {
        Ctx = parent.Ctx,
        Cond = parent.Cond,
        InDefOrClass = parent.InDefOrClass,
    };

    // ---- statements ----

    private enum Kw : byte { None, If, Elif, Else, Try, Except, Finally, For, While, With, Def, Class, Match, Case }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private readonly Kw Keyword(int i)
    {
        if (i >= _n || _buf[i].Kind != TokenKind.Name)
            return Kw.None;
        var w = T(i);
        return w.Length switch
        {
            2 => w is "if" ? Kw.If : Kw.None,
            3 => w is "for" ? Kw.For : w is "try" ? Kw.Try : w is "def" ? Kw.Def : Kw.None,
            4 => w is "elif" ? Kw.Elif : w is "else" ? Kw.Else : w is "with" ? Kw.With : w is "case" ? Kw.Case : Kw.None,
            5 => w is "while" ? Kw.While : w is "class" ? Kw.Class : w is "match" ? Kw.Match : Kw.None,
            6 => w is "except" ? Kw.Except : Kw.None,
            7 => w is "finally" ? Kw.Finally : Kw.None,
            _ => Kw.None,
        };
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private void ProcessLine()
    {
        _hasPending = false;
        if (_n == 0)
            return;
        try
        {
            ProcessLineCore();
        }
        finally
        {
            _n = 0;
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private void ProcessLineCore()
    {
        ref Frame f = ref _frames[_depth - 1];
        int k = IsName(0, "async") && (IsName(1, "def") || IsName(1, "for") || IsName(1, "with")) ? 1 : 0;
        var kw = Keyword(k);
        int colon = kw == Kw.None ? -1 : FindHeaderColon(k + 1);

        // Soft keywords: "match subject:" ends its line with the colon; "case" only inside a match block.
        if (kw == Kw.Match && (colon != _n - 1 || colon < 2))
            kw = Kw.None;
        if (kw == Kw.Case && (!f.IsMatch || colon < 2))
            kw = Kw.None;
        if (colon < 0)
            kw = Kw.None;

        if (kw == Kw.None)
        {
            f.Last = Clause.None;
            Simple(0, _n, f.Ctx, f.Cond, f.InDefOrClass);
            return;
        }

        Frame body = Child(f);
        int a = k + 1; // header expression range [a, colon)
        switch (kw)
        {
            case Kw.If:
            {
                int tc = TypeCheckingTest(a, colon);
                Dynamic(a, colon, f.Ctx, f.Cond);
                body.Ctx |= ImportContext.Conditional | (tc > 0 ? ImportContext.TypeChecking : 0);
                body.Cond = Test(a, colon, CondKind.Test);
                f.Last = Clause.If;
                f.LastTest = body.Cond;
                f.ChainTypeChecking = tc < 0;
                break;
            }
            case Kw.Elif:
            {
                int tc = TypeCheckingTest(a, colon);
                Dynamic(a, colon, f.Ctx, f.Cond);
                bool typeChecking = tc > 0 || (f.Last == Clause.If && f.ChainTypeChecking);
                body.Ctx |= ImportContext.Conditional | (typeChecking ? ImportContext.TypeChecking : 0);
                body.Cond = Test(a, colon, CondKind.Test);
                if (f.Last != Clause.If)
                    f.ChainTypeChecking = false;
                f.Last = Clause.If;
                f.LastTest = body.Cond;
                break;
            }
            case Kw.Else:
                if (f.Last == Clause.If)
                {
                    body.Ctx |= ImportContext.Conditional | (f.ChainTypeChecking ? ImportContext.TypeChecking : 0);
                    body.Cond = f.LastTest;
                    body.Cond.Kind = CondKind.NotTest;
                    f.Last = Clause.None;
                }
                else
                {
                    f.Last = f.Last == Clause.Try ? Clause.TryElse : Clause.None;
                }
                break;
            case Kw.Try:
                f.Last = Clause.Try;
                f.TryStart = _count;
                f.TryEnded = false;
                f.TryMarked = false;
                break;
            case Kw.Except:
                if (f.Last == Clause.Try)
                {
                    if (!f.TryEnded)
                    {
                        f.TryEnd = _count;
                        f.TryEnded = true;
                    }
                    if (!f.TryMarked && CatchesImportError(a, colon))
                    {
                        f.TryMarked = true;
                        for (int i = f.TryStart; i < f.TryEnd; i++)
                            _imports[i].Ctx |= ImportContext.Optional;
                    }
                }
                break;
            case Kw.Finally:
                f.Last = Clause.None;
                break;
            case Kw.For:
            case Kw.While:
                Dynamic(a, colon, f.Ctx, f.Cond);
                f.Last = Clause.Loop;
                break;
            case Kw.With:
                Dynamic(a, colon, f.Ctx, f.Cond);
                if (Suppresses(a, colon))
                    body.Ctx |= ImportContext.Optional;
                f.Last = Clause.None;
                break;
            case Kw.Def:
                Dynamic(a, colon, f.Ctx, f.Cond);
                body.Ctx |= ImportContext.Deferred;
                body.InDefOrClass = true;
                f.Last = Clause.None;
                break;
            case Kw.Class:
                Dynamic(a, colon, f.Ctx, f.Cond);
                body.InDefOrClass = true;
                f.Last = Clause.None;
                break;
            case Kw.Match:
                Dynamic(a, colon, f.Ctx, f.Cond);
                body.IsMatch = true;
                int sa = a, sb = colon;
                StripParens(ref sa, ref sb);
                body.SubjectStart = _buf[sa].Start;
                body.SubjectEnd = _buf[sb - 1].End;
                f.Last = Clause.None;
                break;
            case Kw.Case:
            {
                Dynamic(a, colon, f.Ctx, f.Cond);
                int pa = a, pb = colon;
                StripParens(ref pa, ref pb);
                body.Ctx |= ImportContext.Conditional;
                body.Cond = new CondRef
                {
                    Kind = CondKind.Case, Start = f.SubjectStart, End = f.SubjectEnd,
                    Start2 = _buf[pa].Start, End2 = _buf[pb - 1].End,
                };
                f.Last = Clause.None;
                break;
            }
        }

        if (colon == _n - 1)
        {
            _pending = body;
            _hasPending = true;
        }
        else
        {
            // Body on the same line: simple statements only.
            Simple(colon + 1, _n, body.Ctx, body.Cond, body.InDefOrClass);
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private readonly CondRef Test(int a, int b, CondKind kind)
    {
        StripParens(ref a, ref b);
        return a < b ? new CondRef { Kind = kind, Start = _buf[a].Start, End = _buf[b - 1].End } : default;
    }

    /// <summary>Drops parentheses around the whole of [a, b): <c>if (x and y):</c> has the test <c>x and y</c>.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private readonly void StripParens(ref int a, ref int b)
    {
        while (b - a > 2 && IsOp(a, '(') && MatchingClose(a, b) == b - 1)
        {
            a++;
            b--;
        }
    }

    /// <summary>1 for <c>TYPE_CHECKING</c>/<c>X.TYPE_CHECKING</c>, -1 for <c>not</c> that, else 0.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private readonly int TypeCheckingTest(int a, int b)
    {
        int sign = 1;
        if (IsName(a, "not"))
        {
            sign = -1;
            a++;
        }
        if (a >= b || !IsName(b - 1, "TYPE_CHECKING"))
            return 0;
        for (int i = a; i < b - 1; i += 2)
        {
            if (_buf[i].Kind != TokenKind.Name || !IsOp(i + 1, '.'))
                return 0;
        }
        return (b - a) % 2 == 1 ? sign : 0;
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static bool IsImportErrorName(ReadOnlySpan<char> w) =>
        w is "ImportError" or "ModuleNotFoundError" or "Exception" or "BaseException";

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private readonly bool CatchesImportError(int a, int b)
    {
        if (IsOp(a, '*'))
            a++;
        if (a >= b)
            return true; // bare except:
        int depth = 0;
        for (int i = a; i < b; i++)
        {
            depth += BracketDelta(i);
            if (_buf[i].Kind != TokenKind.Name)
                continue;
            var w = T(i);
            if (depth == 0 && w is "as")
                return false;
            if (IsImportErrorName(w))
                return true;
        }
        return false;
    }

    /// <summary>A with-item <c>suppress(...)</c> or <c>X.suppress(...)</c> naming ImportError and the like.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private readonly bool Suppresses(int a, int b)
    {
        for (int i = a; i < b; i++)
        {
            if (!IsName(i, "suppress") || !IsOp(i + 1, '('))
                continue;
            int close = MatchingClose(i + 1, b);
            for (int j = i + 2; j < close; j++)
            {
                if (_buf[j].Kind == TokenKind.Name && IsImportErrorName(T(j)))
                    return true;
            }
        }
        return false;
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private void Simple(int a, int b, ImportContext ctx, CondRef cond, bool inDefOrClass)
    {
        int start = a;
        for (int i = a; i <= b; i++)
        {
            if (i < b && !IsOp(i, ';'))
                continue;
            if (i > start)
            {
                if (IsName(start, "import"))
                    ImportStmt(start, i, ctx, cond);
                else if (IsName(start, "from"))
                    FromStmt(start, i, ctx, cond);
                else
                {
                    if (!inDefOrClass && IsName(start, "__all__"))
                        DunderAllStmt(start, i);
                    else if (i - start >= 8 && _buf[start + 2].Kind == TokenKind.Name && IsName(start + 2, "modules"))
                        ModuleAssignmentStmt(start, i);
                    Dynamic(start, i, ctx, cond);
                }
            }
            start = i + 1;
        }
    }

    // ---- results ----

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public readonly IReadOnlyList<ImportStatement> BuildImports()
    {
        if (_count == 0)
            return [];
        var list = new ImportStatement[_count];
        Dictionary<(CondKind, int, int, int, int), string>? conditions = null;
        for (int i = 0; i < _count; i++)
        {
            ref Entry e = ref _imports[i];
            string? condition = null;
            if (e.Cond.Kind != CondKind.None)
            {
                conditions ??= new Dictionary<(CondKind, int, int, int, int), string>();
                var key = (e.Cond.Kind, e.Cond.Start, e.Cond.End, e.Cond.Start2, e.Cond.End2);
                if (!conditions.TryGetValue(key, out condition))
                {
                    condition = ConditionText(e.Cond);
                    conditions[key] = condition;
                }
            }
            list[i] = new ImportStatement(e.Module, e.Level, e.Names, e.Ctx, e.Line, e.Dynamic, condition);
        }
        return list;
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private readonly string ConditionText(CondRef c)
    {
        var sb = new StringBuilder();
        switch (c.Kind)
        {
            case CondKind.NotTest:
                sb.Append("not (");
                AppendNormalized(sb, c.Start, c.End);
                sb.Append(')');
                break;
            case CondKind.Case:
                sb.Append("match ");
                AppendNormalized(sb, c.Start, c.End);
                sb.Append(": case ");
                AppendNormalized(sb, c.Start2, c.End2);
                break;
            default:
                AppendNormalized(sb, c.Start, c.End);
                break;
        }
        return sb.ToString();
    }

    /// <summary>Source text of [start, end) with comments dropped and whitespace between tokens made one space.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private readonly void AppendNormalized(StringBuilder sb, int start, int end)
    {
        var slice = _text[start..end];
        var tok = new PythonTokenizer(slice);
        int prevEnd = -1;
        while (tok.Next(out var t))
        {
            if (t.Kind is TokenKind.Comment or TokenKind.Nl or TokenKind.Newline or TokenKind.Indent
                or TokenKind.Dedent or TokenKind.EndMarker)
                continue;
            if (prevEnd >= 0 && t.Start > prevEnd)
                sb.Append(' ');
            sb.Append(slice[t.Start..t.End]);
            prevEnd = t.End;
        }
    }
}
