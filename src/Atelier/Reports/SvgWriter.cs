using System.Globalization;
using System.Text;

namespace Atelier.Reports;

public enum TextAnchor { Start, Middle, End }

/// <summary>Appends compact SVG elements to a string; numbers in invariant culture, text escaped for XML.</summary>
public sealed class SvgWriter
{
    public const string FontFamily = "Helvetica,Arial,'DejaVu Sans',sans-serif";
    private readonly StringBuilder sb = new();
    private readonly bool fragment;

    private SvgWriter() => fragment = true;

    /// <summary>A writer for a run of elements without the root element (to be placed inside another figure).</summary>
    public static SvgWriter Fragment() => new();

    /// <summary>Opens the root element with a viewBox and paints a white background.</summary>
    public SvgWriter(double width, double height, string? title = null)
    {
        sb.Append("<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"").Append(Num(width)).Append("\" height=\"").Append(Num(height))
          .Append("\" viewBox=\"0 0 ").Append(Num(width)).Append(' ').Append(Num(height))
          .Append("\" font-family=\"").Append(FontFamily).Append("\">");
        if (!string.IsNullOrEmpty(title)) sb.Append("<title>").Append(Escape(title)).Append("</title>");
        sb.Append("<rect width=\"100%\" height=\"100%\" fill=\"#fff\"/>");
    }

    /// <summary>Shortest invariant form with at most 2 decimals; non-finite values (a bug upstream) become 0, never "NaN".</summary>
    public static string Num(double v)
    {
        if (!double.IsFinite(v)) return "0";
        double r = Math.Round(v, 2);
        if (r == 0) return "0";
        return r.ToString("0.##", CultureInfo.InvariantCulture);
    }

    /// <summary>XML-escapes text and drops characters XML 1.0 cannot hold (control characters, lone surrogates).</summary>
    public static string Escape(string text)
    {
        StringBuilder? o = null;
        for (int i = 0; i < text.Length; i++)
        {
            char c = text[i];
            string? rep = c switch
            {
                '&' => "&amp;",
                '<' => "&lt;",
                '>' => "&gt;",
                '"' => "&quot;",
                '\'' => "&#39;",
                _ => null,
            };
            bool invalid = (c < 0x20 && c != '\t' && c != '\n' && c != '\r') || c == '\uFFFE' || c == '\uFFFF'
                || (char.IsHighSurrogate(c) && (i + 1 >= text.Length || !char.IsLowSurrogate(text[i + 1])))
                || (char.IsLowSurrogate(c) && (i == 0 || !char.IsHighSurrogate(text[i - 1])));
            if (rep is null && !invalid)
            {
                o?.Append(c);
                continue;
            }
            o ??= new StringBuilder(text, 0, i, text.Length + 16);
            if (rep is not null) o.Append(rep);
        }
        return o?.ToString() ?? text;
    }

    public SvgWriter Raw(string markup)
    {
        sb.Append(markup);
        return this;
    }

    public SvgWriter Rect(double x, double y, double w, double h, string fill, string? stroke = null, double strokeWidth = 1)
    {
        sb.Append("<rect x=\"").Append(Num(x)).Append("\" y=\"").Append(Num(y)).Append("\" width=\"").Append(Num(Math.Max(0, w)))
          .Append("\" height=\"").Append(Num(Math.Max(0, h))).Append("\" fill=\"").Append(fill).Append('"');
        if (stroke is not null) sb.Append(" stroke=\"").Append(stroke).Append("\" stroke-width=\"").Append(Num(strokeWidth)).Append('"');
        sb.Append("/>");
        return this;
    }

    public SvgWriter Line(double x1, double y1, double x2, double y2, string stroke, double width = 1, string? dash = null)
    {
        sb.Append("<line x1=\"").Append(Num(x1)).Append("\" y1=\"").Append(Num(y1)).Append("\" x2=\"").Append(Num(x2))
          .Append("\" y2=\"").Append(Num(y2)).Append("\" stroke=\"").Append(stroke).Append("\" stroke-width=\"").Append(Num(width)).Append('"');
        if (dash is not null) sb.Append(" stroke-dasharray=\"").Append(dash).Append('"');
        sb.Append("/>");
        return this;
    }

    /// <summary>A path from a prepared "d" attribute (e.g. from <see cref="PathData"/>).</summary>
    public SvgWriter Path(string d, string stroke, double width, string? dash = null, string fill = "none", string? extra = null)
    {
        sb.Append("<path d=\"").Append(d).Append("\" fill=\"").Append(fill).Append("\" stroke=\"").Append(stroke)
          .Append("\" stroke-width=\"").Append(Num(width)).Append("\" stroke-linejoin=\"round\" stroke-linecap=\"round\"");
        if (dash is not null) sb.Append(" stroke-dasharray=\"").Append(dash).Append('"');
        if (extra is not null) sb.Append(' ').Append(extra);
        sb.Append("/>");
        return this;
    }

    public SvgWriter Circle(double cx, double cy, double r, string fill, string? stroke = null)
    {
        sb.Append("<circle cx=\"").Append(Num(cx)).Append("\" cy=\"").Append(Num(cy)).Append("\" r=\"").Append(Num(r))
          .Append("\" fill=\"").Append(fill).Append('"');
        if (stroke is not null) sb.Append(" stroke=\"").Append(stroke).Append('"');
        sb.Append("/>");
        return this;
    }

    /// <summary>One line of text; <paramref name="rotate"/> degrees about the anchor point; y is the baseline.</summary>
    public SvgWriter Text(double x, double y, string text, double size = 12, TextAnchor anchor = TextAnchor.Start,
        string fill = "#222", bool bold = false, double rotate = 0, string? cssClass = null)
    {
        sb.Append("<text x=\"").Append(Num(x)).Append("\" y=\"").Append(Num(y)).Append("\" font-size=\"").Append(Num(size)).Append('"');
        if (anchor != TextAnchor.Start) sb.Append(" text-anchor=\"").Append(anchor == TextAnchor.Middle ? "middle" : "end").Append('"');
        if (fill != "#000") sb.Append(" fill=\"").Append(fill).Append('"');
        if (bold) sb.Append(" font-weight=\"bold\"");
        if (rotate != 0) sb.Append(" transform=\"rotate(").Append(Num(rotate)).Append(' ').Append(Num(x)).Append(' ').Append(Num(y)).Append(")\"");
        if (cssClass is not null) sb.Append(" class=\"").Append(cssClass).Append('"');
        sb.Append('>').Append(Escape(text)).Append("</text>");
        return this;
    }

    /// <summary>An embedded PNG drawn in the box; pixelated so small images (28×28) stay crisp when scaled up.</summary>
    public SvgWriter Png(double x, double y, double w, double h, byte[] png)
    {
        sb.Append("<image x=\"").Append(Num(x)).Append("\" y=\"").Append(Num(y)).Append("\" width=\"").Append(Num(w)).Append("\" height=\"").Append(Num(h))
          .Append("\" preserveAspectRatio=\"none\" style=\"image-rendering:pixelated\" href=\"data:image/png;base64,")
          .Append(Convert.ToBase64String(png)).Append("\"/>");
        return this;
    }

    public SvgWriter OpenGroup(string? attributes = null)
    {
        sb.Append("<g");
        if (attributes is not null) sb.Append(' ').Append(attributes);
        sb.Append('>');
        return this;
    }

    public SvgWriter CloseGroup()
    {
        sb.Append("</g>");
        return this;
    }

    /// <summary>The finished document (or, for a fragment, its elements).</summary>
    public string Finish() => fragment ? sb.ToString() : sb.Append("</svg>").ToString();
}
