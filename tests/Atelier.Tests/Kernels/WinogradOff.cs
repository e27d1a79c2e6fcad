using Atelier.Kernels;

namespace Atelier.Tests.Kernels;

/// <summary>Runs an action with the Winograd convolution switched off, so the im2col path is tested on the same shapes.</summary>
internal static class WinogradOff
{
    private static readonly object Gate = new();

    public static void Run(Action action)
    {
        // The switch is process-wide: tests that flip it take turns.
        lock (Gate)
        {
            WinogradConvolution.Enabled = false;
            try
            {
                action();
            }
            finally
            {
                WinogradConvolution.Enabled = true;
            }
        }
    }
}
