using System.Runtime.CompilerServices;
using System.Text;

namespace PyFreeze.Analyze.Scanning;

/// <summary><see cref="ScanState"/>: dynamic imports, <c>importlib.import_module("x")</c> and <c>__import__("x")</c> with literal names (and a literal <c>package</c> for relative names).</summary>
internal ref partial struct ScanState
{
    // ---- dynamic imports ----

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private void Dynamic(int a, int b, ImportContext ctx, CondRef cond)
    {
        for (int i = a; i < b; i++)
        {
            var t = _buf[i];
            if (t.Kind != TokenKind.Name || !IsOp(i + 1, '('))
                continue;
            if (t.Length is 7 or 8 or 12)
                MetadataCallAt(i, a, b, ctx);
            if (t.Length != 13 && t.Length != 10)
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
}
