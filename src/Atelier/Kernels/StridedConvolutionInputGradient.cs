namespace Atelier.Kernels;

/// <summary>
/// The input gradient of the same stride-2 convolutions, by phases: the input pixels of one row parity and one column
/// parity (4 phases) each receive the output gradient through only the taps of matching parity (for 3x3: 1, 2, 2 and
/// 4 of the 9), as a stride-1 convolution of dY with that sub-kernel. So the tile kernel of the forward pass runs
/// again, over output channels and taps, with the 32 sums now input channels and the 8 pixels neighbours in dY's
/// rows. No product is of an inserted zero, and there is no column matrix to fold back onto the image.
/// </summary>
internal static unsafe partial class StridedConvolution
{
    /// <summary>
    /// Whether <see cref="BackwardData"/> takes this geometry: as the forward pass, with input channels in blocks of 32
    /// (8 pixels a tile) or 16 (16 pixels a tile).
    /// </summary>
    public static bool HandlesBackwardData(in ConvGeometry g) => Handles(g) && g.C % 16 == 0;

    // Input channels a tile: 32 where they come in 32s, else 16.
    private static int ChannelBlock(in ConvGeometry g) => g.C % Block == 0 ? Block : 16;

    // dx: [N, C, H, W] (+)= the input gradient; dout: [N, OutC, OH, OW]; weight: [OutC, C, kh, kw].
    public static void BackwardData(Span<float> dx, bool accumulate, ReadOnlySpan<float> dout, ReadOnlySpan<float> weight, in ConvGeometry g)
    {
        if (dx.Length < (long)g.N * g.C * g.H * g.W || dout.Length < (long)g.N * g.OutC * g.OutPlane || weight.Length < (long)g.OutC * g.ColumnRows)
            throw new ArgumentException("Conv2d: a buffer is smaller than the geometry needs.");
        var layout = new PhaseLayout(g);
        var (packed, taps) = CallerScratch.For(g.OutC * g.ColumnRows, g.OutC * g.Kernel.Height * g.Kernel.Width);
        layout.Pack(packed, taps, weight, g);
        fixed (float* pdx = dx, pdy = dout, pw = packed)
        fixed (int* pt = taps)
        {
            var work = new DataWork { Dx = pdx, Dy = pdy, Weights = pw, Taps = pt, G = g, Layout = layout, Accumulate = accumulate };
            Workers.ForBalanced(g.N * 4, ref work);
        }
    }

    // Where each phase's taps read dY, padded so that every tap of every phase pixel lands inside it.
    private readonly struct PhaseLayout
    {
        // Rows and columns of zeros before and after dY's in the padded copy, its row length and plane.
        public readonly int Top, Left, Width, Plane;

        public PhaseLayout(in ConvGeometry g)
        {
            var (top, bottom) = Margins(g.Kernel.Height, g.Padding.Height, g.H, g.OH);
            var (left, right) = Margins(g.Kernel.Width, g.Padding.Width, g.W, g.OW);
            Top = top;
            Left = left;
            Width = left + g.OW + right;
            Plane = (top + g.OH + bottom) * Width;
        }

        // Input pixel i = 2m + parity takes output m + d through tap k when parity + pad - k = 2d: the offsets d of all
        // phases, and the zeros needed before and after the outputs for m from 0 to the last pixel's.
        private static (int Before, int After) Margins(int kernel, int pad, int input, int output)
        {
            int low = int.MaxValue, high = int.MinValue;
            for (int parity = 0; parity < 2; parity++)
                for (int k = 0; k < kernel; k++)
                    if (((parity + pad - k) & 1) == 0)
                    {
                        low = Math.Min(low, (parity + pad - k) / 2);
                        high = Math.Max(high, (parity + pad - k) / 2);
                    }
            return (Math.Max(0, -low), Math.Max(0, (input - 1) / 2 + high - (output - 1)));
        }

        // The first tap of a phase (taps of earlier phases before it) and its count.
        public static (int First, int Count) Taps(in ConvGeometry g, int phase)
        {
            int first = 0;
            for (int q = 0; q < phase; q++) first += Count(g, q);
            return (first, Count(g, phase));
        }

        private static int Count(in ConvGeometry g, int phase) =>
            g.OutC * Matching(g.Kernel.Height, g.Padding.Height, phase / 2) * Matching(g.Kernel.Width, g.Padding.Width, phase % 2);

        private static int Matching(int kernel, int pad, int parity) => (kernel - ((parity + pad) & 1) + 1) / 2;

        // For each phase, in (oc, ky, kx) order: taps[first + t] = where tap t of the phase's pixel (0, 0) reads the
        // padded dY, and packed[first·C + b·count·w + t·w + j] = weight[oc, w·b + j, ky, kx] for channel blocks of w.
        public void Pack(Span<float> packed, Span<int> taps, ReadOnlySpan<float> weight, in ConvGeometry g)
        {
            int kh = g.Kernel.Height, kw = g.Kernel.Width, width = ChannelBlock(g);
            for (int phase = 0; phase < 4; phase++)
            {
                var (first, count) = Taps(g, phase);
                int t = 0;
                for (int oc = 0; oc < g.OutC; oc++)
                    for (int ky = 0; ky < kh; ky++)
                    {
                        int dyRow = phase / 2 + g.Padding.Height - ky;
                        if ((dyRow & 1) != 0) continue;
                        for (int kx = 0; kx < kw; kx++)
                        {
                            int dyColumn = phase % 2 + g.Padding.Width - kx;
                            if ((dyColumn & 1) != 0) continue;
                            taps[first + t] = oc * Plane + (dyRow / 2 + Top) * Width + dyColumn / 2 + Left;
                            // Block by block, so the writes run contiguous (the reads step over the other taps).
                            fixed (float* from = weight[(oc * g.C * kh * kw + ky * kw + kx)..], to = packed[(first * g.C + t * width)..])
                                for (int b = 0; b < g.C / width; b++)
                                    CopyFromStrided(to + (nint)b * count * width, from + (nint)b * width * kh * kw, kh * kw, width);
                            t++;
                        }
                    }
            }
        }
    }

