namespace Atelier.Kernels;

/// <summary>
/// Inference for convolutions with few output pixels and many weights (a single image's 7x7 and 3x3 maps): the
/// pixels are the GEMM's rows and the frozen weights its right operand, packed once. Im2col with the weights on the
/// left, the training layout, would put a 9-pixel map in a 32-column register tile (72% of it empty) and pack 2.4 MB of
/// 256 -> 256 weights on every call; Winograd's transformed filters are 1.8-4x the weights, re-read per image.
/// Steps: the input copied channels-last with its zero padding ([N, H + 2ph, W + 2pw, C]); one row per output pixel
/// of the window's kh·kw runs of C channels ([N·OH·OW, kh·kw·C], each run one copy); the GEMM with the weights
/// reordered to the same (ky, kx, c) order; the [pixels, OutC] result written back to NCHW with bias and ReLU.
/// </summary>
public static class PackedWeightConvolution
{
    /// <summary>
    /// Whether this kernel beats the others for <paramref name="g"/> with frozen weights: few output pixels in the batch,
    /// enough weights to make packing them once worth it, and too few Winograd tiles to fill its vectors.
    /// </summary>
    public static bool Prefers(in ConvGeometry g) =>
        Gemm.BestPath != GemmPath.Scalar && (long)g.N * g.OutPlane <= MaxPixels && (long)g.OutC * g.ColumnRows >= 16 * 1024
        && !WinogradIsCheaper(g);

    // Winograd F(4x4, 3x3) multiplies 36 positions per 4x4 tile, 16 tiles to a vector; this kernel 9 taps per pixel, 8
    // pixels to a register tile. Where the first count is at most 3/4 of the second (its transforms cost about the
    // rest), Winograd with prepared filters was faster. 1 / 2 threads, us, Winograd against this kernel: one 11x11
    // output (cnn-simple's 32 -> 64) 39 / 26 against 70 / 64; one 10x10, 128 -> 128, 211 / 118 against 314 / 240; two
    // 7x7, 64 -> 64, 78 / 57 against 95 / 73; sixteen 3x3, 256 -> 256, 1,393 / 544 against 1,813 / 1,067. Left here: one
    // 7x7 (4 tiles), 128 -> 128, 253 / 232 against 165 / 251; one 8x8, 249 against 203; two 6x6, 261 against 230.
    private static bool WinogradIsCheaper(in ConvGeometry g)
    {
        if (!WinogradConvolution.Handles(g, prepared: true) || WinogradConvolution.TileFor(g) != 4) return false;
        long tiles = (long)g.N * ((g.OH + 3) / 4) * ((g.OW + 3) / 4), pixels = (long)g.N * g.OutPlane;
        return 16 * ((tiles + 15) / 16 * 16) <= 3 * ((pixels + 7) / 8 * 8);
    }

    // Above this many output pixels Winograd's or im2col's register tiles fill up. 2 threads, ms, this kernel against the
    // best other, before one image's Winograd shared its input transform: 256 -> 256 on 3x3 0.11 / 0.37 (1 image),
    // 0.56 / 1.67 (8), 1.08 / 1.55 (16); 128 -> 256 on 7x7 0.22 / 0.32 (1), 0.44 / 0.49 (2), 1.56 / 1.15 (8); 64 -> 128
    // on 14x14 (196 pixels) 0.35 / 0.25.
    private const int MaxPixels = 160;

    /// <summary>The weights [OutC, C, kh, kw] reordered to [OutC, kh·kw·C] and packed as the GEMM's right operand.</summary>
    public static GemmPackedRight Prepare(ReadOnlySpan<float> weight, int c, int outC, Size2d kernel)
    {
        int taps = kernel.Height * kernel.Width, k = taps * c;
        if (weight.Length < (long)outC * k) throw new ArgumentException($"Conv2d weights of {outC} x {c} x {kernel.Height} x {kernel.Width} need {(long)outC * k} floats, got {weight.Length}.");
        var reordered = new float[outC * k];
        for (int o = 0; o < outC; o++)
            for (int ch = 0; ch < c; ch++)
                for (int t = 0; t < taps; t++)
                    reordered[o * k + t * c + ch] = weight[(o * c + ch) * taps + t];
        return new GemmPackedRight(transB: true, k, outC, reordered);
    }

