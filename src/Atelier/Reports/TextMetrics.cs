namespace Atelier.Reports;

/// <summary>Text width estimates without a font engine: ~0.6·size per character for a sans-serif face.</summary>
public static class TextMetrics
{
    public const double CharWidth = 0.6;

    public static double Width(string text, double fontSize) => text.Length * CharWidth * fontSize;

    /// <summary>The text cut with an ellipsis so that it fits in <paramref name="maxWidth"/> pixels.</summary>
    public static string Fit(string text, double maxWidth, double fontSize)
    {
        if (Width(text, fontSize) <= maxWidth) return text;
        int chars = (int)Math.Floor(maxWidth / (CharWidth * fontSize)) - 1;
        if (chars <= 0) return "";
        return text[..chars].TrimEnd() + "…";
    }

    /// <summary>The text with its middle replaced by an ellipsis so that it fits (keeps distinguishing suffixes).</summary>
    public static string FitMiddle(string text, double maxWidth, double fontSize)
    {
        if (Width(text, fontSize) <= maxWidth) return text;
        int chars = (int)Math.Floor(maxWidth / (CharWidth * fontSize)) - 1;
        if (chars <= 1) return Fit(text, maxWidth, fontSize);
        int tail = chars / 2, head = chars - tail;
        return text[..head].TrimEnd() + "…" + text[^tail..].TrimStart();
    }
}
