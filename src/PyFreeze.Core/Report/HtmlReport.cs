using System.Text;

namespace PyFreeze.Report;

/// <summary>The build report as one self-contained HTML page: the template <c>src/PyFreeze.Core/Report/report.html</c>
/// (inline script and style, no network, opens from <c>file://</c>) with the report document in it.</summary>
public static class HtmlReport
{
    private const string Placeholder = "__PYFREEZE_REPORT__";

    private static readonly Lazy<string> Template = new(() =>
    {
        using var s = typeof(HtmlReport).Assembly.GetManifestResourceStream("PyFreeze.Report.report.html")
            ?? throw new InvalidOperationException("the report template is not embedded in PyFreeze.Core");
        using var r = new StreamReader(s, Encoding.UTF8);
        return r.ReadToEnd();
    });

    /// <summary>Writes the page for <paramref name="report"/> to <paramref name="output"/> (UTF-8).</summary>
    public static void Write(BuildReportModel report, Stream output)
    {
        var template = Template.Value;
        int at = template.IndexOf(Placeholder, StringComparison.Ordinal);
        // inside <script type="application/json">, "</script" must not appear: '<' only occurs in JSON strings, where
        // \u003c means the same
        var json = Encoding.UTF8.GetString(report.ToJson()).Replace("<", "\\u003c", StringComparison.Ordinal);
        using var w = new StreamWriter(output, new UTF8Encoding(false), 1 << 16, leaveOpen: true);
        w.Write(template.AsSpan(0, at));
        w.Write(json);
        w.Write(template.AsSpan(at + Placeholder.Length));
    }
}
