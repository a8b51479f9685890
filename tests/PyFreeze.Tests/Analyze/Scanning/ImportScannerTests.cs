using System.Text;
using PyFreeze.Analyze;
using PyFreeze.Analyze.Scanning;
using static PyFreeze.Analyze.ImportContext;

namespace PyFreeze.Tests.Analyze.Scanning;

[Trait("Lane", "Fast")]
public sealed class ImportScannerTests
{
    private static ScanResult Scan(string source) => ImportScanner.Scan(Encoding.UTF8.GetBytes(source));

    private static IReadOnlyList<ImportStatement> Imports(string source) => Scan(source).Imports;

    private static ImportStatement One(string source) => Assert.Single(Imports(source));

    /// <summary>The import of <paramref name="module"/> (exactly one).</summary>
    private static ImportStatement Of(string source, string module) => Imports(source).Single(i => i.Module == module);

    // ---- import forms ----

    [Fact]
    public void PlainImport()
    {
        var i = One("import os\n");
        Assert.Equal(("os", 0, TopLevel, 1), (i.Module, i.Level, i.Context, i.Line));
        Assert.Empty(i.Names);
        Assert.False(i.IsDynamic);
        Assert.Null(i.Condition);
    }

    [Fact]
    public void DottedImportsWithAliasesAreOneEntryEach()
    {
        var all = Imports("import a.b.c as d, e\n");
        Assert.Equal(["a.b.c", "e"], all.Select(i => i.Module));
        Assert.All(all, i => Assert.Equal(1, i.Line));
    }

    [Fact]
    public void SpacesInsideADottedNameAreDropped()
    {
        Assert.Equal("a.b.c", One("import a . b .c\n").Module);
    }

    [Fact]
    public void FromImport()
    {
        var i = One("from a.b import c, d as e\n");
        Assert.Equal("a.b", i.Module);
        Assert.Equal(0, i.Level);
        Assert.Equal(["c", "d"], i.Names);
    }

    [Fact]
    public void ParenthesizedFromImportOverLinesWithTrailingComma()
    {
        var i = One("from a import (b,\n  c as cc,  # comment\n  d,\n)\nx = 1\n");
        Assert.Equal(["b", "c", "d"], i.Names);
        Assert.Equal(1, i.Line);
    }

    [Fact]
    public void StarImport()
    {
        Assert.Equal(["*"], One("from a import *\n").Names);
    }

    [Theory]
    [InlineData("from . import x", "", 1)]
    [InlineData("from .. import x", "", 2)]
    [InlineData("from .mod import x", "mod", 1)]
    [InlineData("from ...pkg.mod import y", "pkg.mod", 3)]
    [InlineData("from .... import y", "", 4)]
    [InlineData("from . . . import y", "", 3)]
    [InlineData("from ....a import y", "a", 4)]
    [InlineData("from .....a import y", "a", 5)]
    public void RelativeLevels(string source, string module, int level)
    {
        var i = One(source + "\n");
        Assert.Equal(module, i.Module);
        Assert.Equal(level, i.Level);
    }

    [Fact]
    public void LineIsThatOfTheKeyword()
    {
        var all = Imports("\n\nx = 1\nimport a\nfrom b import (\n  c)\nif x: import d\n");
        Assert.Equal([4, 5, 7], all.Select(i => i.Line));
    }

    [Fact]
    public void BackslashContinuation()
    {
        var i = One("from a \\\n    import b\n");
        Assert.Equal(("a", 1), (i.Module, i.Line));
        Assert.Equal(["b"], i.Names);
        Assert.Equal(["x", "y"], Imports("import x, \\\n  y\n").Select(i => i.Module));
    }

    [Fact]
    public void BackslashInsideBrackets()
    {
        Assert.Equal(["b", "c"], One("from a import (b, \\\n c)\n").Names);
    }

    [Fact]
    public void SemicolonSeparatedStatements()
    {
        var all = Imports("import a; import b; x = 1; from c import d\n");
        Assert.Equal(["a", "b", "c"], all.Select(i => i.Module));
    }

