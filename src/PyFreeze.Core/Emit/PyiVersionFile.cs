using System.Globalization;
using System.Text;
using PyFreeze.Analyze;
using PyFreeze.Analyze.Scanning;
using PyFreeze.Diagnostics;

namespace PyFreeze.Emit;

/// <summary>
/// The contents of a version resource (VS_VERSIONINFO, "VERSIONINFO resource" and "VS_FIXEDFILEINFO structure" in
/// Microsoft's Win32 documentation) as a version file describes it: the fixed file info's numbers, string tables and
/// translations.
/// </summary>
public sealed record VersionResourceData
{
    /// <summary>VS_FIXEDFILEINFO's file version: four numbers of 0–65535 (<c>filevers</c>).</summary>
    public required ushort[] FileVersion { get; init; }

    /// <summary>VS_FIXEDFILEINFO's product version: four numbers of 0–65535 (<c>prodvers</c>).</summary>
    public required ushort[] ProductVersion { get; init; }

    /// <summary>dwFileFlagsMask (<c>mask</c>; default 0x3F).</summary>
    public uint FileFlagsMask { get; init; } = 0x3F;

    /// <summary>dwFileFlags (<c>flags</c>: VS_FF_DEBUG, VS_FF_PRERELEASE, …).</summary>
    public uint FileFlags { get; init; }

    /// <summary>dwFileOS (<c>OS</c>; default 0x40004, VOS_NT_WINDOWS32).</summary>
    public uint FileOS { get; init; } = 0x40004;

    /// <summary>dwFileType (<c>fileType</c>; default 1, VFT_APP).</summary>
    public uint FileType { get; init; } = 1;

    /// <summary>dwFileSubtype (<c>subtype</c>).</summary>
    public uint FileSubtype { get; init; }

    /// <summary>dwFileDateMS and dwFileDateLS (<c>date=(MS, LS)</c>).</summary>
    public (uint MostSignificant, uint LeastSignificant) FileDate { get; init; }

    /// <summary>The StringFileInfo's string tables, in file order (often one, <c>040904B0</c>).</summary>
    public IReadOnlyList<VersionStringTable> StringTables { get; init; } = [];

    /// <summary>VarFileInfo's Translation: language and code page pairs, flattened (e.g. 1033, 1200), or empty.</summary>
    public IReadOnlyList<ushort> Translation { get; init; } = [];
}

/// <summary>One StringTable of a StringFileInfo: its key (8 hex digits: language then code page, e.g. <c>040904B0</c>
/// for en-US, Unicode) and its name–value pairs in file order.</summary>
/// <param name="Key">The table's key, upper-case hex.</param>
/// <param name="Strings">The StringStruct pairs (CompanyName, FileDescription, …; any name is allowed).</param>
public sealed record VersionStringTable(string Key, IReadOnlyList<KeyValuePair<string, string>> Strings);

/// <summary>
/// PyInstaller's version file: the Python expression <c>pyi-grab_version</c> writes and <c>pyi-set_version</c> and
/// <c>--version-file</c> read (PyInstaller's <c>PyInstaller/utils/win32/versioninfo.py</c>),
/// <code>
/// VSVersionInfo(ffi=FixedFileInfo(filevers=(1, 2, 3, 4), prodvers=(1, 2, 3, 4), mask=0x3f, flags=0x0, OS=0x40004,
///   fileType=0x1, subtype=0x0, date=(0, 0)),
///   kids=[StringFileInfo([StringTable(u'040904B0', [StringStruct(u'CompanyName', u'Acme'), …])]),
///         VarFileInfo([VarStruct(u'Translation', [1033, 1200])])])
/// </code>
/// read <b>without running Python</b>: only the literal subset is accepted (calls of those seven names with positional
/// and keyword arguments, tuples, lists, integers in decimal, hex, octal or binary, strings with <c>u</c>/<c>r</c>
/// prefixes, either quote, triple quotes and escapes, adjacent strings joined, <c>#</c> comments, trailing commas).
/// </summary>
public static class PyiVersionFile
{
    /// <summary>True when <paramref name="text"/>, after comments and blank space, starts with <c>VSVersionInfo</c>.</summary>
    public static bool IsVsVersionInfo(string text) =>
        Significant(PythonTokenizer.Tokenize(text)).FirstOrDefault() is { Kind: TokenKind.Name } first
        && first.Text(text).SequenceEqual("VSVersionInfo");

