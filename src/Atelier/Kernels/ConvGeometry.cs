namespace Atelier.Kernels;

/// <summary>A (height, width) pair for kernel sizes, strides and paddings; an int means the same on both axes, as in PyTorch.</summary>
public readonly record struct Size2d(int Height, int Width)
{
    public static implicit operator Size2d(int size) => new(size, size);

    public static implicit operator Size2d((int Height, int Width) size) => new(size.Height, size.Width);

    public override string ToString() => Height == Width ? $"{Height}" : $"({Height}, {Width})";
}

/// <summary>
/// Shapes of one 2-d sliding-window op (convolution or pooling) on an NCHW batch: input [N, C, H, W],
/// window kh×kw, stride sh×sw, zero padding ph×pw, output [N, OutC, OH, OW] with floor rounding as PyTorch.
/// </summary>
public readonly record struct ConvGeometry(int N, int C, int H, int W, int OutC, Size2d Kernel, Size2d Stride, Size2d Padding)
{
    public int OH => (H + 2 * Padding.Height - Kernel.Height) / Stride.Height + 1;

    public int OW => (W + 2 * Padding.Width - Kernel.Width) / Stride.Width + 1;

    /// <summary>Output pixels per channel and sample.</summary>
    public int OutPlane => OH * OW;

    /// <summary>Rows of the column matrix: one per (input channel, kernel row, kernel column).</summary>
    public int ColumnRows => C * Kernel.Height * Kernel.Width;

    /// <summary>Throws a one-sentence error when the window does not fit (PyTorch rejects the same cases).</summary>
    public void Validate(string op)
    {
        if (Kernel.Height <= 0 || Kernel.Width <= 0) throw new ArgumentException($"{op}: kernel size must be positive, got {Kernel}.");
        if (Stride.Height <= 0 || Stride.Width <= 0) throw new ArgumentException($"{op}: stride must be positive, got {Stride}.");
        if (Padding.Height < 0 || Padding.Width < 0) throw new ArgumentException($"{op}: padding must be non-negative, got {Padding}.");
        if (H + 2 * Padding.Height < Kernel.Height || W + 2 * Padding.Width < Kernel.Width)
            throw new ArgumentException($"{op}: a {Kernel.Height}x{Kernel.Width} window does not fit a {H}x{W} input with padding {Padding}.");
    }
}
