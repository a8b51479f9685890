using System.Globalization;
using System.Text;

namespace PyFreeze.Analyze.Scanning;

/// <summary>
/// The value of one Python string or bytes literal token, as the compiler gives it: the prefix (<c>r</c>, <c>u</c>,
/// <c>b</c>, <c>br</c>/<c>rb</c>, any case), the quotes (single, double, triple) and every escape sequence of the
/// Python reference, "Lexical analysis: String and Bytes literals" (CPython Parser/string_parser.c): <c>\newline</c>,
/// <c>\\ \' \" \a \b \f \n \r \t \v</c>, octal <c>\ooo</c> (one to three digits), <c>\xhh</c>, and in str only
/// <c>\uXXXX</c>, <c>\UXXXXXXXX</c> and <c>\N{name}</c>; an unknown escape keeps its backslash. Bytes take only ASCII
/// characters, and an octal escape above <c>\377</c> keeps its low 8 bits, as CPython does.
/// </summary>
/// <remarks><c>\N{name}</c> needs the Unicode character name database, which .NET does not carry: such a literal is
/// recognised and refused with that reason (<see cref="NeedsNameDatabase"/>), never given a wrong value. f- and
/// t-strings are not constants and are refused too.</remarks>
public static class PythonLiteral
{
    /// <summary>The reason given for a literal with a <c>\N{name}</c> escape.</summary>
    public const string NeedsNameDatabase = "a \\N{...} escape needs the Unicode name database; write the character itself";

    /// <summary>A decoded literal: its text (a str literal), its bytes (a bytes literal), or why it has no value.</summary>
    /// <param name="Text">The str value, or null.</param>
    /// <param name="Bytes">The bytes value, or null.</param>
    /// <param name="Error">Why the token is not a constant Python accepts (the compiler's reason), or null.</param>
    public readonly record struct Value(string? Text, byte[]? Bytes, string? Error)
    {
        /// <summary>True for a bytes literal that decoded.</summary>
        public bool IsBytes => Bytes is not null;
    }

    /// <summary>The value of a str literal, or null for bytes, f-strings and literals that do not decode.</summary>
    public static string? Str(ReadOnlySpan<char> token) => Decode(token).Text;

    /// <summary>Decodes one literal token (prefix, quotes and body, as the tokenizer gives it).</summary>
    public static Value Decode(ReadOnlySpan<char> token)
    {
        int p = 0;
        bool raw = false, bytes = false, unicode = false, format = false;
        while (p < token.Length && token[p] is not ('"' or '\''))
        {
            switch (char.ToLowerInvariant(token[p]))
            {
                case 'r' when !raw: raw = true; break;
                case 'b' when !bytes && !unicode && !format: bytes = true; break;
                case 'u' when p == 0: unicode = true; break;
                case 'f' or 't' when !bytes && !unicode && !format: format = true; break;
                default: return new Value(null, null, $"{token[..(p + 1)].ToString()}: not a string prefix");
            }
            p++;
        }
        if (unicode && raw)
            return new Value(null, null, "ur: not a string prefix");
        if (format)
            return new Value(null, null, "an f-string or t-string is not a constant");
        if (p >= token.Length)
            return new Value(null, null, "no quote");
        char q = token[p];
        int size = token.Length - p >= 6 && token[p + 1] == q && token[p + 2] == q ? 3 : 1;
        if (token.Length - p < 2 * size || token[^size..].IndexOfAnyExcept(q) >= 0)
            return new Value(null, null, "the literal is not closed");
        var body = token[(p + size)..^size];
        var sb = new StringBuilder(body.Length);
        string? error = raw ? Raw(body, sb) : Escaped(body, sb, bytes);
        if (error is not null)
            return new Value(null, null, error);
        if (!bytes)
            return new Value(sb.ToString(), null, null);
        var value = new byte[sb.Length];
        for (int i = 0; i < sb.Length; i++)
        {
            if (sb[i] > 0xFF)
                return new Value(null, null, "bytes can only contain ASCII literal characters");
            value[i] = (byte)sb[i];
        }
        return new Value(null, value, null);

        string? Raw(ReadOnlySpan<char> s, StringBuilder into)
        {
            if (bytes && s.IndexOfAnyExceptInRange('\0', '\x7f') >= 0)
                return "bytes can only contain ASCII literal characters";
            for (int i = 0; i < s.Length; i++)
                i = AppendNewlineAware(s, i, into);
            return null;
        }
    }

