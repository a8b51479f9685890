using System.Runtime.CompilerServices;
using System.Text;

namespace PyFreeze.Analyze.Scanning;

/// <summary><see cref="ScanState"/>: the value of a module's <c>__all__</c>, when its assignments and augmentations are all str-literal lists or tuples (any other form leaves it unknown).</summary>
internal ref partial struct ScanState
{
    public readonly IReadOnlyList<string>? DunderAll => _allPoisoned ? null : _all;

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
}