    /// <summary>The tokens an expression is made of: no comments, no line structure (the file is one expression).</summary>
    private static IEnumerable<Token> Significant(List<Token> tokens) =>
        tokens.Where(t => t.Kind is not (TokenKind.Comment or TokenKind.Nl or TokenKind.Newline or TokenKind.Indent or TokenKind.Dedent));

    /// <summary>Parses a version file.</summary>
    /// <param name="text">The file's text.</param>
    /// <param name="path">The file's path, named in errors.</param>
    /// <returns>The version resource it describes.</returns>
    /// <exception cref="PyFreezeException">Exit code 2, one line: <c>--version-file PATH: line N: what is wrong</c>
    /// (syntax outside the literal subset, an unknown call or argument, a value of the wrong kind or range).</exception>
    public static VersionResourceData Parse(string text, string path)
    {
        var parser = new Parser(text, path);
        var root = parser.ParseExpression();
        parser.ExpectEnd();
        return Map(root, path);
    }

    // ---- the literal subset of Python ----

    private abstract record Node(int Line);

    private sealed record IntNode(int Line, long Value) : Node(Line);

    private sealed record StrNode(int Line, string Value) : Node(Line);

    private sealed record SeqNode(int Line, List<Node> Items, bool IsList) : Node(Line);

    private sealed record NoneNode(int Line) : Node(Line);

    private sealed record CallNode(int Line, string Name, List<Node> Args, List<(string Name, Node Value, int Line)> Keywords) : Node(Line);

    private static PyFreezeException Error(string path, int line, string what) =>
        new($"--version-file {path}: line {line}: {what}", 2);

    /// <summary>A recursive-descent reader of the literal subset over <see cref="PythonTokenizer"/>'s tokens (the
    /// scanner's tokenizer: comments, line continuations, brackets across lines and string extents as CPython has
    /// them); string values are decoded by <see cref="PythonLiteral"/>.</summary>
    private sealed class Parser
    {
        private readonly string _text;
        private readonly string _path;
        private readonly List<ScanProblem> _problems = [];
        private readonly List<Token> _tokens;
        private int _i;

        public Parser(string text, string path)
        {
            _text = text;
            _path = path;
            _tokens = [.. Significant(PythonTokenizer.Tokenize(text, _problems))];
        }

        private Token Current => _tokens[_i];

        private ReadOnlySpan<char> Text(Token t) => t.Text(_text);

        private bool IsOp(string op) => Current.Kind == TokenKind.Op && Text(Current).SequenceEqual(op);

        private bool IsOpAt(int i, string op) => i < _tokens.Count && _tokens[i].Kind == TokenKind.Op && Text(_tokens[i]).SequenceEqual(op);

        private PyFreezeException Fail(string what) => Error(_path, Current.Line, what);

        private string Describe() => Current.Kind == TokenKind.EndMarker
            ? "the end of the file"
            : $"'{(Current.Length > 20 ? Text(Current)[..20] : Text(Current))}'";

        private void Expect(string op)
        {
            if (!IsOp(op))
                throw Fail($"expected '{op}' but found {Describe()}");
            _i++;
        }

        public void ExpectEnd()
        {
            if (Current.Kind != TokenKind.EndMarker)
                throw Fail($"unexpected {Describe()} after the VSVersionInfo(...) expression");
        }

        public Node ParseExpression()
        {
            var t = Current;
            if (IsOp("(") || IsOp("["))
                return ParseSequence();
            if (IsOp("-") || IsOp("+") || t.Kind == TokenKind.Number)
                return ParseInt();
            if (t.Kind == TokenKind.String)
                return ParseStrings();
            if (t.Kind == TokenKind.Name)
            {
                var name = Text(t).ToString();
                _i++;
                if (name == "None")
                    return new NoneNode(t.Line);
                if (name is "True" or "False")
                    return new IntNode(t.Line, name == "True" ? 1 : 0);
                if (!IsOp("("))
                    throw Error(_path, t.Line, $"'{name}' is not a literal (only calls, tuples, lists, numbers and strings are read; the file is not run)");
                return ParseCall(name, t.Line);
            }
            throw Fail($"expected a value but found {Describe()}");
        }