    /// <summary>
    /// Where padding leaves only the kernel's centre tap on the image (one 1x1 map under a 3x3 kernel padded by 1: VGG's
    /// last layers), the same layer as a 1x1 convolution with the centre taps' weights (<see cref="PrepareCentre"/>): a
    /// ninth of the weights to read, and no products of zeros. Null for every other geometry.
    /// </summary>
    public static ConvGeometry? AsCentreTap(in ConvGeometry g) =>
        g.H == 1 && g.W == 1 && g.Kernel.Height % 2 == 1 && g.Kernel.Width % 2 == 1 && g.Kernel != new Size2d(1, 1)
        && g.Padding == new Size2d(g.Kernel.Height / 2, g.Kernel.Width / 2)
            ? new ConvGeometry(g.N, g.C, 1, 1, g.OutC, (1, 1), (1, 1), (0, 0))
            : null;

    /// <summary>The centre taps of weights [OutC, C, kh, kw], packed as <see cref="Prepare"/> packs a 1x1 kernel's.</summary>
    public static GemmPackedRight PrepareCentre(ReadOnlySpan<float> weight, int c, int outC, Size2d kernel)
    {
        int taps = kernel.Height * kernel.Width, centre = kernel.Height / 2 * kernel.Width + kernel.Width / 2;
        if (weight.Length < (long)outC * c * taps) throw new ArgumentException($"Conv2d weights of {outC} x {c} x {kernel.Height} x {kernel.Width} need {(long)outC * c * taps} floats, got {weight.Length}.");
        var centres = new float[outC * c];
        for (int i = 0; i < centres.Length; i++) centres[i] = weight[i * taps + centre];
        return Prepare(centres, c, outC, (1, 1));
    }

    /// <summary>Floats of scratch <see cref="Forward"/> needs: the padded channels-last input, the rows and the products.</summary>
    public static int ScratchLength(in ConvGeometry g)
    {
        long padded = (long)g.N * PaddedPlane(g) * g.C, pixels = (long)g.N * g.OutPlane;
        return checked((int)(padded + pixels * g.ColumnRows + pixels * g.OutC));
    }

    // output: [N, OutC, OH, OW]; x: [N, C, H, W]; weights: from Prepare for this geometry; bias: [OutC] or empty.
    public static void Forward(Span<float> output, ReadOnlySpan<float> x, GemmPackedRight weights, ReadOnlySpan<float> bias,
        in ConvGeometry g, Span<float> scratch, bool relu)
    {
        int pixels = g.N * g.OutPlane, k = g.ColumnRows;
        if (weights.K != k || weights.N != g.OutC)
            throw new ArgumentException($"Packed weights of {weights.N} x {weights.K} do not fit Conv2d({g.C} -> {g.OutC}) with a {g.Kernel.Height}x{g.Kernel.Width} kernel.");
        if (x.Length < (long)g.N * g.C * g.H * g.W || output.Length < (long)pixels * g.OutC || scratch.Length < ScratchLength(g))
            throw new ArgumentException("Conv2d: a buffer is smaller than the geometry needs.");
        var padded = scratch[..(g.N * PaddedPlane(g) * g.C)];
        var rows = scratch.Slice(padded.Length, pixels * k);
        var products = scratch.Slice(padded.Length + rows.Length, pixels * g.OutC);
        ChannelsLast(padded, x, g);
        // With two panels of 8 pixels a thread or more, the threads split the pixels, each building its own rows,
        // multiplying them and writing their outputs. With the rows built on one thread and the GEMM split by output
        // channel, the other thread waited for them and then read them across cores: 128 -> 128 on one 7x7 map took
        // 122-141 us on 2 threads, against 87-92 split by pixels and 150 on one. Fewer panels (a 3x3 map's 9 pixels)
        // would split unevenly: one pass, whose GEMM splits the output channels.
        var work = new PixelPanels { Output = output, Padded = padded, Rows = rows, Products = products, Bias = bias, G = g, Weights = weights, Relu = relu };
        int panels = (pixels + 7) / 8, threads = Workers.ThreadCount;
        if (threads > 1 && panels >= 2 * threads && (long)pixels * k * g.OutC >= 256 * 1024) Workers.For(panels, ref work);
        else work.Run(0, panels);
    }

