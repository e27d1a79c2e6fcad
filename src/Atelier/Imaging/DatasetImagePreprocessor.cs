namespace Atelier.Imaging;

/// <summary>
/// Turns a photo or drawing of any size and colour into a 28x28 image like Fashion-MNIST's (Xiao et al. 2017 made
/// theirs by trimming, resizing the longest edge to 28, centring and negating): luminance with alpha over white,
/// inverted when the background is light, background level removed and contrast stretched to 0..1, cropped to the object, area-resized keeping
/// the aspect ratio, centred on black. Output: bytes 0..255, 0 = background, like the dataset.
/// </summary>
public static class DatasetImagePreprocessor
{
    /// <summary>Pixels brighter than the background by more than this (on 0..1) belong to the object's bounding box.</summary>
    public const float ObjectThreshold = 0.1f;

    /// <summary>When no pixel stands out from the background by this much (on 0..1: a quarter of one 8-bit step), the image is blank.</summary>
    public const float BlankContrast = 1e-3f;

    /// <summary>The image as Fashion-MNIST would have it.</summary>
    /// <param name="image">the decoded picture, any size, colour or grayscale.</param>
    /// <param name="size">the side of the square result, in pixels.</param>
    /// <param name="name">names the image in the message; null uses <see cref="DecodedImage.Name"/> (the decoded file's path).</param>
    /// <exception cref="BlankImageException">every pixel has the same colour, before or after preprocessing.</exception>
    public static byte[] ToDatasetImage(DecodedImage image, int size = 28, string? name = null)
    {
        if (size < 1) throw new ArgumentException($"The output size must be at least 1, got {size}.");
        name ??= image.Name;
        int w = image.Width, h = image.Height;
        var gray = Luminance(image);

        float border = BorderMean(gray, w, h);
        bool invert = border > 0.5f;
        if (invert) for (int i = 0; i < gray.Length; i++) gray[i] = 1f - gray[i];
        float background = invert ? 1f - border : border;
        // Lift the background to 0 (a grey backdrop is not part of the object), then stretch the brightest pixel to 1:
        // Fashion-MNIST's images all reach 250..255.
        float brightest = 0f;
        for (int i = 0; i < gray.Length; i++)
        {
            gray[i] = Math.Max(gray[i] - background, 0f);
            brightest = Math.Max(brightest, gray[i]);
        }
        if (brightest < BlankContrast)
            throw new BlankImageException(name, $"{name} is blank: every pixel has the same colour, so there is nothing to classify.");
        for (int i = 0; i < gray.Length; i++) gray[i] /= brightest;

        var output = new byte[size * size];
        BoundingBox(gray, w, h, out int left, out int top, out int right, out int bottom); // the brightest pixel (1) is in it

        int boxW = right - left + 1, boxH = bottom - top + 1;
        double scale = (double)size / Math.Max(boxW, boxH);
        int outW = Math.Clamp((int)Math.Round(boxW * scale), 1, size), outH = Math.Clamp((int)Math.Round(boxH * scale), 1, size);
        var resized = AreaResize(gray, w, left, top, boxW, boxH, outW, outH);
        int offX = (size - outW) / 2, offY = (size - outH) / 2;
        for (int y = 0; y < outH; y++)
            for (int x = 0; x < outW; x++)
                output[(offY + y) * size + offX + x] = (byte)MathF.Round(Math.Clamp(resized[y * outW + x], 0f, 1f) * 255f);
        // A speck or a solid block cropped to fill the frame: a uniform square is no more an object than a blank page.
        if (size > 1 && !output.AsSpan().ContainsAnyExcept(output[0]))
            throw new BlankImageException(name, $"{name} is blank: once its background is removed and its object cropped, every pixel has the same colour, so there is nothing to classify.");
        return output;
    }

    /// <summary>ITU-R 601 luma (as PIL's "L" mode) on 0..1, composited over a white background by alpha.</summary>
    public static float[] Luminance(DecodedImage image)
    {
        var rgba = image.Rgba;
        var gray = new float[image.Width * image.Height];
        const float unit = 1f / 65535f;
        for (int i = 0; i < gray.Length; i++)
        {
            float luma = (0.299f * rgba[i * 4] + 0.587f * rgba[i * 4 + 1] + 0.114f * rgba[i * 4 + 2]) * unit;
            float alpha = rgba[i * 4 + 3] * unit;
            gray[i] = alpha * luma + (1f - alpha);
        }
        return gray;
    }

    /// <summary>Mean of the outermost rows and columns: the background, for a centred object.</summary>
    public static float BorderMean(ReadOnlySpan<float> gray, int w, int h)
    {
        double sum = 0;
        int n = 0;
        for (int y = 0; y < h; y++)
            for (int x = 0; x < w; x++)
            {
                if (y != 0 && y != h - 1 && x != 0 && x != w - 1) { x = w - 2; continue; }
                sum += gray[y * w + x];
                n++;
            }
        return (float)(sum / n);
    }

    private static void BoundingBox(ReadOnlySpan<float> gray, int w, int h, out int left, out int top, out int right, out int bottom)
    {
        left = w; top = h; right = -1; bottom = -1;
        for (int y = 0; y < h; y++)
            for (int x = 0; x < w; x++)
            {
                if (gray[y * w + x] <= ObjectThreshold) continue;
                if (x < left) left = x;
                if (x > right) right = x;
                if (y < top) top = y;
                if (y > bottom) bottom = y;
            }
    }

    /// <summary>
    /// Box-filter resampling of the region (left, top, boxW, boxH) to outW×outH: each output pixel averages the input
    /// area it covers (fractional edges weighted), so downscaling does not alias. Separable: rows, then columns.
    /// </summary>
    private static float[] AreaResize(ReadOnlySpan<float> gray, int stride, int left, int top, int boxW, int boxH, int outW, int outH)
    {
        var horizontal = new float[boxH * outW];
        var xWeights = Weights(boxW, outW);
        for (int y = 0; y < boxH; y++)
        {
            var row = gray.Slice((top + y) * stride + left, boxW);
            for (int ox = 0; ox < outW; ox++)
            {
                float sum = 0;
                foreach (var (index, weight) in xWeights[ox]) sum += row[index] * weight;
                horizontal[y * outW + ox] = sum;
            }
        }
        var result = new float[outH * outW];
        var yWeights = Weights(boxH, outH);
        for (int oy = 0; oy < outH; oy++)
            foreach (var (index, weight) in yWeights[oy])
                for (int ox = 0; ox < outW; ox++)
                    result[oy * outW + ox] += horizontal[index * outW + ox] * weight;
        return result;
    }

    /// <summary>For each output position, the input positions it covers and their normalised overlap.</summary>
    private static List<(int Index, float Weight)>[] Weights(int inSize, int outSize)
    {
        var weights = new List<(int, float)>[outSize];
        double step = (double)inSize / outSize;
        for (int o = 0; o < outSize; o++)
        {
            double start = o * step, end = (o + 1) * step;
            var list = new List<(int, float)>();
            for (int i = (int)Math.Floor(start); i < Math.Min(inSize, (int)Math.Ceiling(end)); i++)
            {
                double overlap = Math.Min(end, i + 1) - Math.Max(start, i);
                if (overlap > 0) list.Add((i, (float)(overlap / step)));
            }
            weights[o] = list;
        }
        return weights;
    }
}