        private Node ParseCall(string name, int line)
        {
            Expect("(");
            var args = new List<Node>();
            var keywords = new List<(string, Node, int)>();
            while (!IsOp(")"))
            {
                int argLine = Current.Line;
                if (Current.Kind == TokenKind.Name && IsOpAt(_i + 1, "="))
                {
                    var key = Text(Current).ToString();
                    _i += 2;
                    if (keywords.Any(k => k.Item1 == key))
                        throw Error(_path, argLine, $"{name}() has the keyword argument {key} twice");
                    keywords.Add((key, ParseExpression(), argLine));
                }
                else
                {
                    if (keywords.Count > 0)
                        throw Error(_path, argLine, $"{name}(): a positional argument follows keyword arguments");
                    args.Add(ParseExpression());
                }
                if (IsOp(","))
                    _i++;
                else if (!IsOp(")"))
                    throw Fail($"expected ',' or ')' in {name}(...) but found {Describe()}");
            }
            _i++;
            return new CallNode(line, name, args, keywords);
        }

        private Node ParseSequence()
        {
            int line = Current.Line;
            var open = Text(Current)[0];
            var close = open == '(' ? ")" : "]";
            _i++;
            var items = new List<Node>();
            bool comma = false;
            while (!IsOp(close))
            {
                items.Add(ParseExpression());
                comma = false;
                if (IsOp(","))
                {
                    _i++;
                    comma = true;
                }
                else if (!IsOp(close))
                {
                    throw Fail($"expected ',' or '{close}' but found {Describe()}");
                }
            }
            _i++;
            if (open == '(' && items.Count == 1 && !comma)
                return items[0]; // (x) is x, not a tuple
            return new SeqNode(line, items, open == '[');
        }

        /// <summary>An integer with its signs: decimal, <c>0x</c>, <c>0o</c>, <c>0b</c>, underscores between digits
        /// (Python 3's integer literal, "Integer literals" in the Python reference).</summary>
        private Node ParseInt()
        {
            int line = Current.Line;
            bool negative = false;
            while (IsOp("-") || IsOp("+"))
            {
                negative ^= IsOp("-");
                _i++;
            }
            if (Current.Kind != TokenKind.Number)
                throw Fail($"expected a number but found {Describe()}");
            // the tokenizer ends 0xZZ's number at 0x: the letters that follow it belong to the bad literal
            int start = Current.Start, end = Current.End;
            for (_i++; Current.Start == end && Current.Kind is TokenKind.Name or TokenKind.Number; _i++)
                end = Current.End;
            var literal = _text[start..end];
            var digits = literal.Replace("_", "", StringComparison.Ordinal);
            int radix = 10;
            if (digits.Length > 1 && digits[0] == '0' && char.IsAsciiLetter(digits[1]))
            {
                radix = char.ToLowerInvariant(digits[1]) switch { 'x' => 16, 'o' => 8, 'b' => 2, _ => 0 };
                digits = digits[2..];
            }
            else if (digits.Length > 1 && digits[0] == '0' && digits.Any(ch => ch != '0'))
            {
                radix = 0; // 0123 is a syntax error in Python 3
            }
            long value = 0;
            bool ok = radix != 0 && digits.Length > 0 && !literal.EndsWith('_') && !literal.Contains("__", StringComparison.Ordinal);
            foreach (var ch in digits)
            {
                int d = char.IsAsciiDigit(ch) ? ch - '0' : char.IsAsciiLetter(ch) ? char.ToLowerInvariant(ch) - 'a' + 10 : 99;
                if (!ok || d >= radix || value > (long.MaxValue - d) / radix)
                {
                    ok = false;
                    break;
                }
                value = value * radix + d;
            }
            if (!ok)
                throw Error(_path, line, $"'{literal}' is not an integer (decimal, 0x hex, 0o octal or 0b binary)");
            return new IntNode(line, negative ? -value : value);
        }

        /// <summary>Adjacent string literals, joined (<c>u'a' 'b'</c>); <c>u</c> and <c>r</c> prefixes only.</summary>
        private Node ParseStrings()
        {
            int line = Current.Line;
            var sb = new StringBuilder();
            while (Current.Kind == TokenKind.String)
            {
                var t = Current;
                if (_problems.FirstOrDefault(p => p.Line == t.Line && p.Message.StartsWith("unterminated", StringComparison.Ordinal)) is { } open)
                    throw Error(_path, t.Line, $"a string is not closed ({open.Message})");
                var literal = Text(t);
                if (literal[..literal.IndexOfAny('\'', '"')].ContainsAny("bB"))
                    throw Error(_path, t.Line, $"{Describe()} is a bytes literal; the version file's values are strings");
                var value = PythonLiteral.Decode(literal);
                if (value.Error is not null)
                    throw Error(_path, t.Line, value.Error == PythonLiteral.NeedsNameDatabase ? "\\N{...} escapes are not supported; write the character itself" : value.Error);
                sb.Append(value.Text);
                _i++;
            }
            return new StrNode(line, sb.ToString());
        }
    }