    private ref struct PixelPanels : IWorkItem
    {
        public Span<float> Output, Rows, Products;
        public ReadOnlySpan<float> Padded, Bias;
        public ConvGeometry G;
        public GemmPackedRight Weights;
        public bool Relu;

        public readonly void Run(int start, int end)
        {
            int pixels = G.N * G.OutPlane, k = G.ColumnRows, p0 = start * 8, p1 = Math.Min(pixels, end * 8);
            var rows = Rows.Slice(p0 * k, (p1 - p0) * k);
            var products = Products.Slice(p0 * G.OutC, (p1 - p0) * G.OutC);
            BuildRows(rows, Padded, G, p0, p1);
            Gemm.Multiply(false, p1 - p0, rows, Weights, products, accumulate: false);
            ToChannelsFirst(Output, products, Bias, G, Relu, p0, p1);
        }
    }

    private static int PaddedPlane(in ConvGeometry g) => (g.H + 2 * g.Padding.Height) * (g.W + 2 * g.Padding.Width);

    // padded[n][y + ph][x + pw][c] = x[n][c][y][x], zero on the border.
    private static void ChannelsLast(Span<float> padded, ReadOnlySpan<float> x, in ConvGeometry g)
    {
        int c = g.C, plane = g.H * g.W, wp = g.W + 2 * g.Padding.Width, paddedPlane = PaddedPlane(g);
        if (g.Padding != new Size2d(0, 0)) padded.Clear();
        for (int n = 0; n < g.N; n++)
        {
            var src = x.Slice(n * c * plane, c * plane);
            var dst = padded.Slice(n * paddedPlane * c, paddedPlane * c);
            for (int y = 0; y < g.H; y++)
                for (int xx = 0; xx < g.W; xx++)
                {
                    var cell = dst.Slice(((y + g.Padding.Height) * wp + xx + g.Padding.Width) * c, c);
                    int at = y * g.W + xx;
                    for (int ch = 0; ch < c; ch++) cell[ch] = src[ch * plane + at];
                }
        }
    }

    // rows[i][(ky·kw + kx)·C + c] = padded[n][oy·sh + ky][ox·sw + kx][c] for pixel p0 + i = n·P + oy·OW + ox, p < p1.
    // The kw cells of a window row are neighbours in the channels-last input: one copy each.
    private static void BuildRows(Span<float> rows, ReadOnlySpan<float> padded, in ConvGeometry g, int p0, int p1)
    {
        int c = g.C, k = g.ColumnRows, wp = g.W + 2 * g.Padding.Width, paddedPlane = PaddedPlane(g), plane = g.OutPlane, run = g.Kernel.Width * c;
        for (int p = p0; p < p1; p++)
        {
            int n = p / plane, oy = p % plane / g.OW, ox = p % g.OW;
            var dst = rows.Slice((p - p0) * k, k);
            for (int ky = 0; ky < g.Kernel.Height; ky++)
            {
                int cell = n * paddedPlane + (oy * g.Stride.Height + ky) * wp + ox * g.Stride.Width;
                padded.Slice(cell * c, run).CopyTo(dst.Slice(ky * run, run));
            }
        }
    }

    // output[n][oc][p] = products[i][oc] + bias[oc] (then max(·, 0) with relu) for pixel p0 + i = n·P + p, below p1.
    private static void ToChannelsFirst(Span<float> output, ReadOnlySpan<float> products, ReadOnlySpan<float> bias, in ConvGeometry g, bool relu,
        int p0, int p1)
    {
        int plane = g.OutPlane, outC = g.OutC;
        for (int n = p0 / plane; n * plane < p1; n++)
        {
            int from = Math.Max(p0, n * plane) - n * plane, to = Math.Min(p1, (n + 1) * plane) - n * plane;
            for (int oc = 0; oc < outC; oc++)
            {
                float b = bias.IsEmpty ? 0f : bias[oc];
                var dst = output.Slice((n * outC + oc) * plane, plane);
                for (int p = from; p < to; p++)
                {
                    float v = products[(n * plane + p - p0) * outC + oc] + b;
                    dst[p] = relu ? MathF.Max(v, 0f) : v;
                }
            }
        }
    }
}
