using System.Buffers;

namespace PyFreeze.Analyze.Scanning;

/// <summary>
/// Finds the imports of one Python source file with a real tokenizer (no Python process).
/// </summary>
/// <remarks>
/// <para>Reports <c>import</c> and <c>from … import</c> statements, and calls with literal arguments to
/// <c>importlib.import_module</c>/<c>import_module</c> and <c>__import__</c>/<c>importlib.__import__</c>/<c>builtins.__import__</c>
/// (<see cref="ImportStatement.IsDynamic"/>). Each gets the <see cref="ImportContext"/> of the block it sits in:</para>
/// <list type="bullet">
/// <item><see cref="ImportContext.Deferred"/>: in the body of a <c>def</c>/<c>async def</c> (class bodies are not).</item>
/// <item><see cref="ImportContext.Optional"/>: in the body of a <c>try</c> with a handler catching ImportError,
/// ModuleNotFoundError, Exception or BaseException (alone or in a tuple, <c>except*</c> too) or a bare <c>except:</c>;
/// or in <c>with suppress(…)</c>/<c>with contextlib.suppress(…)</c> naming one of those. The handlers, <c>else</c> and
/// <c>finally</c> of such a try are not optional: they are the fallback.</item>
/// <item><see cref="ImportContext.Conditional"/>: in an <c>if</c>/<c>elif</c>/<c>else</c> branch or a <c>match</c> case.</item>
/// <item><see cref="ImportContext.TypeChecking"/> (with Conditional): in the body of <c>if TYPE_CHECKING:</c> or
/// <c>if X.TYPE_CHECKING:</c>, and in the <c>elif</c>/<c>else</c> branches of <c>if not TYPE_CHECKING:</c>.</item>
/// </list>
/// <para><see cref="ImportStatement.Condition"/> is the innermost enclosing test with whitespace collapsed and comments
/// dropped: <c>sys.platform == "win32"</c>; <c>not (test)</c> for an <c>else</c> (of the last <c>if</c>/<c>elif</c> test);
/// <c>match subject: case pattern</c> in a match case.</para>
/// <para>A dynamic <c>import_module(".sub", __package__)</c> (or <c>__name__</c>, <c>__spec__.parent</c>,
/// <c>package=</c>) is reported like a relative import statement (Level = number of dots); with a literal package,
/// <c>import_module("..b", "pkg.a")</c>, the name is resolved as <c>importlib._bootstrap._resolve_name</c> does
/// (<c>pkg.b</c>, Level 0). <c>__import__(name, globals, locals, fromlist, level)</c> takes a literal fromlist as
/// <see cref="ImportStatement.Names"/> and a literal level. Calls with any other argument form are ignored.</para>
/// <para><see cref="ScanResult.DunderAll"/> follows module-level (outside def/class) <c>__all__ = […]</c>,
/// <c>(…)</c>, <c>__all__: list[str] = …</c>, <c>+</c> of such lists, <c>+=</c>, <c>.extend</c>, <c>.append</c>,
/// <c>.insert</c> and <c>.remove</c> with string literals; any other assignment or mutation makes it null.</para>
/// <para><see cref="ScanResult.ModuleAssignments"/> lists <c>X.modules["a.b"] = name</c> statements (a string literal key,
/// a dotted name as the value), anywhere in the file.</para>
/// <para>Never throws; stateless and thread-safe.</para>
/// </remarks>
public static class ImportScanner
{
    /// <summary>Scans raw source bytes (any PEP 263 encoding, optional UTF-8 BOM).</summary>
    /// <param name="source">The file's bytes.</param>
    /// <returns>Imports in source order, tokenizer problems, the literal <c>__all__</c>.</returns>
    public static ScanResult Scan(ReadOnlySpan<byte> source)
    {
        var problems = new List<ScanProblem>();
        char[] buffer = PythonSourceDecoder.DecodeToBuffer(source, out int length, out string encoding, problems);
        try
        {
            return ScanCore(buffer.AsSpan(0, length), encoding, problems);
        }
        finally
        {
            ArrayPool<char>.Shared.Return(buffer);
        }
    }

    /// <summary>Scans source that is already text (no decoding step; <see cref="ScanResult.Encoding"/> is "utf-8").</summary>
    /// <param name="source">The source text.</param>
    /// <returns>Imports in source order, tokenizer problems, the literal <c>__all__</c>.</returns>
    public static ScanResult ScanText(ReadOnlySpan<char> source) => ScanCore(source, "utf-8", new List<ScanProblem>());

    private static ScanResult ScanCore(ReadOnlySpan<char> text, string encoding, List<ScanProblem> problems)
    {
        var state = new ScanState(text, problems);
        state.Run();
        return new ScanResult
        {
            Imports = state.BuildImports(),
            Problems = problems,
            DunderAll = state.DunderAll,
            ModuleAssignments = state.ModuleAssignments,
            MetadataCalls = state.MetadataCalls,
            Encoding = encoding,
        };
    }
}