    /// <summary>Decodes the escapes of a non-raw body into <paramref name="sb"/> (bytes as chars 0–255).</summary>
    /// <returns>Null, or why the body does not decode.</returns>
    private static string? Escaped(ReadOnlySpan<char> body, StringBuilder sb, bool bytes)
    {
        for (int i = 0; i < body.Length; i++)
        {
            char c = body[i];
            if (c != '\\')
            {
                if (bytes && c > 0x7f)
                    return "bytes can only contain ASCII literal characters";
                i = AppendNewlineAware(body, i, sb);
                continue;
            }
            if (i + 1 >= body.Length)
                return "the literal ends in a backslash";
            char e = body[++i];
            switch (e)
            {
                case '\n': continue; // a backslash-newline joins the lines
                case '\r':
                    if (i + 1 < body.Length && body[i + 1] == '\n')
                        i++;
                    continue;
                case '\\' or '\'' or '"': sb.Append(e); continue;
                case 'a': sb.Append('\a'); continue;
                case 'b': sb.Append('\b'); continue;
                case 'f': sb.Append('\f'); continue;
                case 'n': sb.Append('\n'); continue;
                case 'r': sb.Append('\r'); continue;
                case 't': sb.Append('\t'); continue;
                case 'v': sb.Append('\v'); continue;
                case >= '0' and <= '7':
                {
                    int value = e - '0';
                    for (int k = 0; k < 2 && i + 1 < body.Length && body[i + 1] is >= '0' and <= '7'; k++)
                        value = value * 8 + (body[++i] - '0');
                    sb.Append((char)(bytes ? value & 0xFF : value));
                    continue;
                }
                case 'x':
                    if (!Hex(body, i + 1, 2, out var x))
                        return "truncated \\xXX escape";
                    sb.Append((char)x);
                    i += 2;
                    continue;
                case 'u' when !bytes:
                    if (!Hex(body, i + 1, 4, out var u))
                        return "truncated \\uXXXX escape";
                    sb.Append((char)u);
                    i += 4;
                    continue;
                case 'U' when !bytes:
                    if (!Hex(body, i + 1, 8, out var cp))
                        return "truncated \\UXXXXXXXX escape";
                    if (cp > 0x10FFFF)
                        return "illegal Unicode character";
                    if (cp < 0x10000)
                        sb.Append((char)cp); // a lone surrogate is a valid str value
                    else
                        sb.Append(char.ConvertFromUtf32((int)cp));
                    i += 8;
                    continue;
                case 'N' when !bytes:
                    return i + 1 < body.Length && body[i + 1] == '{' && body[(i + 1)..].IndexOf('}') > 1
                        ? NeedsNameDatabase
                        : "malformed \\N character escape";
                default:
                    if (bytes && e > 0x7f)
                        return "bytes can only contain ASCII literal characters";
                    sb.Append('\\').Append(e); // an unknown escape is kept as written
                    continue;
            }
        }
        return null;
    }

    /// <summary>Appends <c>s[i]</c>, a source line break (<c>\r\n</c> or <c>\r</c>) as <c>\n</c>: the compiler reads
    /// source with universal newlines, so a literal spanning lines holds <c>\n</c> whatever the file's line ends.</summary>
    /// <returns>The index of the last character used.</returns>
    private static int AppendNewlineAware(ReadOnlySpan<char> s, int i, StringBuilder sb)
    {
        if (s[i] != '\r')
        {
            sb.Append(s[i]);
            return i;
        }
        sb.Append('\n');
        return i + 1 < s.Length && s[i + 1] == '\n' ? i + 1 : i;
    }

    private static bool Hex(ReadOnlySpan<char> s, int at, int count, out uint value)
    {
        value = 0;
        if (at + count > s.Length)
            return false;
        var digits = s.Slice(at, count);
        return !digits.ContainsAnyExcept("0123456789abcdefABCDEF") &&
               uint.TryParse(digits, NumberStyles.AllowHexSpecifier, CultureInfo.InvariantCulture, out value);
    }
}
