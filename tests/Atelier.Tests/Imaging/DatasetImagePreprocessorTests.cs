using Atelier.Imaging;
using Atelier.Tests.Data;

namespace Atelier.Tests.Imaging;

public sealed class DatasetImagePreprocessorTests
{
    /// <summary>An 8-bit RGB image of <paramref name="width"/>×<paramref name="height"/> filled by <paramref name="color"/>(x, y).</summary>
    private static DecodedImage Rgb(int width, int height, Func<int, int, (int R, int G, int B)> color, bool interlaced = false)
    {
        var samples = new int[width * height * 3];
        for (int y = 0; y < height; y++)
            for (int x = 0; x < width; x++)
            {
                var (r, g, b) = color(x, y);
                samples[(y * width + x) * 3] = r;
                samples[(y * width + x) * 3 + 1] = g;
                samples[(y * width + x) * 3 + 2] = b;
            }
        return ImageDecoder.Decode(TestPngWriter.Encode(width, height, PngColorType.Rgb, 8, samples, interlaced), "test.png");
    }

    private static (int Left, int Top, int Right, int Bottom) Box(byte[] image, int threshold = 0)
    {
        int left = 28, top = 28, right = -1, bottom = -1;
        for (int y = 0; y < 28; y++)
            for (int x = 0; x < 28; x++)
                if (image[y * 28 + x] > threshold) { left = Math.Min(left, x); right = Math.Max(right, x); top = Math.Min(top, y); bottom = Math.Max(bottom, y); }
        return (left, top, right, bottom);
    }

    [Fact]
    public void A_dark_object_on_a_light_background_is_inverted_cropped_and_centred()
    {
        // 120x80 white photo with a dark-blue 40x20 rectangle off-centre.
        var image = Rgb(120, 80, (x, y) => x is >= 70 and < 110 && y is >= 5 and < 25 ? (10, 10, 60) : (250, 250, 245));
        var output = DatasetImagePreprocessor.ToDatasetImage(image);
        Assert.Equal(784, output.Length);
        Assert.Equal((0, 7, 27, 20), Box(output)); // 40x20 → 28x14, centred vertically
        Assert.Equal(0, output[0]);
        Assert.Equal(255, output[14 * 28 + 14]); // background removed, contrast stretched
    }

    [Fact]
    public void A_light_object_on_a_dark_background_is_not_inverted()
    {
        var image = Rgb(50, 90, (x, y) => x is >= 20 and < 30 && y is >= 10 and < 80 ? (200, 200, 200) : (0, 0, 0));
        var output = DatasetImagePreprocessor.ToDatasetImage(image);
        Assert.Equal((12, 0, 15, 27), Box(output)); // 10x70 → 4x28, centred horizontally
        Assert.Equal(255, output[14 * 28 + 13]); // contrast stretched like the dataset
        Assert.Equal(0, output[14 * 28 + 2]);
    }

    [Fact]
    public void Transparent_background_counts_as_white()
    {
        // RGBA: fully transparent everywhere except an opaque black disc.
        int w = 64, h = 64;
        var samples = new int[w * h * 4];
        for (int y = 0; y < h; y++)
            for (int x = 0; x < w; x++)
            {
                bool inside = (x - 32) * (x - 32) + (y - 32) * (y - 32) < 20 * 20;
                samples[(y * w + x) * 4 + 3] = inside ? 255 : 0;
            }
        var output = DatasetImagePreprocessor.ToDatasetImage(ImageDecoder.Decode(TestPngWriter.Encode(w, h, PngColorType.Rgba, 8, samples), "disc.png"));
        Assert.Equal(0, output[0]);
        Assert.Equal(255, output[14 * 28 + 14]);
        var (left, top, right, bottom) = Box(output);
        Assert.Equal(27 - right, left); // centred
        Assert.Equal(27 - bottom, top);
    }

    [Fact]
    public void A_dataset_image_scaled_up_on_white_comes_back_close_to_itself()
    {
        // A product photo: the ankle boot of training image 0 inverted (dark on white), 4x larger, with a white margin.
        var original = TestData.FashionTrain.Image(0).ToArray();
        const int scale = 4, margin = 20, size = 28 * scale + 2 * margin;
        var photo = Rgb(size, size, (x, y) =>
        {
            int sx = (x - margin) / scale, sy = (y - margin) / scale;
            int v = x >= margin && y >= margin && sx < 28 && sy < 28 ? 255 - original[sy * 28 + sx] : 255;
            return (v, v, v);
        }, interlaced: true);
        var output = DatasetImagePreprocessor.ToDatasetImage(photo);
        // The boot spans rows 3..25: centring may put the odd spare row on the other side, so allow a one-pixel shift.
        double best = double.MaxValue;
        for (int dy = -1; dy <= 1; dy++)
            for (int dx = -1; dx <= 1; dx++)
            {
                double error = 0;
                for (int y = 0; y < 28; y++)
                    for (int x = 0; x < 28; x++)
                    {
                        int sy = y + dy, sx = x + dx;
                        error += Math.Abs(output[y * 28 + x] - (sy is >= 0 and < 28 && sx is >= 0 and < 28 ? original[sy * 28 + sx] : 0));
                    }
                best = Math.Min(best, error / 784);
            }
        Assert.True(best < 2, $"mean absolute difference {best:0.00} of 255");
    }

    [Theory]
    [InlineData(255, 255, 255)]
    [InlineData(0, 0, 0)]
    [InlineData(128, 40, 200)]
    public void A_uniform_image_is_blank_not_a_prediction(int r, int g, int b)
    {
        var image = Rgb(30, 30, (_, _) => (r, g, b));
        var e = Assert.Throws<BlankImageException>(() => DatasetImagePreprocessor.ToDatasetImage(image, name: "white.png"));
        Assert.Equal("white.png is blank: every pixel has the same colour, so there is nothing to classify.", e.Message);
        Assert.Equal("white.png", e.ImageName);
        Assert.IsAssignableFrom<IOException>(e); // the predict command already reports these per file, as one sentence
    }

    [Fact]
    public void A_blank_image_is_named_by_the_path_it_was_decoded_from()
    {
        string path = Path.Combine(TestData.TempDirectory(), "page.png");
        File.WriteAllBytes(path, TestPngWriter.Encode(8, 8, PngColorType.Grayscale, 8, Enumerable.Repeat(255, 64).ToArray()));
        var e = Assert.Throws<BlankImageException>(() => DatasetImagePreprocessor.ToDatasetImage(ImageDecoder.Decode(path)));
        Assert.StartsWith($"{path} is blank", e.Message);
    }

    [Fact]
    public void A_solid_block_that_fills_the_frame_once_cropped_is_blank()
    {
        var image = Rgb(4, 4, (x, y) => x is 1 or 2 && y is 1 or 2 ? (255, 255, 255) : (0, 0, 0));
        var e = Assert.Throws<BlankImageException>(() => DatasetImagePreprocessor.ToDatasetImage(image));
        Assert.Contains("every pixel has the same colour", e.Message);
    }

    [Fact]
    public void A_tiny_image_is_scaled_up()
    {
        var output = DatasetImagePreprocessor.ToDatasetImage(Rgb(4, 4, (x, y) => x is 1 or 2 && y == 1 ? (255, 255, 255) : (0, 0, 0)));
        Assert.Equal((0, 7, 27, 20), Box(output)); // 2x1 → 28x14, centred
        Assert.Equal(255, output[14 * 28 + 14]);
        Assert.Equal(0, output[0]);
    }
}