    [Fact]
    public void ImportTextInStringsAndCommentsIsNotAnImport()
    {
        const string src = """
            # import commented
            s = "import in_string"
            t = '''
            import in_triple
            from in_triple import x
            '''
            u = f"{'import nested_fstring'} import in_fstring"
            v = f"{f'{"import deep"}'}"
            w = rb"import raw"
            import real
            """;
        Assert.Equal("real", One(src).Module);
    }

    [Fact]
    public void FromElsewhereIsNotAnImport()
    {
        const string src = """
            def g():
                yield from other
                x = yield from (a for a in b)
            raise ValueError("x") from None
            import real
            """;
        Assert.Equal("real", One(src).Module);
    }

    [Fact]
    public void SoftKeywordsAsIdentifiers()
    {
        const string src = """
            match = 1
            case = 2
            type = 3
            _ = 4
            match(x)
            match.group(1)
            match[1]: int = 5
            type X = int
            print(match, case, type, _)
            import after
            """;
        var i = One(src);
        Assert.Equal(("after", TopLevel), (i.Module, i.Context));
    }

    [Fact]
    public void MultiLineStringDoesNotBreakIndentation()
    {
        const string src = "def f():\n    x = '''\nimport no\n'''\n    import yes\nimport top\n";
        var all = Imports(src);
        Assert.Equal(["yes", "top"], all.Select(i => i.Module));
        Assert.Equal([Deferred, TopLevel], all.Select(i => i.Context));
    }

    // ---- contexts ----

    [Fact]
    public void DefAndAsyncDefAreDeferred()
    {
        const string src = """
            import top
            def f():
                import in_def
                def inner():
                    import in_inner
            async def g():
                import in_async
            import after
            """;
        var all = Imports(src);
        Assert.Equal([TopLevel, Deferred, Deferred, Deferred, TopLevel], all.Select(i => i.Context));
    }

    [Fact]
    public void ClassBodyIsTopLevelButMethodsAreDeferred()
    {
        const string src = """
            class A:
                import in_class
                def m(self):
                    import in_method
                class B:
                    import in_nested_class
            """;
        Assert.Equal([TopLevel, Deferred, TopLevel], Imports(src).Select(i => i.Context));
    }

    [Fact]
    public void DecoratedFunctionsAndLambdas()
    {
        const string src = """
            @decorator(lambda: 1)
            def f(x=lambda y: y):
                import deferred
            g = lambda: __import__("in_lambda")
            import top
            """;
        var all = Imports(src);
        Assert.Equal(Deferred, Of(src, "deferred").Context);
        Assert.Equal(TopLevel, Of(src, "in_lambda").Context);
        Assert.Equal(TopLevel, Of(src, "top").Context);
        Assert.Equal(3, all.Count);
    }

    [Fact]
    public void WithForWhileBodiesAreTopLevel()
    {
        const string src = """
            with open(f) as g:
                import a
            for x in y:
                import b
            else:
                import c
            while z:
                import d
            async def f():
                async with x:
                    import e
                async for q in r:
                    import h
            """;
        Assert.Equal([TopLevel, TopLevel, TopLevel, TopLevel, Deferred, Deferred], Imports(src).Select(i => i.Context));
    }

    [Theory]
    [InlineData("except ImportError:")]
    [InlineData("except ModuleNotFoundError:")]
    [InlineData("except Exception:")]
    [InlineData("except BaseException:")]
    [InlineData("except:")]
    [InlineData("except (OSError, ImportError):")]
    [InlineData("except (ImportError, AttributeError) as e:")]
    [InlineData("except ImportError as e:")]
    [InlineData("except builtins.ImportError:")]
    [InlineData("except* ImportError:")]
    [InlineData("except *ModuleNotFoundError:")]
    public void TryWithImportErrorHandlerIsOptional(string handler)
    {
        string src = $"try:\n    import a\n    import b.c\n{handler}\n    a = None\n";
        Assert.All(Imports(src), i => Assert.Equal(Optional, i.Context));
    }

