using System.Net;
using System.Text;

namespace Atelier.Reports;

/// <summary>
/// A self-contained HTML page (inline CSS, inline SVG, data-URI images; no scripts, no network, no web fonts) built
/// from sections; optionally also writes each SVG figure to its own file.
/// </summary>
public sealed class HtmlReport(string title, string? subtitle = null)
{
    private enum Kind { Svg, Html, Text }

    private sealed record Section(string Heading, Kind Kind, string Body, string? Caption);

    private readonly List<Section> sections = [];

    public string Title { get; } = title;
    public string? Subtitle { get; } = subtitle;

    /// <summary>A figure from one of the charts (an &lt;svg&gt; document).</summary>
    public HtmlReport AddFigure(string heading, string svg, string? caption = null)
    {
        if (!svg.StartsWith("<svg", StringComparison.Ordinal)) throw new ArgumentException($"Figure \"{heading}\" is not an SVG document.");
        sections.Add(new Section(heading, Kind.Svg, svg, caption));
        return this;
    }

    public HtmlReport AddTable(string heading, Table table, string? caption = null)
    {
        sections.Add(new Section(heading, Kind.Html, table.ToHtml(), caption));
        return this;
    }

    /// <summary>Preformatted text (e.g. a classification report or a model summary), escaped.</summary>
    public HtmlReport AddText(string heading, string text, string? caption = null)
    {
        sections.Add(new Section(heading, Kind.Text, text, caption));
        return this;
    }

    public string ToHtml()
    {
        var sb = new StringBuilder();
        sb.Append("<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">")
          .Append("<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">")
          .Append("<title>").Append(Enc(Title)).Append("</title><style>").Append(Css).Append("</style></head><body><main>\n")
          .Append("<header><h1>").Append(Enc(Title)).Append("</h1>");
        if (!string.IsNullOrEmpty(Subtitle)) sb.Append("<p class=\"subtitle\">").Append(Enc(Subtitle)).Append("</p>");
        sb.Append("</header>\n");
        for (int i = 0; i < sections.Count; i++)
        {
            var s = sections[i];
            sb.Append("<section id=\"").Append(FileStem(i)).Append("\"><h2>").Append(Enc(s.Heading)).Append("</h2><figure>");
            switch (s.Kind)
            {
                case Kind.Svg: sb.Append(s.Body); break;
                case Kind.Html: sb.Append("<div class=\"table-wrap\">").Append(s.Body).Append("</div>"); break;
                default: sb.Append("<pre>").Append(Enc(s.Body)).Append("</pre>"); break;
            }
            if (!string.IsNullOrEmpty(s.Caption)) sb.Append("<figcaption>").Append(Enc(s.Caption)).Append("</figcaption>");
            sb.Append("</figure></section>\n");
        }
        sb.Append("</main></body></html>\n");
        return sb.ToString();
    }

    /// <summary>
    /// Writes the page to <paramref name="htmlPath"/> and, when <paramref name="figureFolder"/> is given, each figure as
    /// "NN-heading.svg" there. Every file is written to a temporary name and renamed, so no reader sees half a file.
    /// </summary>
    public IReadOnlyList<string> Write(string htmlPath, string? figureFolder = null)
    {
        var written = new List<string>();
        if (figureFolder is not null)
        {
            Directory.CreateDirectory(figureFolder);
            for (int i = 0; i < sections.Count; i++)
            {
                if (sections[i].Kind != Kind.Svg) continue;
                string path = Path.Combine(figureFolder, FileStem(i) + ".svg");
                WriteAtomically(path, "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n" + sections[i].Body + "\n");
                written.Add(path);
            }
        }
        string? dir = Path.GetDirectoryName(Path.GetFullPath(htmlPath));
        if (dir is not null) Directory.CreateDirectory(dir);
        WriteAtomically(htmlPath, ToHtml());
        written.Add(htmlPath);
        return written;
    }

    public static void WriteAtomically(string path, string content)
    {
        string full = Path.GetFullPath(path);
        string temp = Path.Combine(Path.GetDirectoryName(full)!, $".{Path.GetFileName(full)}.{Guid.NewGuid():N}.tmp");
        try
        {
            File.WriteAllText(temp, content, new UTF8Encoding(encoderShouldEmitUTF8Identifier: false));
            File.Move(temp, full, overwrite: true);
        }
        finally
        {
            if (File.Exists(temp)) File.Delete(temp);
        }
    }

    /// <summary>"03-loss-per-epoch": section number and a filename-safe slug of its heading.</summary>
    private string FileStem(int i)
    {
        var slug = new StringBuilder();
        foreach (char c in sections[i].Heading.ToLowerInvariant())
        {
            if (char.IsAsciiLetterOrDigit(c)) slug.Append(c);
            else if (slug.Length > 0 && slug[^1] != '-') slug.Append('-');
            if (slug.Length >= 48) break;
        }
        return $"{i + 1:00}-{slug.ToString().Trim('-')}".TrimEnd('-');
    }

    private static string Enc(string s) => WebUtility.HtmlEncode(s);

    private const string Css =
        "body{margin:0;background:#f6f6f4;color:#222;font:15px/1.5 Helvetica,Arial,'DejaVu Sans',sans-serif}" +
        "main{max-width:1200px;margin:0 auto;padding:24px 32px 48px}" +
        "header{border-bottom:2px solid #ddd;margin-bottom:16px}h1{font-size:26px;margin:8px 0 4px}" +
        ".subtitle{color:#555;margin:0 0 12px}" +
        "section{background:#fff;border:1px solid #e2e2e2;border-radius:6px;padding:12px 20px 16px;margin:18px 0;break-inside:avoid}" +
        "h2{font-size:18px;margin:4px 0 10px}figure{margin:0}figure svg{max-width:100%;height:auto;display:block}" +
        "figcaption{color:#555;font-size:13px;margin-top:8px}" +
        "pre{font:13px/1.4 'DejaVu Sans Mono',Menlo,Consolas,monospace;background:#fafafa;padding:10px;overflow-x:auto;margin:0}" +
        ".table-wrap{overflow-x:auto}table.atelier-table{border-collapse:collapse;font-size:14px}" +
        ".atelier-table th,.atelier-table td{padding:5px 12px;border-bottom:1px solid #e6e6e6;text-align:left;white-space:nowrap}" +
        ".atelier-table th{background:#f0f0f0;border-bottom:2px solid #bbb;white-space:normal;vertical-align:bottom}.atelier-table .num{text-align:right;font-variant-numeric:tabular-nums}" +
        ".atelier-table tr.best td{font-weight:bold}.atelier-table tbody tr:nth-child(even){background:#fafafa}";
}
