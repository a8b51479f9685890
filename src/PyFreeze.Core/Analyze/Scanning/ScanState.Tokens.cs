using System.Runtime.CompilerServices;
using System.Text;

namespace PyFreeze.Analyze.Scanning;

/// <summary>The token helpers of <see cref="ScanState"/>: the current logical line's tokens, brackets, dotted names and str literals (decoded by <see cref="PythonLiteral"/>).</summary>
internal ref partial struct ScanState
{
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
            return PythonLiteral.Str(T(a));
        var sb = new StringBuilder();
        for (int i = a; i < b; i++)
        {
            string? part = PythonLiteral.Str(T(i));
            if (part is null)
                return null;
            sb.Append(part);
        }
        return sb.ToString();
    }
}
