using System.Buffers;
using System.Collections.Concurrent;
using System.Text;
using System.Text.Unicode;

namespace PyFreeze.Analyze.Scanning;

/// <summary>
/// Turns the bytes of a Python source file into text the way CPython does (PEP 263 and
/// <c>tokenize.detect_encoding</c> in <c>Lib/tokenize.py</c>): a UTF-8 BOM, else a coding declaration in a comment on
/// line 1 or 2 (line 2 only when line 1 is blank or a comment), else UTF-8.
/// </summary>
/// <remarks>
/// Unlike CPython, nothing here fails: an unknown encoding, a declaration that contradicts the BOM, or bytes that
/// do not decode are reported as a <see cref="ScanProblem"/> and the file is read as latin-1 (every byte is a
/// character), so scanning can go on. Thread-safe.
/// </remarks>
public static class PythonSourceDecoder
{
    /// <summary>The name reported when decoding fell back to latin-1 (CPython's normal name for it).</summary>
    public const string Latin1Name = "iso-8859-1";

    private static readonly ConcurrentDictionary<string, Encoding?> Cache = new(StringComparer.Ordinal);

    static PythonSourceDecoder()
    {
        Encoding.RegisterProvider(CodePagesEncodingProvider.Instance);
    }

    /// <summary>Decodes a source file.</summary>
    /// <param name="source">The file's bytes.</param>
    /// <param name="encoding">The encoding used, named as CPython's <c>tokenize.detect_encoding</c> does:
    /// <c>utf-8</c> (any utf-8 alias), <c>utf-8-sig</c> (BOM), <c>iso-8859-1</c> (any latin-1 alias, also the
    /// fallback), or the declared name in lower case (<c>cp1252</c>).</param>
    /// <param name="problems">Where to add problems; null to ignore them.</param>
    /// <returns>The text, without the BOM.</returns>
    public static string Decode(ReadOnlySpan<byte> source, out string encoding, List<ScanProblem>? problems = null)
    {
        char[] buffer = DecodeToBuffer(source, out int length, out encoding, problems);
        string text = new(buffer, 0, length);
        ArrayPool<char>.Shared.Return(buffer);
        return text;
    }

    /// <summary>Decodes into a buffer rented from <see cref="ArrayPool{T}.Shared"/>; the caller returns it.</summary>
    internal static char[] DecodeToBuffer(ReadOnlySpan<byte> source, out int length, out string encoding, List<ScanProblem>? problems)
    {
        bool bom = source.Length >= 3 && source[0] == 0xEF && source[1] == 0xBB && source[2] == 0xBF;
        if (bom)
            source = source[3..];

        string? declared = FindDeclaration(source, out int declLine, out int declCol);
        Encoding? enc = null;
        if (declared is null)
        {
            encoding = bom ? "utf-8-sig" : "utf-8";
        }
        else
        {
            string normal = NormalName(declared);
            if (bom && normal != "utf-8")
            {
                Add(problems, declLine, declCol, $"encoding problem: {declared} with BOM; decoded as utf-8");
                encoding = "utf-8-sig";
            }
            else if (normal == "utf-8")
            {
                encoding = bom ? "utf-8-sig" : "utf-8";
            }
            else
            {
                enc = GetEncoding(normal);
                if (enc is null)
                {
                    Add(problems, declLine, declCol, $"unknown encoding: {declared}; decoded as latin-1");
                    return Latin1(source, out length, out encoding);
                }
                if (enc.CodePage == 65001)
                {
                    enc = null; // utf8, u8, cp65001…: the fast path below
                    encoding = "utf-8";
                }
                else
                {
                    encoding = enc.CodePage == 28591 ? Latin1Name : normal.ToLowerInvariant();
                }
            }
        }

        if (enc is null)
        {
            char[] buffer = ArrayPool<char>.Shared.Rent(Math.Max(source.Length, 1));
            var status = Utf8.ToUtf16(source, buffer, out int read, out length, replaceInvalidSequences: false);
            if (status == OperationStatus.Done)
                return buffer;
            ArrayPool<char>.Shared.Return(buffer);
            BadByte(problems, source, read, "utf-8");
            return Latin1(source, out length, out encoding);
        }

        char[] chars = ArrayPool<char>.Shared.Rent(Math.Max(enc.GetMaxCharCount(source.Length), 1));
        try
        {
            length = enc.GetChars(source, chars);
            return chars;
        }
        catch (DecoderFallbackException e)
        {
            ArrayPool<char>.Shared.Return(chars);
            BadByte(problems, source, Math.Clamp(e.Index, 0, source.Length), encoding);
            return Latin1(source, out length, out encoding);
        }
        catch (ArgumentException)
        {
            // An encoding that cannot decode this input at all (should not happen with the fallbacks above).
            ArrayPool<char>.Shared.Return(chars);
            Add(problems, 1, 1, $"cannot decode as {encoding}; decoded as latin-1");
            return Latin1(source, out length, out encoding);
        }
    }

