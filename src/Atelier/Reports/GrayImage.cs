namespace Atelier.Reports;

/// <summary>An 8-bit grayscale picture, [Height, Width] row-major, 0 = black.</summary>
public sealed class GrayImage
{
    public GrayImage(int width, int height, byte[] pixels)
    {
        if (width < 1 || height < 1 || pixels.Length != width * height)
            throw new ArgumentException($"A {width}×{height} grayscale image needs {width * height} pixels; got {pixels.Length}.");
        Width = width;
        Height = height;
        Pixels = pixels;
    }

    public int Width { get; }
    public int Height { get; }
    public byte[] Pixels { get; }

    /// <summary>Values mapped linearly from [lo, hi] to [0, 255] and clamped (a dataset image in [0, 1] by default).</summary>
    public static GrayImage FromFloats(int width, int height, ReadOnlySpan<float> values, float lo = 0, float hi = 1)
    {
        if (values.Length != width * height)
            throw new ArgumentException($"A {width}×{height} grayscale image needs {width * height} values; got {values.Length}.");
        var p = new byte[values.Length];
        float scale = hi > lo ? 255f / (hi - lo) : 0;
        for (int i = 0; i < p.Length; i++)
        {
            float v = (values[i] - lo) * scale;
            p[i] = float.IsNaN(v) ? (byte)0 : (byte)Math.Clamp(MathF.Round(v), 0, 255);
        }
        return new GrayImage(width, height, p);
    }

    /// <summary>Stretched from its own minimum to maximum: for filters and feature maps with arbitrary ranges.</summary>
    public static GrayImage FromFloatsAutoScaled(int width, int height, ReadOnlySpan<float> values)
    {
        float lo = float.PositiveInfinity, hi = float.NegativeInfinity;
        foreach (var v in values)
            if (float.IsFinite(v)) { lo = MathF.Min(lo, v); hi = MathF.Max(hi, v); }
        if (!float.IsFinite(lo)) (lo, hi) = (0, 1);
        else if (!(lo < hi)) (lo, hi) = (lo - 1, lo + 1); // a constant map shows as mid-gray
        return FromFloats(width, height, values, lo, hi);
    }

    public GrayImage Inverted()
    {
        var p = new byte[Pixels.Length];
        for (int i = 0; i < p.Length; i++) p[i] = (byte)(255 - Pixels[i]);
        return new GrayImage(Width, Height, p);
    }

    public byte[] ToPng() => PngEncoder.Gray8(Width, Height, Pixels);
}
