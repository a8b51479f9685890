using System.Runtime.CompilerServices;

namespace PyFreeze.Analyze.Scanning;

/// <summary><see cref="ScanState"/>: <c>sys.modules["a.b"] = x</c> statements, a module installed under a name that has
/// no file of its own (read by <see cref="Analyzer"/> as an alias).</summary>
internal ref partial struct ScanState
{
    public readonly IReadOnlyList<ModuleAssignment> ModuleAssignments => _moduleAssignments ?? (IReadOnlyList<ModuleAssignment>)[];

    // ---- sys.modules["pkg.sub"] = name ----

    /// <summary>
    /// <c>X.modules["a.b"] = name</c> (<c>sys</c>, <c>_sys</c>, any name before <c>.modules</c>), with a string literal key
    /// and a (dotted) name as the value: a module installed in <c>sys.modules</c> under a name that has no file of its
    /// own, as CPython 3.13's <c>collections/__init__.py</c> does with <c>_sys.modules['collections.abc'] = _collections_abc</c>.
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
}