    /// <summary>
    /// CPython's <c>tokenize._get_normal_name</c>: the utf-8 and latin-1 spellings become <c>utf-8</c> and
    /// <c>iso-8859-1</c>; any other name is returned as given.
    /// </summary>
    /// <param name="name">A declared encoding name.</param>
    /// <returns>The normal name.</returns>
    public static string NormalName(string name)
    {
        string enc = (name.Length > 12 ? name[..12] : name).ToLowerInvariant().Replace('_', '-');
        if (enc == "utf-8" || enc.StartsWith("utf-8-", StringComparison.Ordinal))
            return "utf-8";
        if (enc is "latin-1" or "iso-8859-1" or "iso-latin-1"
            || enc.StartsWith("latin-1-", StringComparison.Ordinal)
            || enc.StartsWith("iso-8859-1-", StringComparison.Ordinal)
            || enc.StartsWith("iso-latin-1-", StringComparison.Ordinal))
            return Latin1Name;
        return name;
    }

    /// <summary>
    /// The .NET encoding for a Python codec name (aliases as in CPython's <c>Lib/encodings/aliases.py</c>: utf8,
    /// latin1, l1, ascii, us-ascii, cp1252, windows-1252, iso8859-15, latin9, koi8-r, shift_jis, euc-jp, gbk, big5, …).
    /// Decoding with it throws <see cref="DecoderFallbackException"/> on bytes the codec rejects.
    /// </summary>
    /// <param name="pythonName">The codec name as written in a declaration.</param>
    /// <returns>The encoding, or null when it is unknown or not usable for source files (UTF-16/32).</returns>
    public static Encoding? GetEncoding(string pythonName) =>
        Cache.GetOrAdd(pythonName.ToLowerInvariant(), static n => Lookup(n));

    private static Encoding? Lookup(string lower)
    {
        // encodings.normalize_encoding, then our alias table.
        string n = lower.Trim().Replace('-', '_').Replace(' ', '_').Replace('.', '_');
        int codePage = n switch
        {
            "utf_8" or "utf8" or "u8" or "utf" or "cp65001" or "utf_8_sig" or "utf8_ucs2" or "utf8_ucs4" => 65001,
            "latin_1" or "latin1" or "l1" or "latin" or "iso_8859_1" or "iso8859_1" or "8859" or "cp819" or "iso_ir_100"
                or "iso_latin_1" or "ibm819" => 28591,
            "ascii" or "us_ascii" or "646" or "us" or "ansi_x3_4_1968" or "iso646_us" or "cp367" or "ibm367" => 20127,
            "latin9" or "l9" or "latin_9" or "iso8859_15" or "iso_8859_15" => 28605,
            "latin2" or "l2" or "iso8859_2" or "iso_8859_2" => 28592,
            "koi8_r" => 20866,
            "koi8_u" => 21866,
            "shift_jis" or "sjis" or "s_jis" or "shiftjis" or "csshiftjis" => 932,
            "cp932" or "ms932" or "mskanji" or "ms_kanji" => 932,
            "euc_jp" or "eucjp" or "ujis" or "u_jis" => 51932,
            "gbk" or "cp936" or "ms936" or "936" => 936,
            "gb2312" or "chinese" or "euc_cn" or "euccn" or "eucgb2312_cn" or "gb2312_1980" => 936,
            "gb18030" or "gb18030_2000" => 54936,
            "big5" or "big5_tw" or "csbig5" or "cp950" or "ms950" => 950,
            "euc_kr" or "euckr" or "korean" or "ksc5601" or "ks_c_5601" or "cp949" or "uhc" => 949,
            "mac_roman" or "macroman" or "macintosh" => 10000,
            "utf_16" or "utf16" or "utf_16_le" or "utf_16_be" or "utf_32" or "utf32" or "utf_32_le" or "utf_32_be" => -1,
            _ => 0,
        };
        if (codePage == 0)
        {
            if (n.StartsWith("cp", StringComparison.Ordinal) && int.TryParse(n.AsSpan(2), out int cp))
                codePage = cp;
            else if (n.StartsWith("windows_", StringComparison.Ordinal) && int.TryParse(n.AsSpan(8), out int wcp))
                codePage = wcp;
            else if (n.StartsWith("iso8859_", StringComparison.Ordinal) && int.TryParse(n.AsSpan(8), out int part)
                     || n.StartsWith("iso_8859_", StringComparison.Ordinal) && int.TryParse(n.AsSpan(9), out part))
                codePage = part is >= 1 and <= 16 ? 28590 + part : -1;
        }
        if (codePage < 0)
            return null;
        try
        {
            var enc = codePage > 0
                ? Encoding.GetEncoding(codePage)
                : Encoding.GetEncoding(n.Replace('_', '-'));
            if (enc.CodePage is 1200 or 1201 or 12000 or 12001)
                return null;
            return Encoding.GetEncoding(enc.CodePage, EncoderFallback.ReplacementFallback, DecoderFallback.ExceptionFallback);
        }
        catch (Exception e) when (e is ArgumentException or NotSupportedException)
        {
            return null;
        }
    }

