namespace PyFreeze.Analyze;

/// <summary>
/// Where an import statement sits, which decides how much its failure matters. Flags combine: an import
/// inside a function inside <c>try: … except ImportError</c> is <see cref="Deferred"/> | <see cref="Optional"/>.
/// </summary>
[Flags]
public enum ImportContext
{
    /// <summary>Runs when the module is imported, unconditionally (module level, class bodies, with/for/while bodies).</summary>
    TopLevel = 0,

    /// <summary>Inside a function or method body: runs only when called.</summary>
    Deferred = 1,

    /// <summary>Inside the body of a <c>try</c> whose handlers catch ImportError (or ModuleNotFoundError, Exception,
    /// BaseException, a bare except), or inside <c>with contextlib.suppress(ImportError)</c>: the code copes with absence.</summary>
    Optional = 2,

    /// <summary>Inside an <c>if</c>/<c>elif</c>/<c>else</c> branch (or a <c>match</c> case): runs only on some condition.</summary>
    Conditional = 4,

    /// <summary>Inside <c>if TYPE_CHECKING:</c> / <c>if typing.TYPE_CHECKING:</c>: never runs.</summary>
    TypeChecking = 8,
}

/// <summary>
/// One import found in a source file: an <c>import</c> or <c>from … import</c> statement, or a call with
/// literal arguments to <c>importlib.import_module</c>, <c>import_module</c> or <c>__import__</c>.
/// </summary>
/// <param name="Module">Dotted module name without leading dots: <c>a.b</c> for <c>import a.b</c> and
/// <c>from a.b import c</c>; empty for <c>from . import x</c>.</param>
/// <param name="Level">Leading dots of a relative import (0 = absolute; <c>from ..x import y</c> is 2).</param>
/// <param name="Names">For <c>from … import</c>: the imported names in order, <c>*</c> for a star import;
/// empty for a plain <c>import</c>. For a dynamic <c>__import__("a", fromlist=[...])</c>: the literal fromlist.</param>
/// <param name="Context">Where the statement sits (flags).</param>
/// <param name="Line">1-based line of the statement's first token.</param>
/// <param name="IsDynamic">True for an <c>import_module</c>/<c>__import__</c> call rather than a statement.</param>
/// <param name="Condition">Source text of the innermost enclosing <c>if</c>/<c>elif</c> test, <c>not (…)</c> for an
/// <c>else</c> branch; null outside conditionals. Lets the report say why a conditional import may not run
/// (<c>sys.platform == "win32"</c>).</param>
public sealed record ImportStatement(
    string Module,
    int Level,
    IReadOnlyList<string> Names,
    ImportContext Context,
    int Line,
    bool IsDynamic = false,
    string? Condition = null);

/// <summary>A place in a source file that could not be tokenized; the scan continues after it.</summary>
/// <param name="Line">1-based line.</param>
/// <param name="Column">1-based column.</param>
/// <param name="Message">What is wrong, e.g. "unterminated triple-quoted string".</param>
public sealed record ScanProblem(int Line, int Column, string Message);

/// <summary>A module put in <c>sys.modules</c> by name: <c>sys.modules["collections.abc"] = _collections_abc</c>.</summary>
/// <param name="Name">The literal key: the name importing it by will find.</param>
/// <param name="Value">The (dotted) name assigned, as written (<c>_collections_abc</c>).</param>
/// <param name="Line">1-based line of the statement.</param>
public sealed record ModuleAssignment(string Name, string Value, int Line);

/// <summary>An <c>importlib.metadata</c> look-up with literal names: the program it reads metadata of (and, through entry
/// points, loads modules of) is known from the source.</summary>
/// <param name="Function"><c>distribution</c>, <c>distribution().entry_points</c> (the distribution's entry points are
/// read: the program is loaded through them), <c>version</c>, <c>metadata</c> or <c>entry_points</c>.</param>
/// <param name="Name">The distribution name (the first argument) or, for <c>entry_points</c>, the <c>name=</c> keyword; null when absent.</param>
/// <param name="Group">For <c>entry_points</c>: the <c>group=</c> keyword.</param>
/// <param name="Qualified">True when written <c>metadata.f(…)</c> or <c>importlib_metadata.f(…)</c>; false for a bare call,
/// which counts only when the file imports the function from <c>importlib.metadata</c>.</param>
/// <param name="Context">Where the call sits.</param>
/// <param name="Line">1-based line.</param>
public sealed record MetadataCall(string Function, string? Name, string? Group, bool Qualified, ImportContext Context, int Line);

/// <summary>Everything the import scanner learned from one source file.</summary>
public sealed class ScanResult
{
    /// <summary>The imports, in source order.</summary>
    public required IReadOnlyList<ImportStatement> Imports { get; init; }

    /// <summary>Tokenizer problems (file:line is the caller's to add). Empty for a clean file.</summary>
    public IReadOnlyList<ScanProblem> Problems { get; init; } = [];

    /// <summary>The literal module-level <c>__all__</c> (list/tuple of strings, with <c>+=</c> extensions), or null
    /// when absent or not literal. A star import of a package imports these names as submodules when they are.</summary>
    public IReadOnlyList<string>? DunderAll { get; init; }

    /// <summary>Modules the file installs in <c>sys.modules</c> under a literal name (<c>sys.modules["a.b"] = name</c>), in
    /// source order.</summary>
    public IReadOnlyList<ModuleAssignment> ModuleAssignments { get; init; } = [];

    /// <summary><c>importlib.metadata</c> look-ups with literal names, in source order.</summary>
    public IReadOnlyList<MetadataCall> MetadataCalls { get; init; } = [];

    /// <summary>The source encoding used (PEP 263 declaration, BOM, or utf-8 by default).</summary>
    public string Encoding { get; init; } = "utf-8";
}