    [Fact]
    public void MatchingHandlerAfterOthersStillCounts()
    {
        const string src = "try:\n    import a\nexcept KeyError:\n    pass\nexcept ImportError:\n    pass\n";
        Assert.Equal(Optional, One(src).Context);
    }

    [Theory]
    [InlineData("except ValueError:")]
    [InlineData("except (KeyError, OSError):")]
    [InlineData("except ValueError as ImportError:")]
    [InlineData("finally:")]
    public void TryWithOtherHandlersIsNotOptional(string handler)
    {
        string src = $"try:\n    import a\n{handler}\n    pass\n";
        Assert.Equal(TopLevel, One(src).Context);
    }

    [Fact]
    public void HandlerElseAndFinallyAreNotOptional()
    {
        const string src = """
            try:
                import fast
            except ImportError:
                import slow
            except KeyError:
                import other
            else:
                import in_else
            finally:
                import in_finally
            """;
        var all = Imports(src);
        Assert.Equal(["fast", "slow", "other", "in_else", "in_finally"], all.Select(i => i.Module));
        Assert.Equal([Optional, TopLevel, TopLevel, TopLevel, TopLevel], all.Select(i => i.Context));
    }

    [Fact]
    public void NestedTryOnlyMarksItsOwnBody()
    {
        const string src = """
            try:
                import outer
                try:
                    import inner
                except KeyError:
                    import inner_handler
            except ImportError:
                pass
            try:
                import second
            except KeyError:
                pass
            """;
        var all = Imports(src);
        Assert.Equal([Optional, Optional, Optional, TopLevel], all.Select(i => i.Context));
    }

    [Fact]
    public void OneLineTryAndExcept()
    {
        const string src = "try: import a\nexcept ImportError: a = None\nimport b\n";
        var all = Imports(src);
        Assert.Equal([Optional, TopLevel], all.Select(i => i.Context));
    }

    [Fact]
    public void OneLineHandlerImportIsTheFallback()
    {
        const string src = "try: import simplejson as json\nexcept ImportError: import json\n";
        var all = Imports(src);
        Assert.Equal([("simplejson", Optional), ("json", TopLevel)], all.Select(i => (i.Module, i.Context)));
    }

    [Theory]
    [InlineData("with suppress(ImportError):")]
    [InlineData("with contextlib.suppress(ImportError):")]
    [InlineData("with contextlib.suppress(ModuleNotFoundError, AttributeError):")]
    [InlineData("with open(x) as f, suppress(ImportError):")]
    public void SuppressIsOptional(string header)
    {
        Assert.Equal(Optional, One($"{header}\n    import a\n").Context);
    }

    [Fact]
    public void SuppressOfOtherErrorsIsNotOptional()
    {
        Assert.Equal(TopLevel, One("with suppress(KeyError):\n    import a\n").Context);
    }

    [Fact]
    public void IfElifElseAreConditionalWithTheirTest()
    {
        const string src = """
            if sys.platform == "win32":
                import winreg
            elif   sys.platform.startswith( "linux" ) :
                import fcntl
            else:
                import other
            import always
            """;
        var all = Imports(src);
        Assert.Equal([Conditional, Conditional, Conditional, TopLevel], all.Select(i => i.Context));
        Assert.Equal(
            ["sys.platform == \"win32\"", "sys.platform.startswith( \"linux\" )", "not (sys.platform.startswith( \"linux\" ))", null],
            all.Select(i => i.Condition));
    }

    [Fact]
    public void ConditionWhitespaceAndCommentsAreNormalised()
    {
        const string src = "if (a and  # why\n        b) or \\\n   c:\n    import x\n";
        Assert.Equal("(a and b) or c", One(src).Condition);
    }

    [Fact]
    public void RedundantParenthesesAroundTheTestAreDropped()
    {
        Assert.Equal("a or b", One("if (a or b):\n    import x\n").Condition);
        Assert.Equal("not (a or b)", One("if (a or b):\n    pass\nelse:\n    import x\n").Condition);
    }

