using System.Runtime.CompilerServices;

namespace PyFreeze.Analyze.Scanning;

/// <summary><see cref="ScanState"/>: <c>importlib.metadata</c> look-ups with literal names, <c>distribution("x")</c>,
/// <c>version("x")</c>, <c>metadata("x")</c> and <c>entry_points(group="g", name="n")</c>, bare or after
/// <c>metadata.</c> / <c>importlib_metadata.</c> (read by <see cref="MetadataCallExpander"/>).</summary>
internal ref partial struct ScanState
{
    public readonly IReadOnlyList<MetadataCall> MetadataCalls => _metadataCalls ?? (IReadOnlyList<MetadataCall>)[];

    /// <summary>Records the call at token <paramref name="i"/> (a name followed by <c>(</c>) when it is one of the
    /// look-ups, with literal arguments.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private void MetadataCallAt(int i, int a, int b, ImportContext ctx)
    {
        var w = T(i);
        bool byName = w is "distribution" or "version" or "metadata";
        if (!byName && w is not "entry_points")
            return;
        bool qualified = false;
        if (i > a && IsOp(i - 1, '.'))
        {
            if (!(i - 2 >= a && (IsName(i - 2, "metadata") || IsName(i - 2, "importlib_metadata"))))
                return; // self.version(...), pkg_resources.get_distribution: not importlib.metadata
            qualified = true;
        }
        else if (i > 0 && (IsName(i - 1, "def") || IsName(i - 1, "class")))
        {
            return; // a header's range starts after its keyword
        }
        int close = MatchingClose(i + 1, b);
        string? name = null, group = null;
        int start = i + 2, depth = 0;
        for (int k = start; k <= close; k++)
        {
            if (k < close)
            {
                depth += BracketDelta(k);
                if (depth != 0 || !IsOp(k, ','))
                    continue;
            }
            if (k > start)
            {
                if (_buf[start].Kind == TokenKind.Name && IsOp(start + 1, '='))
                {
                    var key = T(start);
                    if (key is "name" or "distribution_name")
                        name = StringLiteral(start + 2, k);
                    else if (key is "group")
                        group = StringLiteral(start + 2, k);
                }
                else if (start == i + 2 && byName)
                {
                    name = StringLiteral(start, k);
                }
            }
            start = k + 1;
        }
        if (byName ? name is null : group is null)
            return;
        // distribution("x").entry_points: the program is about to be loaded through the distribution's entry points
        var function = w is "distribution" && IsOp(close + 1, '.') && IsName(close + 2, "entry_points") ? "distribution().entry_points" : w.ToString();
        (_metadataCalls ??= []).Add(new MetadataCall(function, name, group, qualified, ctx, _buf[i].Line));
    }
}
