namespace Atelier.Reports;

/// <summary>Okabe–Ito colours, distinguishable with the common forms of colour blindness; yellow last (weak on white).</summary>
public static class Palette
{
    public static readonly string[] OkabeIto =
    [
        "#0072B2", // blue
        "#D55E00", // vermillion
        "#009E73", // bluish green
        "#CC79A7", // reddish purple
        "#E69F00", // orange
        "#56B4E9", // sky blue
        "#000000", // black
        "#F0E442", // yellow
    ];

    public const string Error = "#C62828";
    public const string Axis = "#444";
    public const string Grid = "#e6e6e6";
    public const string Text = "#222";
    public const string MutedText = "#555";

    public static string Color(int index) => OkabeIto[((index % OkabeIto.Length) + OkabeIto.Length) % OkabeIto.Length];
}
