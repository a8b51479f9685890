using System.Diagnostics;
using System.Text;
using System.Text.Json;
using PyFreeze.Analyze;

namespace PyFreeze.Tests.Analyze.Scanning;

/// <summary>
/// Runs real CPython to get reference answers: an <c>ast</c>-based import finder applying the same context rules
/// as the scanner, and <c>tokenize</c> of Python 3.12+ for the token stream.
/// </summary>
internal static class PythonReference
{
    /// <summary>The system Python used for the ast reference (3.11 on Debian 12, the root's python3 inside a root); null if absent.</summary>
    public static string? SystemPython { get; } = FindSystemPython();

    /// <summary>A Python 3.12+ (PEP 701 tokenizer) for token comparisons; null if none is installed.</summary>
    public static string? Python312 { get; } = FindPython312();

    private static string? FindSystemPython()
    {
        foreach (var p in new[] { "/usr/bin/python3", "/usr/local/bin/python3" })
            if (File.Exists(p) && Works(p, 11))
                return p;
        return null;
    }

    private static string? FindPython312()
    {
        var candidates = new List<string>();
        foreach (var dir in (Environment.GetEnvironmentVariable("PATH") ?? "").Split(':', StringSplitOptions.RemoveEmptyEntries))
            foreach (var v in new[] { "3.14", "3.13", "3.12" })
                candidates.Add(Path.Combine(dir, "python" + v));
        string pyenv = Environment.GetEnvironmentVariable("PYENV_ROOT")
                       ?? Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".pyenv");
        if (Directory.Exists(Path.Combine(pyenv, "versions")))
            foreach (var d in Directory.GetDirectories(Path.Combine(pyenv, "versions")).OrderDescending())
                candidates.Add(Path.Combine(d, "bin", "python3"));
        return candidates.FirstOrDefault(c => File.Exists(c) && Works(c, 12));
    }

    private static bool Works(string python, int minMinor)
    {
        try
        {
            var (code, output) = Run(python, ["-c", "import sys; print(sys.version_info[1])"], null);
            return code == 0 && int.TryParse(output.Trim(), out int minor) && minor >= minMinor;
        }
        catch (Exception)
        {
            return false;
        }
    }

    public static (int Code, string Output) Run(string python, string[] args, string? stdin)
    {
        var psi = new ProcessStartInfo(python)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = stdin is not null,
            UseShellExecute = false,
            StandardOutputEncoding = Encoding.UTF8,
        };
        foreach (var a in args)
            psi.ArgumentList.Add(a);
        psi.Environment["PYTHONIOENCODING"] = "utf-8";
        psi.Environment["PYTHONDONTWRITEBYTECODE"] = "1";
        psi.Environment.Remove("PYENV_VERSION");
        using var p = Process.Start(psi)!;
        var errTask = p.StandardError.ReadToEndAsync();
        if (stdin is not null)
        {
            p.StandardInput.Write(stdin);
            p.StandardInput.Close();
        }
        string output = p.StandardOutput.ReadToEnd();
        p.WaitForExit();
        string err = errTask.Result;
        return (p.ExitCode, p.ExitCode == 0 ? output : output + err);
    }

    public static string WriteScript(string name, string text)
    {
        string path = Path.Combine(Path.GetTempPath(), $"pyfreeze-scan-{Environment.ProcessId}-{name}");
        File.WriteAllText(path, text);
        return path;
    }

    /// <summary>One import as the reference reports it.</summary>
    public sealed record RefImport(string Module, int Level, string[] Names, int Context, int Line, bool Dynamic, string? Condition)
    {
        public static RefImport From(ImportStatement s) =>
            new(s.Module, s.Level, s.Names.ToArray(), (int)s.Context, s.Line, s.IsDynamic, s.Condition);

        public string Key => $"{Line}:{(Dynamic ? "dyn " : "")}{new string('.', Level)}{Module} [{string.Join(",", Names)}] ctx={Context} cond={Condition}";
    }

    public sealed record RefFile(string Path, string? Error, List<RefImport> Imports, List<string>? All);

    /// <summary>Runs the ast reference over <paramref name="files"/> with <paramref name="python"/>.</summary>
    public static Dictionary<string, RefFile> AstImports(string python, IReadOnlyList<string> files)
    {
        string script = WriteScript("astref.py", AstScript);
        var (code, output) = Run(python, [script], string.Join('\n', files));
        File.Delete(script);
        if (code != 0)
            throw new InvalidOperationException("ast reference failed: " + output);
        var result = new Dictionary<string, RefFile>();
        foreach (var line in output.Split('\n', StringSplitOptions.RemoveEmptyEntries))
        {
            using var doc = JsonDocument.Parse(line);
            var root = doc.RootElement;
            string path = root.GetProperty("path").GetString()!;
            string? error = root.TryGetProperty("error", out var e) ? e.GetString() : null;
            var imports = new List<RefImport>();
            List<string>? all = null;
            if (error is null)
            {
                foreach (var i in root.GetProperty("imports").EnumerateArray())
                {
                    imports.Add(new RefImport(
                        i[0].GetString()!, i[1].GetInt32(), i[2].EnumerateArray().Select(x => x.GetString()!).ToArray(),
                        i[3].GetInt32(), i[4].GetInt32(), i[5].GetBoolean(), i[6].ValueKind == JsonValueKind.Null ? null : i[6].GetString()));
                }
                var a = root.GetProperty("all");
                if (a.ValueKind == JsonValueKind.Array)
                    all = a.EnumerateArray().Select(x => x.GetString()!).ToList();
            }
            result[path] = new RefFile(path, error, imports, all);
        }
        return result;
    }

    /// <summary>
    /// The reference: walks the ast with the scanner's documented rules (ImportScanner remarks) and prints one JSON
    /// object per file. Dynamic calls inside f-strings are skipped (the scanner treats f-strings as opaque).
    /// </summary>
    public const string AstScript = """
import ast, io, json, sys, tokenize, types

DEFERRED, OPTIONAL, CONDITIONAL, TYPECHECKING = 1, 2, 4, 8
CATCH = {"ImportError", "ModuleNotFoundError", "Exception", "BaseException"}
SKIP = {tokenize.COMMENT, tokenize.NL, tokenize.NEWLINE, tokenize.INDENT, tokenize.DEDENT, tokenize.ENDMARKER}
# the scanner treats f-strings and t-strings (PEP 750, 3.14's ast.TemplateStr) as opaque strings
OPAQUE = (ast.JoinedStr,) + ((ast.TemplateStr,) if hasattr(ast, "TemplateStr") else ())


def normalize(seg):
    out, prev = [], None
    try:
        toks = list(tokenize.generate_tokens(io.StringIO(seg).readline))
    except Exception:
        return " ".join(seg.split())
    for t in toks:
        if t.type in SKIP or (t.type == tokenize.ERRORTOKEN and t.string.isspace()):
            continue
        if prev is not None and t.start != prev:
            out.append(" ")
        out.append(t.string)
        prev = t.end
    return "".join(out)


def segment(lines, a, b):
    # ast.get_source_segment from node a's start to node b's end, on lines split once per file
    first, last = a.lineno - 1, b.end_lineno - 1
    if first == last:
        return lines[first].encode()[a.col_offset:b.end_col_offset].decode()
    parts = [lines[first].encode()[a.col_offset:].decode()]
    parts.extend(lines[first + 1:last])
    parts.append(lines[last].encode()[:b.end_col_offset].decode())
    return "".join(parts)


def names_in(node):
    for n in ast.walk(node):
        if isinstance(n, ast.Name):
            yield n.id
        elif isinstance(n, ast.Attribute):
            yield n.attr


def catches(h):
    if h.type is None:
        return True
    t = h.type
    elts = t.elts if isinstance(t, ast.Tuple) else [t]
    for e in elts:
        for nm in names_in(e):
            if nm in CATCH:
                return True
    return False


def tc_test(test):
    sign = 1
    if isinstance(test, ast.UnaryOp) and isinstance(test.op, ast.Not):
        sign, test = -1, test.operand
    if isinstance(test, ast.Name) and test.id == "TYPE_CHECKING":
        return sign
    if isinstance(test, ast.Attribute) and test.attr == "TYPE_CHECKING":
        n = test.value
        while isinstance(n, ast.Attribute):
            n = n.value
        return sign if isinstance(n, ast.Name) else 0
    return 0


def last_name(n):
    # the name a qualifier ends with: importlib in importlib.x and in self.importlib.x
    if isinstance(n, ast.Name):
        return n.id
    if isinstance(n, ast.Attribute):
        return n.attr
    return None


def strlit(n):
    if isinstance(n, ast.Constant) and isinstance(n.value, str):
        return n.value
    return None


def strlist(n):
    if isinstance(n, (ast.List, ast.Tuple)):
        out = []
        for e in n.elts:
            s = strlit(e)
            if s is None:
                return None
            out.append(s)
        return out
    if isinstance(n, ast.BinOp) and isinstance(n.op, ast.Add):
        a, b = strlist(n.left), strlist(n.right)
        if a is None or b is None or not isinstance(n.left, (ast.List, ast.Tuple, ast.BinOp)):
            return None
        return a + b
    return None


def dotted(s):
    if not s:
        return False
    return all(p.isidentifier() for p in s.split("."))


class Finder:
    def __init__(self, src):
        self.src = src
        self.out = []
        self.all = None
        self.all_seen = False
        self.poison = False

    def add(self, *row):
        self.out.append(list(row))

    def expr(self, node, ctx, cond):
        if node is None:
            return
        todo = [node]
        while todo:
            n = todo.pop()
            if isinstance(n, OPAQUE):
                continue
            if isinstance(n, ast.Call):
                self.dyn(n, ctx, cond)
            todo.extend(ast.iter_child_nodes(n))

    def dyn(self, call, ctx, cond):
        f = call.func
        if isinstance(f, ast.Name):
            nm = f.id
        elif isinstance(f, ast.Attribute) and last_name(f.value) in ("importlib", "builtins"):
            nm = f.attr
            if last_name(f.value) == "builtins" and nm != "__import__":
                return
        else:
            return
        if nm not in ("import_module", "__import__"):
            return
        if any(isinstance(a, ast.Starred) for a in call.args) or any(k.arg is None for k in call.keywords):
            return
        kw = {k.arg: k.value for k in call.keywords}

        def arg(i, name):
            if name in kw:
                return kw[name]
            return call.args[i] if i < len(call.args) else None

        name = strlit(arg(0, "name"))
        if name is None:
            return
        line = f.end_lineno if isinstance(f, ast.Attribute) else f.lineno
        if nm == "import_module":
            dots = len(name) - len(name.lstrip("."))
            rest = name[dots:]
            if not (dots > 0 if rest == "" else dotted(rest)):
                return
            if dots == 0:
                self.add(rest, 0, [], ctx, line, True, cond)
                return
            pkg = arg(1, "package")
            if (isinstance(pkg, ast.Name) and pkg.id in ("__package__", "__name__")) or (
                    isinstance(pkg, ast.Attribute) and pkg.attr == "parent" and isinstance(pkg.value, ast.Name)
                    and pkg.value.id == "__spec__"):
                self.add(rest, dots, [], ctx, line, True, cond)
                return
            p = strlit(pkg)
            if p is None or not dotted(p):
                return
            bits = p.rsplit(".", dots - 1)
            if len(bits) < dots:
                return
            base = bits[0]
            self.add(f"{base}.{rest}" if rest else base, 0, [], ctx, line, True, cond)
            return
        if not dotted(name):
            return
        level = 0
        lv = arg(4, "level")
        if lv is not None:
            if not (isinstance(lv, ast.Constant) and type(lv.value) is int):
                return
            level = lv.value
        names = []
        fl = arg(3, "fromlist")
        if fl is not None:
            names = strlist(fl) or []
        self.add(name, level, names, ctx, line, True, cond)

    def body(self, stmts, ctx, cond, dc):
        for s in stmts:
            self.stmt(s, ctx, cond, dc)

    def stmt(self, s, ctx, cond, dc):
        if isinstance(s, ast.Import):
            for a in s.names:
                self.add(a.name, 0, [], ctx, s.lineno, False, cond)
        elif isinstance(s, ast.ImportFrom):
            self.add(s.module or "", s.level, [a.name for a in s.names], ctx, s.lineno, False, cond)
        elif isinstance(s, (ast.FunctionDef, ast.AsyncFunctionDef)):
            for d in s.decorator_list:
                self.expr(d, ctx, cond)
            self.expr(s.args, ctx, cond)
            self.expr(s.returns, ctx, cond)
            self.body(s.body, ctx | DEFERRED, cond, True)
        elif isinstance(s, ast.ClassDef):
            for d in s.decorator_list:
                self.expr(d, ctx, cond)
            for b in s.bases + s.keywords:
                self.expr(b, ctx, cond)
            self.body(s.body, ctx, cond, True)
        elif isinstance(s, ast.If):
            self.if_(s, ctx, cond, dc, None)
        elif isinstance(s, ast.Try) or type(s).__name__ == "TryStar":
            opt = any(catches(h) for h in s.handlers)
            self.body(s.body, ctx | (OPTIONAL if opt else 0), cond, dc)
            for h in s.handlers:
                self.body(h.body, ctx, cond, dc)
            self.body(s.orelse, ctx, cond, dc)
            self.body(s.finalbody, ctx, cond, dc)
        elif isinstance(s, (ast.With, ast.AsyncWith)):
            sup = False
            for item in s.items:
                self.expr(item.context_expr, ctx, cond)
                self.expr(item.optional_vars, ctx, cond)
                c = item.context_expr
                if isinstance(c, ast.Call) and ((isinstance(c.func, ast.Name) and c.func.id == "suppress") or (
                        isinstance(c.func, ast.Attribute) and c.func.attr == "suppress")):
                    if any(nm in CATCH for a in c.args for nm in names_in(a)):
                        sup = True
            self.body(s.body, ctx | (OPTIONAL if sup else 0), cond, dc)
        elif isinstance(s, (ast.For, ast.AsyncFor, ast.While)):
            for f in ("target", "iter", "test"):
                self.expr(getattr(s, f, None), ctx, cond)
            self.body(s.body, ctx, cond, dc)
            self.body(s.orelse, ctx, cond, dc)
        elif type(s).__name__ == "Match":
            self.expr(s.subject, ctx, cond)
            subj = normalize(segment(self.seglines, s.subject, s.subject))
            for c in s.cases:
                self.expr(c.guard, ctx, cond)
                pat = normalize(segment(self.seglines, c.pattern, c.guard or c.pattern))
                self.body(c.body, ctx | CONDITIONAL, f"match {subj}: case {pat}", dc)
        else:
            if not dc:
                self.dunder_all(s)
            self.expr(s, ctx, cond)

    def if_(self, s, ctx, cond, dc, chain):
        first = chain is None
        tc = tc_test(s.test)
        if first:
            chain = tc < 0
            self.expr(s.test, ctx, cond)
        text = normalize(segment(self.seglines, s.test, s.test))
        bctx = ctx | CONDITIONAL | (TYPECHECKING if tc > 0 or (not first and chain) else 0)
        self.body(s.body, bctx, text, dc)
        if not s.orelse:
            return
        o = s.orelse[0]
        if len(s.orelse) == 1 and isinstance(o, ast.If) and self.src_line(o).startswith("elif", o.col_offset):
            self.expr(o.test, ctx, cond)
            self.if_(o, ctx, cond, dc, chain)
        else:
            self.body(s.orelse, ctx | CONDITIONAL | (TYPECHECKING if chain else 0), f"not ({text})", dc)

    def src_line(self, node):
        return self.lines[node.lineno - 1]

    def dunder_all(self, s):
        def is_all(t):
            return isinstance(t, ast.Name) and t.id == "__all__"
        if isinstance(s, ast.Assign) and any(is_all(t) for t in s.targets):
            if len(s.targets) != 1:
                self.poison = True
                return
            v = strlist(s.value)
            if v is None:
                self.poison = True
            else:
                self.all, self.all_seen = v, True
        elif isinstance(s, ast.AnnAssign) and is_all(s.target) and s.value is not None:
            v = strlist(s.value)
            if v is None:
                self.poison = True
            else:
                self.all, self.all_seen = v, True
        elif isinstance(s, ast.AugAssign) and is_all(s.target) and isinstance(s.op, ast.Add):
            v = strlist(s.value)
            if v is None:
                self.poison = True
            else:
                self.all = (self.all or []) + v
                self.all_seen = True
        elif isinstance(s, ast.Expr) and isinstance(s.value, ast.Call) and isinstance(s.value.func, ast.Attribute) \
                and is_all(s.value.func.value):
            m, args = s.value.func.attr, s.value.args
            if m == "extend":
                v = strlist(args[0]) if len(args) == 1 else None
                if v is None:
                    self.poison = True
                else:
                    self.all = (self.all or []) + v
                    self.all_seen = True
            elif m in ("append", "remove"):
                v = strlit(args[0]) if len(args) == 1 else None
                if v is None:
                    self.poison = True
                elif m == "append":
                    self.all = (self.all or []) + [v]
                    self.all_seen = True
                elif self.all is not None and v in self.all:
                    self.all.remove(v)
            elif m == "insert":
                v = strlit(args[1]) if len(args) == 2 else None
                if v is None:
                    self.poison = True
                else:
                    self.all = self.all or []
                    at = args[0]
                    if isinstance(at, ast.Constant) and type(at.value) is int:
                        self.all.insert(at.value, v)
                    else:
                        self.all.append(v)
                    self.all_seen = True
            elif m not in ("sort", "reverse", "copy", "index", "count"):
                self.poison = True
        elif isinstance(s, (ast.Assign, ast.AugAssign)):
            targets = s.targets if isinstance(s, ast.Assign) else [s.target]
            if any(isinstance(t, ast.Subscript) and is_all(t.value) for t in targets):
                self.poison = True


def run(path):
    with open(path, "rb") as fh:
        data = fh.read()
    try:
        enc, _ = tokenize.detect_encoding(io.BytesIO(data).readline)
        src = data.decode(enc)
        if src.startswith("\ufeff"):
            src = src[1:]
        tree = ast.parse(data, path)
    except Exception as e:
        return {"path": path, "error": type(e).__name__ + ": " + str(e)}
    f = Finder(src)
    f.lines = src.split("\n")
    f.seglines = ast._splitlines_no_ff(src)
    f.body(tree.body, 0, None, False)
    return {"path": path, "imports": f.out, "all": None if f.poison or not f.all_seen else f.all}


for line in sys.stdin.read().split("\n"):
    if line:
        try:
            print(json.dumps(run(line)))
        except RecursionError as e:
            print(json.dumps({"path": line, "error": "RecursionError"}))
""";

    /// <summary>Prints, per file, the tokens of Python's own tokenize (3.12+), one JSON list per file.</summary>
    public const string TokenizeScript = """
import json, sys, tokenize

for path in sys.stdin.read().split("\n"):
    if not path:
        continue
    try:
        with open(path, "rb") as fh:
            toks = [[tokenize.tok_name[t.type], t.string, t.start[0], t.start[1]] for t in tokenize.tokenize(fh.readline)]
        print(json.dumps({"path": path, "tokens": toks[1:]}))
    except Exception as e:
        print(json.dumps({"path": path, "error": type(e).__name__ + ": " + str(e)}))
""";
}
