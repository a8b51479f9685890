using System.Runtime.CompilerServices;
using System.Text;

namespace PyFreeze.Analyze.Scanning;

/// <summary>
/// The statement-level half of <see cref="ImportScanner"/>: reads tokens one logical line at a time, keeps a stack
/// of indented blocks with their <see cref="ImportContext"/>, and recognises imports, dynamic imports and
/// <c>__all__</c> in each line.
/// </summary>
internal ref struct ScanState
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
    private List<ModuleAssignment>? _moduleAssignments; // sys.modules["a.b"] = name (see ModuleAssignmentStmt)

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

    public readonly IReadOnlyList<string>? DunderAll => _allPoisoned ? null : _all;

    public readonly IReadOnlyList<ModuleAssignment> ModuleAssignments => _moduleAssignments ?? (IReadOnlyList<ModuleAssignment>)[];

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

    // ---- token helpers ----

    private readonly ReadOnlySpan<char> T(int i) => _buf[i].Text(_text);

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private readonly bool IsName(int i, string word) =>
        i < _n && _buf[i].Kind == TokenKind.Name && _buf[i].Length == word.Length && T(i).SequenceEqual(word);

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private readonly bool IsOp(int i, char c) =>
        i < _n && _buf[i].Kind == TokenKind.Op && _buf[i].Length == 1 && _text[_buf[i].Start] == c;

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private readonly bool IsOp(int i, string op) =>
        i < _n && _buf[i].Kind == TokenKind.Op && _buf[i].Length == op.Length && T(i).SequenceEqual(op);

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private readonly int BracketDelta(int i)
    {
        if (_buf[i].Kind != TokenKind.Op || _buf[i].Length != 1)
            return 0;
        return _text[_buf[i].Start] switch
        {
            '(' or '[' or '{' => 1,
            ')' or ']' or '}' => -1,
            _ => 0,
        };
    }

    /// <summary>The ':' ending a compound statement's header, at bracket depth 0 and not a lambda's.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private readonly int FindHeaderColon(int from)
    {
        int depth = 0, lambdas = 0;
        for (int i = from; i < _n; i++)
        {
            var t = _buf[i];
            if (t.Kind == TokenKind.Op)
            {
                if (t.Length != 1)
                    continue;
                char c = _text[t.Start];
                if (c is '(' or '[' or '{')
                    depth++;
                else if (c is ')' or ']' or '}')
                    depth = Math.Max(0, depth - 1);
                else if (c == ':' && depth == 0)
                {
                    if (lambdas == 0)
                        return i;
                    lambdas--;
                }
            }
            else if (depth == 0 && t.Kind == TokenKind.Name && t.Length == 6 && T(i).SequenceEqual("lambda"))
            {
                lambdas++;
            }
        }
        return -1;
    }

    /// <summary>Index of the bracket closing the one at <paramref name="open"/>, or <paramref name="end"/>.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private readonly int MatchingClose(int open, int end)
    {
        int depth = 0;
        for (int i = open; i < end; i++)
        {
            depth += BracketDelta(i);
            if (depth == 0)
                return i;
        }
        return end;
    }

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

    // ---- import statements ----

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private readonly string? DottedName(ref int i, int end)
    {
        if (i >= end || _buf[i].Kind != TokenKind.Name)
            return null;
        int first = i, parts = 1, chars = _buf[i].Length;
        i++;
        while (i + 1 < end && IsOp(i, '.') && _buf[i + 1].Kind == TokenKind.Name)
        {
            chars += 1 + _buf[i + 1].Length;
            parts++;
            i += 2;
        }
        int last = i - 1;
        if (_buf[last].End - _buf[first].Start == chars)
            return new string(_text[_buf[first].Start.._buf[last].End]);
        var sb = new StringBuilder(chars);
        for (int j = first; j <= last; j += 2)
        {
            if (j > first)
                sb.Append('.');
            sb.Append(T(j));
        }
        return sb.ToString();
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private void ImportStmt(int a, int b, ImportContext ctx, CondRef cond)
    {
        int line = _buf[a].Line;
        int i = a + 1;
        while (true)
        {
            string? name = DottedName(ref i, b);
            if (name is null)
                return;
            if (IsName(i, "as"))
                i += 2;
            AddImport(name, 0, [], ctx, line, false, cond);
            if (!IsOp(i, ','))
                return;
            i++;
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private void FromStmt(int a, int b, ImportContext ctx, CondRef cond)
    {
        int line = _buf[a].Line;
        int i = a + 1, level = 0;
        while (i < b && _buf[i].Kind == TokenKind.Op && (IsOp(i, '.') || IsOp(i, "...")))
        {
            level += _buf[i].Length;
            i++;
        }
        string module = IsName(i, "import") ? "" : DottedName(ref i, b) ?? "";
        if ((module.Length == 0 && level == 0) || !IsName(i, "import"))
            return;
        i++;
        string[] names;
        if (IsOp(i, '*'))
        {
            names = ["*"];
        }
        else
        {
            if (IsOp(i, '('))
                i++;
            var list = new List<string>(4);
            while (i < b && _buf[i].Kind == TokenKind.Name)
            {
                list.Add(new string(T(i)));
                i++;
                if (IsName(i, "as"))
                    i += 2;
                if (!IsOp(i, ','))
                    break;
                i++;
            }
            if (list.Count == 0)
                return;
            names = list.ToArray();
        }
        AddImport(module, level, names, ctx, line, false, cond);
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private void AddImport(string module, int level, string[] names, ImportContext ctx, int line, bool dynamic, CondRef cond)
    {
        if (_count == _imports.Length)
            Array.Resize(ref _imports, _count * 2);
        _imports[_count++] = new Entry
        {
            Module = module, Level = level, Names = names, Ctx = ctx, Line = line, Dynamic = dynamic, Cond = cond,
        };
    }

    // ---- dynamic imports ----

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private void Dynamic(int a, int b, ImportContext ctx, CondRef cond)
    {
        for (int i = a; i < b; i++)
        {
            var t = _buf[i];
            if (t.Kind != TokenKind.Name || (t.Length != 13 && t.Length != 10) || !IsOp(i + 1, '('))
                continue;
            var w = T(i);
            bool importModule = w is "import_module";
            if (!importModule && w is not "__import__")
                continue;
            if (i > a && IsName(i - 1, "def"))
                continue;
            if (i > a && IsOp(i - 1, '.'))
            {
                if (!(i - 2 >= a && (IsName(i - 2, "importlib") || (!importModule && IsName(i - 2, "builtins")))))
                    continue;
            }
            int close = MatchingClose(i + 1, b);
            DynamicCall(i, i + 2, close, importModule, ctx, cond);
        }
    }

    private struct Args
    {
        public int Count;
        public (int A, int B) P0, P1, P2, P3, P4;
        public (int A, int B) KwName, KwPackage, KwFromlist, KwLevel;

        public readonly (int A, int B) Get(int index, (int A, int B) keyword)
        {
            if (keyword.B > keyword.A)
                return keyword;
            if (index >= Count)
                return default;
            return index switch { 0 => P0, 1 => P1, 2 => P2, 3 => P3, 4 => P4, _ => default };
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private void DynamicCall(int at, int a, int b, bool importModule, ImportContext ctx, CondRef cond)
    {
        // Split the arguments at top-level commas.
        var args = new Args();
        int start = a, depth = 0;
        for (int i = a; i <= b; i++)
        {
            if (i < b)
            {
                depth += BracketDelta(i);
                if (depth != 0 || !IsOp(i, ','))
                    continue;
            }
            if (i > start)
            {
                if (_buf[start].Kind == TokenKind.Name && IsOp(start + 1, '=') && i > start + 2)
                {
                    var range = (start + 2, i);
                    var key = T(start);
                    if (key is "name") args.KwName = range;
                    else if (key is "package") args.KwPackage = range;
                    else if (key is "fromlist") args.KwFromlist = range;
                    else if (key is "level") args.KwLevel = range;
                }
                else if (IsOp(start, '*') || IsOp(start, "**"))
                {
                    return; // *args/**kwargs: not literal
                }
                else
                {
                    switch (args.Count)
                    {
                        case 0: args.P0 = (start, i); break;
                        case 1: args.P1 = (start, i); break;
                        case 2: args.P2 = (start, i); break;
                        case 3: args.P3 = (start, i); break;
                        case 4: args.P4 = (start, i); break;
                    }
                    args.Count++;
                }
            }
            start = i + 1;
        }

        var nameArg = args.Get(0, args.KwName);
        string? name = StringLiteral(nameArg.A, nameArg.B);
        if (name is null)
            return;
        int line = _buf[at].Line;

        if (importModule)
        {
            int dots = 0;
            while (dots < name.Length && name[dots] == '.')
                dots++;
            string rest = name[dots..];
            if (!(rest.Length == 0 ? dots > 0 : IsDottedName(rest)))
                return;
            if (dots == 0)
            {
                AddImport(rest, 0, [], ctx, line, true, cond);
                return;
            }
            var pkg = args.Get(1, args.KwPackage);
            int len = pkg.B - pkg.A;
            if ((len == 1 && (IsName(pkg.A, "__package__") || IsName(pkg.A, "__name__")))
                || (len == 3 && IsName(pkg.A, "__spec__") && IsOp(pkg.A + 1, '.') && IsName(pkg.A + 2, "parent")))
            {
                AddImport(rest, dots, [], ctx, line, true, cond);
                return;
            }
            string? package = StringLiteral(pkg.A, pkg.B);
            if (package is null || !IsDottedName(package))
                return;
            // importlib._bootstrap._resolve_name
            string[] bits = package.Split('.');
            if (bits.Length < dots)
                return;
            string baseName = string.Join('.', bits, 0, bits.Length - (dots - 1));
            AddImport(rest.Length > 0 ? baseName + "." + rest : baseName, 0, [], ctx, line, true, cond);
            return;
        }

        if (!IsDottedName(name))
            return;
        int level = 0;
        var levelArg = args.Get(4, args.KwLevel);
        if (levelArg.B > levelArg.A)
        {
            if (levelArg.B - levelArg.A != 1 || _buf[levelArg.A].Kind != TokenKind.Number
                || !int.TryParse(T(levelArg.A), System.Globalization.NumberStyles.None, null, out level))
                return;
        }
        string[] names = [];
        var fromlist = args.Get(3, args.KwFromlist);
        if (fromlist.B > fromlist.A)
            names = StringList(fromlist.A, fromlist.B)?.ToArray() ?? [];
        AddImport(name, level, names, ctx, line, true, cond);
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static bool IsDottedName(string s)
    {
        if (s.Length == 0)
            return false;
        bool atStart = true;
        foreach (char c in s)
        {
            if (c == '.')
            {
                if (atStart)
                    return false;
                atStart = true;
                continue;
            }
            if (!PythonTokenizer.IsIdContinue(c) || (atStart && char.IsAsciiDigit(c)))
                return false;
            atStart = false;
        }
        return !atStart;
    }

    // ---- literals ----

    /// <summary>The value of a (possibly implicitly concatenated) str literal in tokens [a, b), else null.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private readonly string? StringLiteral(int a, int b)
    {
        if (a >= b)
            return null;
        for (int i = a; i < b; i++)
        {
            if (_buf[i].Kind != TokenKind.String)
                return null;
        }
        if (b - a == 1)
            return StringValue(T(a));
        var sb = new StringBuilder();
        for (int i = a; i < b; i++)
        {
            string? part = StringValue(T(i));
            if (part is null)
                return null;
            sb.Append(part);
        }
        return sb.ToString();
    }

    /// <summary>Evaluates one str literal token (bytes give null).</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    internal static string? StringValue(ReadOnlySpan<char> token)
    {
        int p = 0;
        bool raw = false;
        while (p < token.Length && token[p] != '"' && token[p] != '\'')
        {
            char c = (char)(token[p] | 0x20);
            if (c == 'b')
                return null;
            if (c == 'r')
                raw = true;
            p++;
        }
        if (p >= token.Length)
            return null;
        char q = token[p];
        int size = p + 2 < token.Length && token[p + 1] == q && token[p + 2] == q && token.Length - p >= 6 ? 3 : 1;
        if (token.Length - p < 2 * size || token[^1] != q)
            return null; // unterminated
        var body = token[(p + size)..^size];
        if (raw || body.IndexOf('\\') < 0)
            return new string(body);
        var sb = new StringBuilder(body.Length);
        for (int i = 0; i < body.Length; i++)
        {
            char c = body[i];
            if (c != '\\' || i + 1 >= body.Length)
            {
                sb.Append(c);
                continue;
            }
            char e = body[++i];
            switch (e)
            {
                case '\n': break;
                case '\r':
                    if (i + 1 < body.Length && body[i + 1] == '\n')
                        i++;
                    break;
                case '\\': sb.Append('\\'); break;
                case '\'': sb.Append('\''); break;
                case '"': sb.Append('"'); break;
                case 'n': sb.Append('\n'); break;
                case 't': sb.Append('\t'); break;
                case 'r': sb.Append('\r'); break;
                case '0': sb.Append('\0'); break;
                case 'x' when i + 2 < body.Length && Hex(body.Slice(i + 1, 2), out int x):
                    sb.Append((char)x);
                    i += 2;
                    break;
                case 'u' when i + 4 < body.Length && Hex(body.Slice(i + 1, 4), out int u):
                    sb.Append((char)u);
                    i += 4;
                    break;
                default:
                    sb.Append('\\').Append(e);
                    break;
            }
        }
        return sb.ToString();

        static bool Hex(ReadOnlySpan<char> s, out int value) =>
            int.TryParse(s, System.Globalization.NumberStyles.AllowHexSpecifier, null, out value);
    }

    /// <summary>A list/tuple display of str literals (or several joined with <c>+</c>, or a bare tuple) in [a, b).</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private readonly List<string>? StringList(int a, int b)
    {
        var result = new List<string>();
        if (a >= b)
            return null;
        // A tuple needs a comma: ('a') and a bare 'a' are one str, not a sequence of names.
        if (!IsOp(a, '[') && !IsOp(a, '('))
            return HasComma(a, b) && Elements(a, b, result) ? result : null;
        while (true)
        {
            if (!IsOp(a, '[') && !IsOp(a, '('))
                return null;
            int close = MatchingClose(a, b);
            if (close >= b || !Elements(a + 1, close, result))
                return null;
            if (IsOp(a, '(') && close > a + 1 && !HasComma(a + 1, close))
                return null;
            a = close + 1;
            if (a == b)
                return result;
            if (!IsOp(a, '+'))
                return null;
            a++;
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private readonly bool HasComma(int a, int b)
    {
        for (int i = a; i < b; i++)
            if (IsOp(i, ','))
                return true;
        return false;
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private readonly bool Elements(int a, int b, List<string> into)
    {
        int start = a;
        for (int i = a; i <= b; i++)
        {
            if (i < b && !IsOp(i, ','))
                continue;
            if (i > start)
            {
                string? s = StringLiteral(start, i);
                if (s is null)
                    return false;
                into.Add(s);
            }
            else if (i < b)
            {
                return false; // ",," or a leading comma
            }
            start = i + 1;
        }
        return true;
    }

    // ---- __all__ ----

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private void DunderAllStmt(int a, int b)
    {
        int i = a + 1;
        if (IsOp(i, ':'))
        {
            // __all__: list[str] = [...]
            int depth = 0;
            for (i = a + 2; i < b; i++)
            {
                depth += BracketDelta(i);
                if (depth == 0 && IsOp(i, '='))
                    break;
            }
            if (i >= b)
                return;
        }
        if (IsOp(i, '='))
        {
            for (int j = i + 1; j < b; j++)
            {
                if (IsOp(j, '='))
                {
                    _allPoisoned = true; // chained assignment
                    return;
                }
            }
            var value = StringList(i + 1, b);
            if (value is null)
                _allPoisoned = true;
            else
                _all = value;
            return;
        }
        if (IsOp(i, "+="))
        {
            var value = StringList(i + 1, b);
            if (value is null)
                _allPoisoned = true;
            else
                (_all ??= []).AddRange(value);
            return;
        }
        if (IsOp(i, '.') && i + 2 < b && _buf[i + 1].Kind == TokenKind.Name && IsOp(i + 2, '('))
        {
            var method = T(i + 1);
            int close = MatchingClose(i + 2, b);
            if (close != b - 1)
            {
                _allPoisoned = true;
                return;
            }
            int argA = i + 3, argB = close;
            if (method is "extend")
            {
                var value = StringList(argA, argB);
                if (value is null)
                    _allPoisoned = true;
                else
                    (_all ??= []).AddRange(value);
            }
            else if (method is "append" or "remove")
            {
                string? s = StringLiteral(argA, argB);
                if (s is null)
                    _allPoisoned = true;
                else if (method is "append")
                    (_all ??= []).Add(s);
                else
                    _all?.Remove(s);
            }
            else if (method is "insert")
            {
                int comma = argA;
                while (comma < argB && !IsOp(comma, ','))
                    comma++;
                string? s = StringLiteral(comma + 1, argB);
                if (s is null || comma == argA)
                {
                    _allPoisoned = true;
                }
                else
                {
                    _all ??= [];
                    // A literal index inserts there (list.insert clamps); any other index appends.
                    if (comma == argA + 1 && _buf[argA].Kind == TokenKind.Number
                        && int.TryParse(T(argA), System.Globalization.NumberStyles.None, null, out int at))
                        _all.Insert(Math.Min(at, _all.Count), s);
                    else
                        _all.Add(s);
                }
            }
            else if (method is not ("sort" or "reverse" or "copy" or "index" or "count"))
            {
                _allPoisoned = true;
            }
            return;
        }
        if (IsOp(i, '['))
            _allPoisoned = true; // __all__[...] = ...
    }

    // ---- sys.modules["pkg.sub"] = name ----

    /// <summary>
    /// <c>X.modules["a.b"] = name</c> (<c>sys</c>, <c>_sys</c>, any name before <c>.modules</c>), with a string literal key
    /// and a (dotted) name as the value: a module installed in <c>sys.modules</c> under a name that has no file of its
    /// own, as CPython 3.13's <c>collections/__init__.py</c> does with <c>_sys.modules['collections.abc'] = _collections_abc</c>.
    /// Added in one place so it moves with the statement handlers (ImportScanner remarks).
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private void ModuleAssignmentStmt(int a, int b)
    {
        if (_buf[a].Kind != TokenKind.Name || !IsOp(a + 1, '.') || !IsOp(a + 3, '['))
            return;
        int close = a + 4;
        while (close < b && !IsOp(close, ']'))
            close++;
        if (close >= b - 2 || !IsOp(close + 1, '='))
            return;
        string? key = StringLiteral(a + 4, close);
        int v = close + 2;
        string? value = DottedName(ref v, b);
        if (key is null || value is null || v != b)
            return;
        (_moduleAssignments ??= []).Add(new ModuleAssignment(key, value, _buf[a].Line));
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
