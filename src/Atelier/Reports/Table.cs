using System.Globalization;
using System.Net;
using System.Text;

namespace Atelier.Reports;

/// <summary>A table of strings: header row plus data rows; numeric columns are right-aligned.</summary>
public sealed class Table
{
    public Table(string[] header, IReadOnlyList<string[]> rows)
    {
        foreach (var r in rows)
            if (r.Length != header.Length)
                throw new ArgumentException($"Every table row needs {header.Length} cells to match the header; one has {r.Length}.");
        Header = header;
        Rows = rows;
    }

    public string[] Header { get; }
    public IReadOnlyList<string[]> Rows { get; }
    /// <summary>Rows to emphasise (e.g. the best run), by index.</summary>
    public HashSet<int> Bold { get; } = [];

    public string ToHtml()
    {
        var numeric = NumericColumns();
        var sb = new StringBuilder("<table class=\"atelier-table\"><thead><tr>");
        for (int c = 0; c < Header.Length; c++)
            sb.Append(numeric[c] ? "<th class=\"num\">" : "<th>").Append(WebUtility.HtmlEncode(Header[c])).Append("</th>");
        sb.Append("</tr></thead><tbody>");
        for (int r = 0; r < Rows.Count; r++)
        {
            sb.Append(Bold.Contains(r) ? "<tr class=\"best\">" : "<tr>");
            for (int c = 0; c < Header.Length; c++)
                sb.Append(numeric[c] ? "<td class=\"num\">" : "<td>").Append(WebUtility.HtmlEncode(Rows[r][c])).Append("</td>");
            sb.Append("</tr>");
        }
        return sb.Append("</tbody></table>").ToString();
    }

    /// <summary>The table drawn as an SVG figure (columns sized by their widest cell; cells cut to 36 characters).</summary>
    public string ToSvg(string? title = null)
    {
        const double font = 12, rowH = 24, pad = 10;
        const int maxChars = 36;
        var numeric = NumericColumns();
        var widths = new double[Header.Length];
        for (int c = 0; c < Header.Length; c++)
        {
            widths[c] = TextMetrics.Width(Cut(Header[c]), font);
            foreach (var r in Rows) widths[c] = Math.Max(widths[c], TextMetrics.Width(Cut(r[c]), font));
            widths[c] += 2 * pad;
        }
        double tableW = 0;
        foreach (var cw in widths) tableW += cw;
        double top = string.IsNullOrEmpty(title) ? 8 : 38;
        double width = Math.Max(tableW + 16, string.IsNullOrEmpty(title) ? 0 : TextMetrics.Width(title, AxisPainter.TitleFont) + 20);
        double height = top + (Rows.Count + 1) * rowH + 8;
        var w = new SvgWriter(Math.Ceiling(width), Math.Ceiling(height), title);
        if (!string.IsNullOrEmpty(title)) w.Text(width / 2, 25, title, AxisPainter.TitleFont, TextAnchor.Middle, Palette.Text, bold: true);
        double x0 = 8;
        w.Rect(x0, top, tableW, rowH, "#f0f0f0");
        for (int r = 2; r <= Rows.Count; r += 2) w.Rect(x0, top + r * rowH, tableW, rowH, "#fafafa");
        for (int r = 0; r <= Rows.Count; r++)
        {
            double x = x0, y = top + r * rowH + rowH / 2 + font * 0.35;
            for (int c = 0; c < Header.Length; c++)
            {
                string text = Cut(r == 0 ? Header[c] : Rows[r - 1][c]);
                bool bold = r == 0 || Bold.Contains(r - 1);
                if (numeric[c]) w.Text(x + widths[c] - pad, y, text, font, TextAnchor.End, Palette.Text, bold);
                else w.Text(x + pad, y, text, font, TextAnchor.Start, Palette.Text, bold);
                x += widths[c];
            }
            w.Line(x0, top + (r + 1) * rowH, x0 + tableW, top + (r + 1) * rowH, r == 0 ? "#888" : "#e2e2e2");
        }
        return w.Finish();

        static string Cut(string s) => s.Length <= maxChars ? s : s[..(maxChars - 1)] + "…";
    }

    private bool[] NumericColumns()
    {
        var numeric = new bool[Header.Length];
        for (int c = 0; c < Header.Length; c++)
        {
            bool any = false, all = true;
            foreach (var r in Rows)
            {
                string s = r[c].Trim().TrimEnd('%', 's').Trim();
                if (s.Length == 0 || s == "-") continue;
                any = true;
                if (!double.TryParse(s, NumberStyles.Float, CultureInfo.InvariantCulture, out _)) { all = false; break; }
            }
            numeric[c] = any && all;
        }
        return numeric;
    }
}
