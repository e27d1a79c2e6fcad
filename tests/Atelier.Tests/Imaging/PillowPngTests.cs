using Atelier.Imaging;

namespace Atelier.Tests.Imaging;

/// <summary>
/// PNGs written by Pillow (an independent encoder with its own filter choices), see tests/fixtures/gen_png.py. The
/// expected samples are 16-bit; Skia decodes to 8 bits, so they are compared at that precision.
/// </summary>
public sealed class PillowPngTests
{
    public static TheoryData<string> Names()
    {
        var names = new TheoryData<string>();
        foreach (var sample in PillowPngSamples.All) names.Add(sample.Name);
        return names;
    }

    [Theory]
    [MemberData(nameof(Names))]
    public void Decodes_what_pillow_wrote(string name)
    {
        var sample = Array.Find(PillowPngSamples.All, s => s.Name == name);
        var image = ImageDecoder.Decode(Convert.FromBase64String(sample.Png), name);
        Assert.Equal((PillowPngSamples.Width, PillowPngSamples.Height), (image.Width, image.Height));
        Assert.Equal(sample.Rgba.Length, image.Rgba.Length);
        for (int i = 0; i < sample.Rgba.Length; i++)
        {
            if (i % 4 != 3 && sample.Rgba[i - i % 4 + 3] == 0) continue; // a transparent pixel's colour does not matter
            Assert.True(Math.Abs(sample.Rgba[i] / 257.0 - image.Rgba[i] / 257.0) <= 1.0,
                $"{name}: sample {i} is {image.Rgba[i]}, expected {sample.Rgba[i]} within one 8-bit step.");
        }
    }
}