    // ---- the meaning of PyInstaller's classes ----

    private sealed class Args
    {
        private readonly CallNode _call;
        private readonly string _path;
        private readonly Dictionary<string, Node> _values = new(StringComparer.Ordinal);

        public Args(CallNode call, string path, params string[] names)
        {
            _call = call;
            _path = path;
            if (call.Args.Count > names.Length)
                throw Error(path, call.Line, $"{call.Name}() takes at most {names.Length} arguments ({string.Join(", ", names)}), not {call.Args.Count}");
            for (int i = 0; i < call.Args.Count; i++)
                _values[names[i]] = call.Args[i];
            foreach (var (name, value, line) in call.Keywords)
            {
                if (!names.Contains(name))
                    throw Error(path, line, $"{call.Name}() has no argument {name}; it takes {string.Join(", ", names)}");
                if (!_values.TryAdd(name, value))
                    throw Error(path, line, $"{call.Name}() is given {name} twice");
            }
        }

        public Node? Get(string name) => _values.TryGetValue(name, out var v) && v is not NoneNode ? v : null;

        public Node Require(string name) => Get(name) ?? throw Error(_path, _call.Line, $"{_call.Name}() needs its {name} argument");
    }

    private static CallNode Call(Node node, string path, string where, params string[] names)
    {
        if (node is CallNode call && names.Contains(call.Name))
            return call;
        var found = node is CallNode other ? other.Name + "(...)" : Kind(node);
        throw Error(path, node.Line, $"{where} must be {string.Join(" or ", names.Select(n => n + "(...)"))}, not {found}");
    }

    private static string Kind(Node node) => node switch
    {
        IntNode => "a number",
        StrNode => "a string",
        SeqNode { IsList: true } => "a list",
        SeqNode => "a tuple",
        NoneNode => "None",
        CallNode c => c.Name + "(...)",
        _ => "a value",
    };

    private static List<Node> Sequence(Node node, string path, string what) =>
        node is SeqNode seq ? seq.Items : throw Error(path, node.Line, $"{what} must be a list or tuple, not {Kind(node)}");

    private static string Str(Node node, string path, string what) =>
        node is StrNode s ? s.Value : throw Error(path, node.Line, $"{what} must be a string, not {Kind(node)}");

    private static long Int(Node node, string path, string what, long max)
    {
        if (node is not IntNode i)
            throw Error(path, node.Line, $"{what} must be a number, not {Kind(node)}");
        if (i.Value < 0 || i.Value > max)
            throw Error(path, node.Line, $"{what} is {i.Value}; it must be 0 to {max} (0x{max:X})");
        return i.Value;
    }

