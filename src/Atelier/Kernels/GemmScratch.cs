namespace Atelier.Kernels;

/// <summary>
/// Per-thread packing buffers for <see cref="Gemm"/>: pinned, 64-byte aligned, grown on demand and then reused,
/// so a warm GEMM allocates nothing.
/// </summary>
internal sealed unsafe class GemmScratch
{
    [ThreadStatic] private static GemmScratch? current;

    private float[] aBuffer = [], bBuffer = [], tileBuffer = [];

    public float* A { get; private set; }
    public float* B { get; private set; }
    public float* Tile { get; private set; }

    public static GemmScratch ForThisThread() => current ??= new GemmScratch();

    /// <summary>Makes sure the buffers hold <paramref name="aFloats"/>, <paramref name="bFloats"/> and a tile.</summary>
    public void Reserve(int aFloats, int bFloats, int tileFloats)
    {
        if (aBuffer.Length < aFloats + 16) A = Allocate(ref aBuffer, aFloats);
        if (bBuffer.Length < bFloats + 16) B = Allocate(ref bBuffer, bFloats);
        if (tileBuffer.Length < tileFloats + 16) Tile = Allocate(ref tileBuffer, tileFloats);
    }

    // Pinned arrays never move, so the aligned pointer stays valid for the array's lifetime.
    private static float* Allocate(ref float[] buffer, int floats)
    {
        buffer = GC.AllocateUninitializedArray<float>(floats + 16, pinned: true);
        fixed (float* p = buffer)
            return (float*)(((nint)p + 63) & ~(nint)63);
    }
}
