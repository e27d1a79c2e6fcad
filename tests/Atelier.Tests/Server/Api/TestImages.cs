using Atelier.Reports;

namespace Atelier.Tests.Server.Api;

/// <summary>Small PNGs for the predict tests: white shapes on black, as the dataset draws garments.</summary>
public static class TestImages
{
    /// <summary>A tall bar (trouser-like); <paramref name="variant"/> changes its size and place so answers differ.</summary>
    public static byte[] Shape(int variant = 0)
    {
        var pixels = new byte[28 * 28];
        int width = 4 + variant % 12, top = 2 + variant % 5, left = Math.Max(1, 14 - width / 2 - variant % 3);
        for (int y = top; y < 26 - variant % 7; y++)
            for (int x = left; x < Math.Min(27, left + width); x++) pixels[y * 28 + x] = (byte)(255 - (variant * 7) % 100);
        if (variant % 4 == 1) for (int x = 2; x < 26; x++) pixels[8 * 28 + x] = 255; // sleeves
        return PngEncoder.Gray8(28, 28, pixels);
    }

    public static byte[] Blank() => PngEncoder.Gray8(28, 28, Enumerable.Repeat((byte)255, 28 * 28).ToArray());
}