    [Fact]
    public void InnermostConditionWins()
    {
        const string src = """
            if PY3:
                if WINDOWS:
                    import a
                import b
                def f():
                    import c
            """;
        var all = Imports(src);
        Assert.Equal(["WINDOWS", "PY3", "PY3"], all.Select(i => i.Condition));
        Assert.Equal([Conditional, Conditional, Conditional | Deferred], all.Select(i => i.Context));
    }

    [Fact]
    public void OneLineIf()
    {
        var i = One("if x: import y\n");
        Assert.Equal((Conditional, "x"), (i.Context, i.Condition));
        var all = Imports("if a: import b; import c\nelse: import d\nimport e\n");
        Assert.Equal([Conditional, Conditional, Conditional, TopLevel], all.Select(i => i.Context));
        Assert.Equal(["a", "a", "not (a)", null], all.Select(i => i.Condition));
    }

    [Fact]
    public void OneLineDefAndClass()
    {
        var all = Imports("def f(): import a\nclass C: import b\n");
        Assert.Equal([Deferred, TopLevel], all.Select(i => i.Context));
    }

    [Fact]
    public void ColonInsideTheTestIsNotTheHeaderColon()
    {
        var all = Imports("if d[1:2] == {1: 2} and (lambda: x)(): import a\nif lambda: 1: import b\n");
        Assert.Equal(["d[1:2] == {1: 2} and (lambda: x)()", "lambda: 1"], all.Select(i => i.Condition));
    }

    [Fact]
    public void MatchCasesAreConditional()
    {
        const string src = """
            match sys.platform:
                case "win32":
                    import winreg
                case "linux" | "darwin" if x:
                    import posix
                case _:
                    import other
            import after
            """;
        var all = Imports(src);
        Assert.Equal([Conditional, Conditional, Conditional, TopLevel], all.Select(i => i.Context));
        Assert.Equal("match sys.platform: case \"win32\"", all[0].Condition);
        Assert.Equal("match sys.platform: case \"linux\" | \"darwin\" if x", all[1].Condition);
        Assert.Equal("match sys.platform: case _", all[2].Condition);
    }

    [Theory]
    [InlineData("TYPE_CHECKING")]
    [InlineData("typing.TYPE_CHECKING")]
    [InlineData("t.TYPE_CHECKING")]
    [InlineData("a.b.TYPE_CHECKING")]
    public void TypeCheckingBodyAndItsElse(string test)
    {
        string src = $"if {test}:\n    from a import A\nelse:\n    A = None\n    import b\n";
        var all = Imports(src);
        Assert.Equal(TypeChecking | Conditional, all[0].Context);
        Assert.Equal(test, all[0].Condition);
        Assert.Equal(Conditional, all[1].Context);
        Assert.Equal($"not ({test})", all[1].Condition);
    }

    [Fact]
    public void NotTypeChecking()
    {
        const string src = "if not TYPE_CHECKING:\n    import runtime\nelif x:\n    import y\nelse:\n    import typed\n";
        var all = Imports(src);
        Assert.Equal([Conditional, Conditional | TypeChecking, Conditional | TypeChecking], all.Select(i => i.Context));
    }

    [Fact]
    public void SomethingElseNamedLikeTypeCheckingIsJustConditional()
    {
        Assert.Equal(Conditional, One("if TYPE_CHECKING or DEBUG:\n    import a\n").Context);
        Assert.Equal(Conditional, One("if MY_TYPE_CHECKING:\n    import a\n").Context);
    }

    [Fact]
    public void FlagsCombine()
    {
        const string src = """
            if TYPE_CHECKING:
                def f():
                    try:
                        import a
                    except ImportError:
                        pass
            def g():
                with suppress(ImportError):
                    if x:
                        import b
            """;
        var all = Imports(src);
        Assert.Equal(TypeChecking | Conditional | Deferred | Optional, all[0].Context);
        Assert.Equal(Deferred | Optional | Conditional, all[1].Context);
        Assert.Equal("TYPE_CHECKING", all[0].Condition);
    }