    private static VersionResourceData Map(Node root, string path)
    {
        var info = new Args(Call(root, path, "the file", "VSVersionInfo"), path, "ffi", "kids");
        ushort[] fileVersion = [0, 0, 0, 0], productVersion = [0, 0, 0, 0];
        uint mask = 0x3F, flags = 0, os = 0x40004, type = 1, subtype = 0;
        (uint, uint) date = (0, 0);
        if (info.Get("ffi") is { } ffiNode)
        {
            var ffi = new Args(Call(ffiNode, path, "ffi", "FixedFileInfo"), path, "filevers", "prodvers", "mask", "flags", "OS", "fileType", "subtype", "date");
            ushort[] Version(string name)
            {
                var numbers = new ushort[4];
                if (ffi.Get(name) is not { } node)
                    return numbers;
                var items = Sequence(node, path, name);
                if (items.Count is < 1 or > 4)
                    throw Error(path, node.Line, $"{name} must hold 1 to 4 numbers, e.g. (1, 2, 3, 4), not {items.Count}");
                for (int i = 0; i < items.Count; i++)
                    numbers[i] = (ushort)Int(items[i], path, $"{name}[{i}]", ushort.MaxValue);
                return numbers;
            }
            uint Dword(string name, uint fallback) => ffi.Get(name) is { } n ? (uint)Int(n, path, name, uint.MaxValue) : fallback;
            fileVersion = Version("filevers");
            productVersion = Version("prodvers");
            mask = Dword("mask", mask);
            flags = Dword("flags", flags);
            os = Dword("OS", os);
            type = Dword("fileType", type);
            subtype = Dword("subtype", subtype);
            if (ffi.Get("date") is { } dateNode)
            {
                var parts = Sequence(dateNode, path, "date");
                if (parts.Count != 2)
                    throw Error(path, dateNode.Line, $"date must be a pair (MS, LS), e.g. (0, 0), not {parts.Count} numbers");
                date = ((uint)Int(parts[0], path, "date[0]", uint.MaxValue), (uint)Int(parts[1], path, "date[1]", uint.MaxValue));
            }
        }

        var tables = new List<VersionStringTable>();
        var translation = new List<ushort>();
        if (info.Get("kids") is { } kidsNode)
        {
            foreach (var kid in Sequence(kidsNode, path, "kids"))
            {
                var call = Call(kid, path, "each of kids", "StringFileInfo", "VarFileInfo");
                var args = new Args(call, path, "kids");
                var children = args.Get("kids") is { } k ? Sequence(k, path, call.Name + "'s kids") : [];
                if (call.Name == "StringFileInfo")
                {
                    foreach (var tableNode in children)
                        tables.Add(StringTable(Call(tableNode, path, "each of StringFileInfo's kids", "StringTable"), path, tables));
                }
                else
                {
                    foreach (var varNode in children)
                    {
                        var v = new Args(Call(varNode, path, "each of VarFileInfo's kids", "VarStruct"), path, "name", "kids");
                        var name = Str(v.Require("name"), path, "VarStruct's name");
                        if (name != "Translation")
                            throw Error(path, varNode.Line, $"VarStruct '{name}': the only VarFileInfo entry Windows defines is 'Translation'");
                        var values = Sequence(v.Require("kids"), path, "Translation");
                        if (values.Count == 0 || values.Count % 2 != 0)
                            throw Error(path, varNode.Line, "Translation must hold language and code page pairs, e.g. [1033, 1200]");
                        translation.AddRange(values.Select(x => (ushort)Int(x, path, "a Translation number", ushort.MaxValue)));
                    }
                }
            }
        }
        return new VersionResourceData
        {
            FileVersion = fileVersion,
            ProductVersion = productVersion,
            FileFlagsMask = mask,
            FileFlags = flags,
            FileOS = os,
            FileType = type,
            FileSubtype = subtype,
            FileDate = date,
            StringTables = tables,
            Translation = translation,
        };
    }

    private static VersionStringTable StringTable(CallNode call, string path, List<VersionStringTable> earlier)
    {
        var args = new Args(call, path, "name", "kids");
        var keyNode = args.Require("name");
        var key = Str(keyNode, path, "StringTable's name");
        if (key.Length != 8 || !uint.TryParse(key, NumberStyles.AllowHexSpecifier, CultureInfo.InvariantCulture, out _))
            throw Error(path, keyNode.Line, $"StringTable '{key}': its name must be 8 hex digits, language then code page, e.g. '040904B0'");
        key = key.ToUpperInvariant();
        if (earlier.Any(t => t.Key == key))
            throw Error(path, keyNode.Line, $"StringTable '{key}' appears twice");
        var strings = new List<KeyValuePair<string, string>>();
        foreach (var item in args.Get("kids") is { } kids ? Sequence(kids, path, "StringTable's kids") : [])
        {
            var s = new Args(Call(item, path, "each of StringTable's kids", "StringStruct"), path, "name", "val");
            var nameNode = s.Require("name");
            var name = Str(nameNode, path, "StringStruct's name");
            if (name.Length == 0 || name.Contains('\0'))
                throw Error(path, nameNode.Line, "a StringStruct's name must be a non-empty string without NUL");
            if (strings.Any(p => p.Key == name))
                throw Error(path, nameNode.Line, $"StringStruct '{name}' appears twice in StringTable '{key}'");
            var value = s.Get("val") is { } v ? Str(v, path, $"StringStruct '{name}''s value") : "";
            if (value.Contains('\0'))
                throw Error(path, nameNode.Line, $"StringStruct '{name}''s value holds a NUL character");
            strings.Add(new(name, value));
        }
        return new VersionStringTable(key, strings);
    }
}
