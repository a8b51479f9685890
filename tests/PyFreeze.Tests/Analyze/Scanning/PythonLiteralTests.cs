using System.Text;
using System.Text.Json;
using PyFreeze.Analyze.Scanning;
using PyFreeze.Tests.Binaries;

namespace PyFreeze.Tests.Analyze.Scanning;

/// <summary><see cref="PythonLiteral"/> against CPython's own <c>ast.literal_eval</c>: thousands of generated literals
/// (every prefix and quote, every escape, octal and hex at their edges, truncated escapes, non-ASCII in bytes, lone
/// surrogates, line continuations) must give the same str or bytes value, or both must refuse.</summary>
public class PythonLiteralTests
{
    private static readonly string[] Pieces =
    [
        "a", "Z", "0", " ", "é", "€", "𝄞", "'", "\"", "\\\\", "\\'", "\\\"", "\\a", "\\b", "\\f", "\\n", "\\r", "\\t", "\\v",
        "\\0", "\\7", "\\07", "\\177", "\\377", "\\400", "\\777", "\\8", "\\9", "\\x41", "\\xff", "\\xG1", "\\x4", "\\u00e9",
        "\\u20ac", "\\ud800", "\\u12", "\\U0001D11E", "\\U00110000", "\\U0000004", "\\q", "\\ ", "\\\n", "\\\r\n", "\\é",
        "\\N{BULLET}", "\\N", "{", "}",
    ];

    private static readonly string[] Prefixes = ["", "r", "u", "b", "br", "rb", "R", "B", "Rb", "bR", "U"];

    /// <summary>Seeded, so a failure is the same on every run; each literal stays one token.</summary>
    private static List<string> Generate(int count)
    {
        var rng = new Random(19);
        var list = new List<string>();
        while (list.Count < count)
        {
            var prefix = Prefixes[rng.Next(Prefixes.Length)];
            var quote = rng.Next(4) switch { 0 => "'", 1 => "\"", 2 => "'''", _ => "\"\"\"" };
            var body = new StringBuilder();
            // a bare quote of the literal's own kind would end it early: that piece is left out
            for (int i = rng.Next(0, 6); i > 0; i--)
                body.Append(Pieces[rng.Next(Pieces.Length)] is var piece && piece == quote[..1] ? "x" : piece);
            var b = body.ToString();
            list.Add(prefix + quote + b + quote);
        }
        return list;
    }

    [FactRequires("python:ast")]
    public void Generated_literals_decode_as_ast_literal_eval_does()
    {
        var cases = Generate(3000);
        const string script = """
            import ast, json, sys, warnings
            warnings.simplefilter("ignore")
            for line in sys.stdin:
                src = json.loads(line)
                try:
                    v = ast.literal_eval(src)
                    out = {"bytes": list(v)} if isinstance(v, bytes) else {"str": [ord(c) for c in v]}
                except Exception as e:
                    out = {"error": type(e).__name__}
                print(json.dumps(out))
            """;
        var run = Infrastructure.Proc.Exec(PythonReference.SystemPython!, ["-c", script],
            stdin: string.Join('\n', cases.Select(c => JsonSerializer.Serialize(c))) + "\n");
        Assert.True(run.ExitCode == 0, run.ToString());
        var answers = run.StdOut.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal(cases.Count, answers.Length);
        int strings = 0, bytes = 0, refused = 0, names = 0;
        var wrong = new List<string>();
        for (int i = 0; i < cases.Count; i++)
        {
            using var doc = JsonDocument.Parse(answers[i]);
            var want = doc.RootElement;
            var got = PythonLiteral.Decode(cases[i]);
            if (got.Error == PythonLiteral.NeedsNameDatabase)
            {
                names++; // refused, never given a wrong value: Python decodes it or refuses a bad name
                continue;
            }
            string verdict;
            if (want.TryGetProperty("error", out _))
            {
                refused++;
                verdict = got.Error is not null ? "" : $"python refuses it, ours gives {Show(got)}";
            }
            else if (want.TryGetProperty("bytes", out var wb))
            {
                bytes++;
                var expected = wb.EnumerateArray().Select(e => (byte)e.GetInt32()).ToArray();
                verdict = got.Bytes is not null && got.Bytes.SequenceEqual(expected) ? "" : $"python gives b{Convert.ToHexString(expected)}, ours {Show(got)}";
            }
            else
            {
                strings++;
                var expected = string.Concat(want.GetProperty("str").EnumerateArray().Select(e => e.GetInt32() < 0x10000 ? ((char)e.GetInt32()).ToString() : char.ConvertFromUtf32(e.GetInt32())));
                verdict = got.Text == expected ? "" : $"python gives {JsonSerializer.Serialize(expected)}, ours {Show(got)}";
            }
            if (verdict.Length > 0)
                wrong.Add($"{JsonSerializer.Serialize(cases[i])}: {verdict}");
        }
        Assert.True(wrong.Count == 0, $"{wrong.Count} of {cases.Count} differ:\n{string.Join("\n", wrong.Take(20))}");
        // the generator reached every kind of answer
        Assert.True(strings > 500 && bytes > 300 && refused > 100 && names > 10, $"{strings} str, {bytes} bytes, {refused} refused, {names} \\N");

        static string Show(PythonLiteral.Value v) =>
            v.Error is not null ? "an error: " + v.Error : v.Bytes is not null ? "b" + Convert.ToHexString(v.Bytes) : JsonSerializer.Serialize(v.Text);
    }

    [Theory]
    [Trait("Lane", "Fast")]
    [InlineData(@"'\a\b\f\v'", "\a\b\f\v")]
    [InlineData(@"'\101\x42\u0043\U00000044'", "ABCD")]
    [InlineData(@"'\777'", "\u01ff")]
    [InlineData(@"'\q'", @"\q")]
    [InlineData(@"r'\n'", @"\n")]
    [InlineData("'''a\\\nb'''", "ab")]
    [InlineData(@"u'x'", "x")]
    public void Escapes_of_str(string token, string value) => Assert.Equal(value, PythonLiteral.Str(token));

    [Theory]
    [Trait("Lane", "Fast")]
    [InlineData(@"b'\777\x41'", new byte[] { 0xff, 0x41 })]
    [InlineData(@"b'\u0041'", new byte[] { 0x5c, 0x75, 0x30, 0x30, 0x34, 0x31 })]
    [InlineData(@"Rb'\n'", new byte[] { 0x5c, 0x6e })]
    public void Escapes_of_bytes(string token, byte[] value)
    {
        Assert.Equal(value, PythonLiteral.Decode(token).Bytes);
        Assert.Null(PythonLiteral.Str(token));
    }

    [Theory]
    [Trait("Lane", "Fast")]
    [InlineData(@"'\x4'", "truncated \\xXX escape")]
    [InlineData(@"'\U00110000'", "illegal Unicode character")]
    [InlineData("b'é'", "bytes can only contain ASCII literal characters")]
    [InlineData(@"'\N{BULLET}'", PythonLiteral.NeedsNameDatabase)]
    [InlineData("f'x'", "an f-string or t-string is not a constant")]
    [InlineData("ur'x'", "ur: not a string prefix")]
    public void Refused_with_the_reason(string token, string error) => Assert.Equal(error, PythonLiteral.Decode(token).Error);
}