    [Fact]
    public void TabsAndSpacesIndentation()
    {
        const string src = "if x:\n\timport a\n\tif y:\n\t\timport b\n\timport c\nimport d\n";
        var all = Imports(src);
        Assert.Equal(["x", "y", "x", null], all.Select(i => i.Condition));
    }

    [Fact]
    public void CommentsAndBlankLinesAtOtherIndentationDoNotMatter()
    {
        const string src = "def f():\n    x = 1\n# comment at column 0\n\n        # deeper comment\n    import a\nimport b\n";
        Assert.Equal([Deferred, TopLevel], Imports(src).Select(i => i.Context));
    }

    // ---- dynamic imports ----

    [Theory]
    [InlineData("importlib.import_module('x.y')", "x.y", 0)]
    [InlineData("import_module(\"x\")", "x", 0)]
    [InlineData("importlib.import_module('.sub', __package__)", "sub", 1)]
    [InlineData("importlib.import_module('..sub.mod', __name__)", "sub.mod", 2)]
    [InlineData("importlib.import_module('.sub', package=__name__)", "sub", 1)]
    [InlineData("importlib.import_module('.sub', __spec__.parent)", "sub", 1)]
    [InlineData("importlib.import_module(name='.', package=__package__)", "", 1)]
    [InlineData("importlib.import_module('.sub', 'pkg')", "pkg.sub", 0)]
    [InlineData("importlib.import_module('..sub', 'pkg.a')", "pkg.sub", 0)]
    [InlineData("importlib.import_module('..', 'pkg.a')", "pkg", 0)]
    [InlineData("importlib.import_module('x', 'ignored')", "x", 0)]
    [InlineData("importlib.import_module('x' 'y')", "xy", 0)]
    [InlineData("__import__('x')", "x", 0)]
    [InlineData("importlib.__import__('x.y')", "x.y", 0)]
    [InlineData("builtins.__import__('x')", "x", 0)]
    [InlineData("__import__('x', globals(), locals(), [], 1)", "x", 1)]
    [InlineData("__import__('x', level=2)", "x", 2)]
    public void DynamicImports(string call, string module, int level)
    {
        var i = One($"m = {call}\n");
        Assert.True(i.IsDynamic);
        Assert.Equal((module, level), (i.Module, i.Level));
        Assert.Equal(1, i.Line);
    }

    [Fact]
    public void DunderImportFromlist()
    {
        Assert.Equal(["c", "d"], One("m = __import__('a.b', fromlist=['c', 'd'])\n").Names);
        Assert.Equal(["c"], One("m = __import__('a.b', globals(), locals(), ('c',))\n").Names);
        Assert.Empty(One("m = __import__('a.b', fromlist=names)\n").Names);
    }

    [Theory]
    [InlineData("importlib.import_module(name)")]
    [InlineData("importlib.import_module(f'plugins.{name}')")]
    [InlineData("importlib.import_module('plugins.' + name)")]
    [InlineData("importlib.import_module('%s' % x)")]
    [InlineData("importlib.import_module('.sub')")]
    [InlineData("importlib.import_module('.sub', pkg)")]
    [InlineData("importlib.import_module('...sub', 'pkg')")]
    [InlineData("importlib.import_module(*args)")]
    [InlineData("importlib.import_module(b'x')")]
    [InlineData("importlib.import_module('not a module')")]
    [InlineData("__import__(name)")]
    [InlineData("__import__('x', level=n)")]
    [InlineData("self.import_module('x')")]
    [InlineData("other.__import__('x')")]
    [InlineData("import_module")]
    public void NonLiteralDynamicImportsAreIgnored(string code)
    {
        Assert.Empty(Imports($"m = {code}\n"));
    }

    [Fact]
    public void DefiningImportModuleIsNotACall()
    {
        Assert.Empty(Imports("def import_module(name):\n    pass\n"));
    }

