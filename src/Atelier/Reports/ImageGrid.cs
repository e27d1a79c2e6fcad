namespace Atelier.Reports;

/// <summary>One picture of a grid with its caption; highlighted cells (e.g. misclassified) get a red caption and frame.</summary>
public sealed record ImageGridCell(GrayImage Image, string Caption = "", bool Highlight = false);

/// <summary>Images in rows with captions ("pred: Shirt 93%\ntrue: T-shirt/top"), each an embedded PNG.</summary>
public sealed class ImageGrid
{
    private const double CaptionFont = 10.5, LineHeight = 14, Gap = 10;

    public string? Title { get; set; }
    public List<ImageGridCell> Cells { get; } = [];
    public int Columns { get; set; } = 8;
    /// <summary>Displayed size of each image in pixels (28×28 images are scaled up without smoothing).</summary>
    public double ImageSize { get; set; } = 84;
    /// <summary>Cells widen for captions up to this multiple of the image size; longer captions are cut.</summary>
    public double MaxCaptionWidthFactor { get; set; } = 1.75;

    public ImageGrid Add(GrayImage image, string caption = "", bool highlight = false)
    {
        Cells.Add(new ImageGridCell(image, caption, highlight));
        return this;
    }

    public string ToSvg()
    {
        int cols = Math.Max(1, Math.Min(Columns, Cells.Count));
        int rows = (Cells.Count + cols - 1) / cols;
        int lines = 0;
        double captionW = 0;
        foreach (var c in Cells)
        {
            if (c.Caption.Length == 0) continue;
            var parts = c.Caption.Split('\n');
            lines = Math.Max(lines, parts.Length);
            foreach (var p in parts) captionW = Math.Max(captionW, TextMetrics.Width(p, CaptionFont) + 4);
        }
        double cellW = Math.Max(ImageSize, Math.Min(captionW, ImageSize * MaxCaptionWidthFactor)) + Gap, cellH = ImageSize + lines * LineHeight + Gap + (lines > 0 ? 4 : 0);
        double top = string.IsNullOrEmpty(Title) ? Gap : 38;
        double width = Math.Max(cols * cellW + Gap, string.IsNullOrEmpty(Title) ? 0 : TextMetrics.Width(Title, AxisPainter.TitleFont) + 20);
        double height = top + rows * cellH + Gap / 2;
        var w = new SvgWriter(Math.Ceiling(width), Math.Ceiling(height), Title);
        if (!string.IsNullOrEmpty(Title))
            w.Text(width / 2, 25, TextMetrics.Fit(Title, width - 20, AxisPainter.TitleFont), AxisPainter.TitleFont, TextAnchor.Middle, Palette.Text, bold: true);
        double left = (width - cols * cellW + Gap) / 2;
        for (int k = 0; k < Cells.Count; k++)
        {
            var cell = Cells[k];
            double x = left + (k % cols) * cellW, y = top + (k / cols) * cellH;
            double ix = x + (cellW - Gap - ImageSize) / 2;
            // Keep the aspect ratio inside the square slot.
            double scale = ImageSize / Math.Max(cell.Image.Width, cell.Image.Height);
            double iw = cell.Image.Width * scale, ih = cell.Image.Height * scale;
            w.Png(ix + (ImageSize - iw) / 2, y + (ImageSize - ih) / 2, iw, ih, cell.Image.ToPng());
            if (cell.Highlight) w.Rect(ix - 1.5, y - 1.5, ImageSize + 3, ImageSize + 3, "none", Palette.Error, 2);
            if (cell.Caption.Length == 0) continue;
            var parts = cell.Caption.Split('\n');
            for (int l = 0; l < parts.Length; l++)
                w.Text(x + (cellW - Gap) / 2, y + ImageSize + 4 + (l + 1) * LineHeight - 3, TextMetrics.Fit(parts[l], cellW - 2, CaptionFont), CaptionFont,
                    TextAnchor.Middle, cell.Highlight ? Palette.Error : Palette.Text, bold: cell.Highlight && l == 0);
        }
        return w.Finish();
    }
}