    private static char[] Latin1(ReadOnlySpan<byte> source, out int length, out string encoding)
    {
        char[] buffer = ArrayPool<char>.Shared.Rent(Math.Max(source.Length, 1));
        length = Encoding.Latin1.GetChars(source, buffer);
        encoding = Latin1Name;
        return buffer;
    }

    private static void BadByte(List<ScanProblem>? problems, ReadOnlySpan<byte> source, int index, string codec)
    {
        var before = source[..index];
        int line = before.Count((byte)'\n') + 1;
        int col = index - (before.LastIndexOf((byte)'\n') + 1) + 1;
        string b = index < source.Length ? $"byte 0x{source[index]:x2}" : "the last bytes";
        Add(problems, line, col, $"'{codec}' codec can't decode {b}; decoded as latin-1");
    }

    private static void Add(List<ScanProblem>? problems, int line, int col, string message) =>
        problems?.Add(new ScanProblem(line, col, message));

    /// <summary>
    /// PEP 263: <c>^[ \t\f]*#.*?coding[:=][ \t]*([-\w.]+)</c> on line 1, or on line 2 when line 1 is blank or a
    /// comment.
    /// </summary>
    private static string? FindDeclaration(ReadOnlySpan<byte> source, out int line, out int column)
    {
        line = 1;
        column = 1;
        int start = 0;
        for (int n = 1; n <= 2; n++)
        {
            int end = source[start..].IndexOfAny((byte)'\n', (byte)'\r');
            var text = end < 0 ? source[start..] : source.Slice(start, end);
            string? name = Cookie(text, out int col);
            if (name is not null)
            {
                line = n;
                column = col + 1;
                return name;
            }
            if (n == 2 || end < 0 || !BlankOrComment(text))
                return null;
            start += end + 1;
            if (source[start - 1] == '\r' && start < source.Length && source[start] == '\n')
                start++;
        }
        return null;
    }

    private static bool BlankOrComment(ReadOnlySpan<byte> line)
    {
        foreach (byte b in line)
        {
            if (b is (byte)' ' or (byte)'\t' or (byte)'\f')
                continue;
            return b == (byte)'#';
        }
        return true;
    }

    private static string? Cookie(ReadOnlySpan<byte> line, out int column)
    {
        column = 0;
        int p = 0;
        while (p < line.Length && line[p] is (byte)' ' or (byte)'\t' or (byte)'\f')
            p++;
        if (p >= line.Length || line[p] != (byte)'#')
            return null;
        var rest = line[(p + 1)..];
        int offset = p + 1;
        while (true)
        {
            int i = rest.IndexOf("coding"u8);
            if (i < 0)
                return null;
            int q = i + 6;
            if (q < rest.Length && rest[q] is (byte)':' or (byte)'=')
            {
                q++;
                while (q < rest.Length && rest[q] is (byte)' ' or (byte)'\t')
                    q++;
                int nameStart = q;
                while (q < rest.Length && (rest[q] is (byte)'-' or (byte)'_' or (byte)'.'
                                           || char.IsAsciiLetterOrDigit((char)rest[q])))
                    q++;
                if (q > nameStart)
                {
                    column = offset + nameStart;
                    return Encoding.ASCII.GetString(rest[nameStart..q]);
                }
            }
            rest = rest[(i + 6)..];
            offset += i + 6;
        }
    }
}