    [Fact]
    public void DynamicImportsTakeTheirContext()
    {
        const string src = """
            def load():
                try:
                    return importlib.import_module("plugin")
                except ImportError:
                    return None
            if sys.platform == "win32":
                mod = __import__("winmod")
            if import_module("in_test"):
                pass
            """;
        var all = Imports(src);
        Assert.Equal(("plugin", Deferred | Optional, 3), (all[0].Module, all[0].Context, all[0].Line));
        Assert.Equal(("winmod", Conditional), (all[1].Module, all[1].Context));
        Assert.Equal("sys.platform == \"win32\"", all[1].Condition);
        Assert.Equal(("in_test", TopLevel), (all[2].Module, all[2].Context));
        Assert.All(all, i => Assert.True(i.IsDynamic));
    }

    [Fact]
    public void DynamicImportsInsideFStringsAreNotSeen()
    {
        Assert.Empty(Imports("x = f\"{__import__('os')}\"\n"));
    }

    // ---- f-strings and strings that could confuse the block structure ----

    [Fact]
    public void FStringsWithSameQuoteReuse()
    {
        const string src = """
            x = f"{d["key"]}"
            y = f"{'\n'.join(z)}"
            w = f"{x:{width}.{prec}} {{literal}} {f'{"import nope"}'}"
            import after
            """;
        var r = Scan(src);
        Assert.Empty(r.Problems);
        Assert.Equal("after", Assert.Single(r.Imports).Module);
    }

    [Fact]
    public void ColonsInFStringsDoNotEndAnIfHeader()
    {
        var i = One("if f\"{x:>10}\" == y: import a\n");
        Assert.Equal("f\"{x:>10}\" == y", i.Condition);
    }

    [Fact]
    public void TStringsAreOpaqueToo()
    {
        Assert.Equal("real", One("x = t'{__import__(\"nope\")}'\nimport real\n").Module);
    }

    // ---- errors ----

    [Fact]
    public void UnterminatedStringIsAProblemAndLaterImportsAreFound()
    {
        var r = Scan("import a\nx = 'oops\nimport b\n");
        var p = Assert.Single(r.Problems);
        Assert.Equal((2, 5), (p.Line, p.Column));
        Assert.Equal(["a", "b"], r.Imports.Select(i => i.Module));
    }

    [Fact]
    public void UnterminatedTripleQuotedStringIsAProblemAndLaterImportsAreFound()
    {
        var r = Scan("import a\nx = \"\"\"oops\nimport b\n");
        var p = Assert.Single(r.Problems);
        Assert.Equal((2, 5), (p.Line, p.Column));
        Assert.Contains("triple-quoted", p.Message);
        Assert.Equal(["a", "b"], r.Imports.Select(i => i.Module));
        Assert.Equal(3, r.Imports[1].Line);
    }

    [Fact]
    public void BadDedentIsAProblemAndLaterImportsAreFound()
    {
        var r = Scan("def f():\n        x = 1\n    import a\nimport b\n");
        var p = Assert.Single(r.Problems);
        Assert.Equal((3, 5), (p.Line, p.Column));
        Assert.Equal(["a", "b"], r.Imports.Select(i => i.Module));
        Assert.Equal(TopLevel, r.Imports[1].Context);
    }

    [Fact]
    public void UnclosedBracketIsAProblemAndLaterImportsAreFound()
    {
        var r = Scan("x = foo(1,\nimport a\ndef f():\n    import b\n");
        var p = Assert.Single(r.Problems);
        Assert.Equal((1, 8), (p.Line, p.Column));
        Assert.Equal([("a", TopLevel), ("b", Deferred)], r.Imports.Select(i => (i.Module, i.Context)));
    }

    [Fact]
    public void UnexpectedIndentKeepsTheEnclosingContext()
    {
        var all = Imports("def f():\n    x = 1\n        import a\n    import b\nimport c\n");
        Assert.Equal([Deferred, Deferred, TopLevel], all.Select(i => i.Context));
    }

    [Fact]
    public void MalformedImportsAreSkipped()
    {
        Assert.Equal(["ok"], Imports("import\nfrom import x\nfrom a\nfrom a import\nimport 3\nimport ok\n").Select(i => i.Module));
    }

