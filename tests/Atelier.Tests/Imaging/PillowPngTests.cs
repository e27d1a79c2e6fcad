using Atelier.Imaging;

namespace Atelier.Tests.Imaging;

/// <summary>PNGs written by Pillow (an independent encoder with its own filter choices), see tests/fixtures/gen_png.py.</summary>
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
        var image = PngDecoder.Decode(Convert.FromBase64String(sample.Png), name);
        Assert.Equal((PillowPngSamples.Width, PillowPngSamples.Height), (image.Width, image.Height));
        Assert.Equal(sample.Rgba, image.Rgba);
    }
}
