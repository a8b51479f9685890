using System.Text;

namespace PyFreeze.Report;

/// <summary>The build report as one self-contained HTML page: the template <c>src/PyFreeze.Core/Report/report.html</c>
/// (inline script and style, no network, opens from <c>file://</c>) with the report document in it.</summary>
public static class HtmlReport
{
    private const string Placeholder = "__PYFREEZE_REPORT__";

    /// <summary>The template's UTF-8 bytes before and after the placeholder.</summary>
    private static readonly Lazy<(byte[] Head, byte[] Tail)> Template = new(() =>
    {
        using var s = typeof(HtmlReport).Assembly.GetManifestResourceStream("PyFreeze.Report.report.html")
            ?? throw new InvalidOperationException("the report template is not embedded in PyFreeze.Core");
        using var r = new StreamReader(s, Encoding.UTF8);
        var text = r.ReadToEnd();
        int at = text.IndexOf(Placeholder, StringComparison.Ordinal);
        return (Encoding.UTF8.GetBytes(text[..at]), Encoding.UTF8.GetBytes(text[(at + Placeholder.Length)..]));
    });

    /// <summary>Writes the page for a report document (<see cref="BuildReportModel.ToJson"/>) to <paramref name="output"/>.</summary>
    public static void Write(byte[] reportJson, Stream output)
    {
        var (head, tail) = Template.Value;
        output.Write(head);
        // inside <script type="application/json">, "</script" must not appear: '<' only occurs in JSON strings, where
        // \u003c means the same
        var rest = reportJson.AsSpan();
        for (int i; (i = rest.IndexOf((byte)'<')) >= 0; rest = rest[(i + 1)..])
        {
            output.Write(rest[..i]);
            output.Write("\\u003c"u8);
        }
        output.Write(rest);
        output.Write(tail);
    }
}