    private struct DataWork : IWorkItem
    {
        public float* Dx, Dy, Weights;
        public int* Taps;
        public ConvGeometry G;
        public PhaseLayout Layout;
        public bool Accumulate;

        public readonly void Run(int start, int end)
        {
            var g = G;
            var layout = Layout;
            int outSample = g.OutC * g.OutPlane, inPlane = g.H * g.W;
            var padded = WorkerScratch.Padded(g.OutC * layout.Plane + Slack);
            float* tile = stackalloc float[Tile * Block];
            fixed (float* pp = padded)
            {
                int paddedSample = -1;
                for (int item = start; item < end; item++)
                {
                    int n = item / 4, phase = item % 4, py = phase / 2, px = phase % 2;
                    if (n != paddedSample) PadGradient(pp, Dy + (nint)n * outSample, g, layout);
                    paddedSample = n;
                    var (first, count) = PhaseLayout.Taps(g, phase);
                    float* dx = Dx + (nint)n * g.C * inPlane;
                    int rows = (g.H - py + 1) / 2, columns = (g.W - px + 1) / 2;
                    int width = ChannelBlock(g), pixelsPerTile = width == Block ? Tile : 16;
                    for (int m = 0; m < rows; m++)
                        for (int q = 0; q < columns; q += pixelsPerTile)
                        {
                            int pixels = Math.Min(pixelsPerTile, columns - q);
                            float* at = dx + (2 * m + py) * g.W + 2 * q + px;
                            for (int b = 0; b < g.C / width; b++)
                            {
                                float* target = at + (nint)b * width * inPlane;
                                if (count == 0)
                                {
                                    if (!Accumulate) ZeroPhase(target, inPlane, width, pixels);
                                    continue;
                                }
                                float* from = pp + m * layout.Width + q, weights = Weights + (nint)first * g.C + (nint)b * count * width;
                                if (width == Block) TileSums<One>(from, Taps + first, count, weights, tile, null, relu: false);
                                else TileSums16<One>(from, Taps + first, count, weights, tile);
                                ScatterEveryOther(tile, target, inPlane, width, pixels, Accumulate);
                            }
                        }
                }
            }
        }
    }

    // dY of one sample inside its zero margins ([OutC, top + OH + bottom, left + OW + right]).
    private static void PadGradient(float* padded, float* dy, in ConvGeometry g, in PhaseLayout layout) =>
        WithMargins(padded, dy, g.OutC, g.OH, g.OW, layout.Top, layout.Left, layout.Width, layout.Plane);

    // dx[j·plane + 2r] (+)= tile[r·width + j]: one phase's pixels are every other input pixel of a row.
    private static void ScatterEveryOther(float* tile, float* dx, int plane, int width, int pixels, bool accumulate)
    {
        for (int j = 0; j < width; j++)
        {
            float* row = dx + (nint)j * plane;
            if (accumulate)
                for (int r = 0; r < pixels; r++) row[2 * r] += tile[r * width + j];
            else
                for (int r = 0; r < pixels; r++) row[2 * r] = tile[r * width + j];
        }
    }

    private static void ZeroPhase(float* dx, int plane, int width, int pixels)
    {
        for (int j = 0; j < width; j++)
            for (int r = 0; r < pixels; r++) dx[(nint)j * plane + 2 * r] = 0f;
    }
}