    [Fact]
    public void RandomBytesNeverThrow()
    {
        var rng = new Random(4242);
        byte[][] fragments =
        [
            "import "u8.ToArray(), "from "u8.ToArray(), " . "u8.ToArray(), "if "u8.ToArray(), "try:"u8.ToArray(),
            "except ImportError:"u8.ToArray(), "def f():"u8.ToArray(), "\n"u8.ToArray(), "    "u8.ToArray(),
            "\t"u8.ToArray(), "f'{"u8.ToArray(), "}"u8.ToArray(), "'''"u8.ToArray(), "\""u8.ToArray(), "("u8.ToArray(),
            ")"u8.ToArray(), "__all__ = ["u8.ToArray(), "import_module('"u8.ToArray(), "\\"u8.ToArray(), ";"u8.ToArray(),
            "match x:\n case 1:"u8.ToArray(), "# coding: latin-1\n"u8.ToArray(), [0xEF, 0xBB, 0xBF], [0xFF], [0xC3, 0xA9],
        ];
        for (int round = 0; round < 2000; round++)
        {
            var data = new List<byte>();
            int parts = rng.Next(0, 60);
            for (int i = 0; i < parts; i++)
            {
                if (rng.Next(3) == 0)
                    data.Add((byte)rng.Next(256));
                else
                    data.AddRange(fragments[rng.Next(fragments.Length)]);
            }
            var r = ImportScanner.Scan(data.ToArray());
            Assert.NotNull(r.Imports);
            Assert.All(r.Imports, i => Assert.True(i.Line >= 1));
        }
        for (int round = 0; round < 300; round++)
        {
            var data = new byte[rng.Next(0, 4000)];
            rng.NextBytes(data);
            Assert.NotNull(ImportScanner.Scan(data).Imports);
        }
    }

    [Theory]
    [InlineData("x = f'''{\n", 20000)]
    [InlineData("x = f'{\n", 20000)]
    [InlineData("f'''{f'''{\n", 10000)]
    [InlineData("x = '''\n", 20001)]
    [InlineData("(", 100000)]
    [InlineData("x = (\n", 20000)]
    [InlineData("f'{", 5000)]
    [InlineData("$", 100000)]
    public void PathologicalInputsFinish(string line, int repeat)
    {
        // Each unterminated string could send recovery back to re-read the rest of the file; the tokenizer bounds
        // that, so these finish in milliseconds instead of minutes.
        var r = Scan(string.Concat(Enumerable.Repeat(line, repeat)) + "\nimport z\n");
        Assert.NotEmpty(r.Problems);
        Assert.True(r.Problems.Count <= 101);
    }

    [Fact]
    public void DeepIndentation()
    {
        var src = string.Concat(Enumerable.Range(0, 2000).Select(i => new string(' ', i) + "if x:\n")) + new string(' ', 2000) + "import deep\n";
        var i = One(src);
        Assert.Equal(Conditional, i.Context);
    }

    [Fact]
    public void OldMacLineEnds()
    {
        var all = Imports("import a\rif x:\r    import b\rimport c\r");
        Assert.Equal([("a", TopLevel, 1), ("b", Conditional, 3), ("c", TopLevel, 4)], all.Select(i => (i.Module, i.Context, i.Line)));
    }

    [Fact]
    public void ScanIsThreadSafe()
    {
        const string src = "import a\nif x:\n    from .b import c\ntry:\n    import d\nexcept ImportError:\n    pass\n__all__ = ['c']\n";
        byte[] data = Encoding.UTF8.GetBytes(src);
        var expected = ImportScanner.Scan(data).Imports.Select(i => i.ToString()).ToList();
        Parallel.For(0, 2000, _ =>
        {
            var r = ImportScanner.Scan(data);
            Assert.Equal(expected, r.Imports.Select(i => i.ToString()));
        });
    }

    // ---- __all__ ----

    [Fact]
    public void DunderAllList()
    {
        Assert.Equal(["a", "b"], Scan("__all__ = ['a', \"b\",]\n").DunderAll!);
    }

