namespace Atelier.Tests.Imaging;

/// <summary>The colour types of the PNG specification (IHDR byte 9), for the test writer; public only because theory data names it.</summary>
public enum PngColorType : byte
{
    Grayscale = 0,
    Rgb = 2,
    Palette = 3,
    GrayscaleAlpha = 4,
    Rgba = 6,
}
