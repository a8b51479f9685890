using System.Runtime.CompilerServices;
using System.Text;

namespace PyFreeze.Analyze.Scanning;

/// <summary><see cref="ScanState"/>: <c>import</c> and <c>from … import</c> statements (PEP 328 relative levels), recorded with their context and condition.</summary>
internal ref partial struct ScanState
{
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
}
