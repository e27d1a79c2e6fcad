namespace Atelier.Data;

/// <summary>
/// Applies <see cref="AugmentOptions"/> to one image of H×W floats (pixel/255, before normalisation), in place.
/// The random draws for a sample come from (seed, epoch, sample index) only, so results do not depend on thread
/// timing, batch order or prefetching, and a resumed run sees the same transforms.
/// </summary>
public sealed class Augmenter
{
    private readonly AugmentOptions options;
    private readonly int height, width;
    private readonly ulong seed;

    public Augmenter(AugmentOptions options, int height, int width, ulong seed)
    {
        options.Validate();
        this.options = options;
        this.height = height;
        this.width = width;
        this.seed = seed;
    }

    public AugmentOptions Options => options;

    /// <summary>Transforms <paramref name="image"/> (H·W floats) in place; <paramref name="scratch"/> is H·W floats of work space.</summary>
    public void Apply(Span<float> image, Span<float> scratch, int epoch, int sampleIndex)
    {
        int size = height * width;
        if (image.Length != size || scratch.Length < size)
            throw new ArgumentException($"An image of {height}x{width} needs {size} floats and as many of scratch, got {image.Length} and {scratch.Length}.");
        var random = new SampleRandom(seed, epoch, sampleIndex);
        if (options.CropPadding > 0) Crop(image, scratch[..size], ref random);
        if (options.FlipProbability > 0 && random.NextFloat() < options.FlipProbability) FlipHorizontal(image, height, width);
        if (options.HasAffine) Affine(image, scratch[..size], ref random);
        if (options.ErasingProbability > 0 && random.NextFloat() < options.ErasingProbability) Erase(image, ref random);
    }

    /// <summary>RandomCrop with zero padding p: the window's top-left is uniform in [0, 2p]², i.e. a shift of −p..p.</summary>
    private void Crop(Span<float> image, Span<float> scratch, ref SampleRandom random)
    {
        int p = options.CropPadding;
        int dy = random.NextInt(2 * p + 1) - p, dx = random.NextInt(2 * p + 1) - p;
        if (dx == 0 && dy == 0) return;
        image.CopyTo(scratch);
        for (int y = 0; y < height; y++)
        {
            var row = image.Slice(y * width, width);
            int sy = y + dy;
            if ((uint)sy >= (uint)height) { row.Clear(); continue; }
            for (int x = 0; x < width; x++)
            {
                int sx = x + dx;
                row[x] = (uint)sx < (uint)width ? scratch[sy * width + sx] : 0f;
            }
        }
    }

    public static void FlipHorizontal(Span<float> image, int height, int width)
    {
        for (int y = 0; y < height; y++) image.Slice(y * width, width).Reverse();
    }

    /// <summary>
    /// RandomAffine: rotation about the centre, scale, then translation by whole pixels (as torchvision rounds it);
    /// each output pixel samples the input bilinearly at the inverse-mapped point, 0 outside.
    /// </summary>
    private void Affine(Span<float> image, Span<float> scratch, ref SampleRandom random)
    {
        float degrees = options.RotationDegrees > 0 ? random.Uniform(-options.RotationDegrees, options.RotationDegrees) : 0f;
        float tx = 0, ty = 0;
        if (options.TranslateFraction > 0)
        {
            float maxDx = options.TranslateFraction * width, maxDy = options.TranslateFraction * height;
            tx = MathF.Round(random.Uniform(-maxDx, maxDx));
            ty = MathF.Round(random.Uniform(-maxDy, maxDy));
        }
        float scale = options.ScaleMax > options.ScaleMin ? random.Uniform(options.ScaleMin, options.ScaleMax) : options.ScaleMin;
        image.CopyTo(scratch);
        float angle = degrees * MathF.PI / 180f, cos = MathF.Cos(angle) / scale, sin = MathF.Sin(angle) / scale;
        float cx = (width - 1) * 0.5f, cy = (height - 1) * 0.5f;
        for (int y = 0; y < height; y++)
        {
            float ry = y - cy - ty;
            for (int x = 0; x < width; x++)
            {
                float rx = x - cx - tx;
                // Inverse of (rotate by angle, then scale): rotate by −angle and divide by scale.
                float sx = cos * rx + sin * ry + cx, sy = -sin * rx + cos * ry + cy;
                image[y * width + x] = Bilinear(scratch, sx, sy);
            }
        }
    }

    private float Bilinear(ReadOnlySpan<float> source, float sx, float sy)
    {
        int x0 = (int)MathF.Floor(sx), y0 = (int)MathF.Floor(sy);
        float fx = sx - x0, fy = sy - y0;
        return (1 - fy) * ((1 - fx) * At(source, x0, y0) + fx * At(source, x0 + 1, y0))
             + fy * ((1 - fx) * At(source, x0, y0 + 1) + fx * At(source, x0 + 1, y0 + 1));
    }

    private float At(ReadOnlySpan<float> source, int x, int y) =>
        (uint)x < (uint)width && (uint)y < (uint)height ? source[y * width + x] : 0f;

    /// <summary>RandomErasing (Zhong et al. 2017) as torchvision draws it: up to 10 tries for a box that fits, value 0.</summary>
    private void Erase(Span<float> image, ref SampleRandom random)
    {
        float area = height * width;
        float logRatioMin = MathF.Log(options.ErasingRatioMin), logRatioMax = MathF.Log(options.ErasingRatioMax);
        for (int attempt = 0; attempt < 10; attempt++)
        {
            float eraseArea = area * random.Uniform(options.ErasingScaleMin, options.ErasingScaleMax);
            float aspect = MathF.Exp(random.Uniform(logRatioMin, logRatioMax));
            int h = (int)MathF.Round(MathF.Sqrt(eraseArea * aspect));
            int w = (int)MathF.Round(MathF.Sqrt(eraseArea / aspect));
            if (h < 1 || w < 1 || h >= height || w >= width) continue;
            int top = random.NextInt(height - h + 1), left = random.NextInt(width - w + 1);
            for (int y = top; y < top + h; y++) image.Slice(y * width + left, w).Clear();
            return;
        }
    }
}
