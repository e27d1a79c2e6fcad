using Atelier.Kernels;

namespace Atelier.Tests.Kernels;

/// <summary>Runs an action with the Winograd convolution switched off, so the im2col path is tested on the same shapes.</summary>
internal static class WinogradOff
{
    public static void Run(Action action)
    {
        // The switch is per thread: other tests running meanwhile keep Winograd.
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