    [Fact]
    public void DunderAllTupleAndBareTuple()
    {
        Assert.Equal(["a", "b"], Scan("__all__ = ('a', 'b')\n").DunderAll!);
        Assert.Equal(["a", "b"], Scan("__all__ = 'a', 'b'\n").DunderAll!);
        Assert.Empty(Scan("__all__ = []\n").DunderAll!);
        Assert.Empty(Scan("__all__ = ()\n").DunderAll!);
        Assert.Equal(["a"], Scan("__all__ = ('a',)\n").DunderAll!);
    }

    [Fact]
    public void DunderAllOfOneParenthesizedStringIsNotASequence()
    {
        // reportlab's barcode/qr.py: __all__ = ('QrCodeWidget') is a str; ast agrees it is not a list of names
        Assert.Null(Scan("__all__ = ('QrCodeWidget')\n").DunderAll);
        Assert.Null(Scan("__all__ = 'a'\n").DunderAll);
        Assert.Null(Scan("__all__ = ['a'] + ('b')\n").DunderAll);
    }

    [Fact]
    public void DunderAllOverLinesWithComments()
    {
        Assert.Equal(["a", "b"], Scan("__all__ = [\n    'a',  # first\n    'b',\n]\n").DunderAll!);
    }

    [Fact]
    public void DunderAllExtensions()
    {
        const string src = """
            __all__ = ['a']
            __all__ += ['b']
            __all__ += ('c',)
            __all__.extend(['d', 'e'])
            __all__.append('f')
            __all__.remove('e')
            __all__.insert(0, 'g')
            __all__.sort()
            __all__: list[str] = __all__ if False else __all__
            """;
        Assert.Null(Scan(src).DunderAll);
        Assert.Equal(["g", "a", "b", "c", "d", "f"], Scan(string.Join('\n', src.Split('\n')[..8])).DunderAll!);
    }

    [Fact]
    public void DunderAllConcatenationAndAnnotation()
    {
        Assert.Equal(["a", "b"], Scan("__all__ = ['a'] + ['b']\n").DunderAll!);
        Assert.Equal(["a"], Scan("__all__: list[str] = ['a']\n").DunderAll!);
    }

    [Theory]
    [InlineData("__all__ = names")]
    [InlineData("__all__ = ['a'] + other.__all__")]
    [InlineData("__all__ = [n for n in dir()]")]
    [InlineData("__all__ = ['a', b]")]
    [InlineData("__all__ = [f'a']")]
    [InlineData("__all__ = [b'a']")]
    [InlineData("__all__ = x = ['a']")]
    [InlineData("__all__ += names")]
    [InlineData("__all__.extend(other)")]
    [InlineData("__all__.append(name)")]
    [InlineData("__all__.clear()")]
    [InlineData("__all__[0] = 'x'")]
    public void NonLiteralDunderAllIsNull(string statement)
    {
        Assert.Null(Scan($"__all__ = ['a']\n{statement}\n").DunderAll);
    }

    [Fact]
    public void DunderAllAbsentIsNull()
    {
        Assert.Null(Scan("import os\n").DunderAll);
    }

    [Fact]
    public void DunderAllInDefOrClassIsNotModuleLevel()
    {
        const string src = "__all__ = ['a']\ndef f():\n    __all__ = names\nclass C:\n    __all__ = ['b']\n";
        Assert.Equal(["a"], Scan(src).DunderAll!);
    }

    [Fact]
    public void DunderAllInModuleLevelIfOrTryCounts()
    {
        Assert.Equal(["a", "b"], Scan("__all__ = ['a']\nif x:\n    __all__ += ['b']\n").DunderAll!);
    }

    [Fact]
    public void DunderAllStringEscapes()
    {
        Assert.Equal(["a", "b\"c"], Scan("__all__ = ['\\x61', 'b\\\"c']\n").DunderAll!);
    }

    [Fact]
    public void ScanTextSkipsDecoding()
    {
        var r = ImportScanner.ScanText("import a\n");
        Assert.Equal("utf-8", r.Encoding);
        Assert.Equal("a", Assert.Single(r.Imports).Module);
    }
}
