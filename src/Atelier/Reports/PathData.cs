using System.Text;

namespace Atelier.Reports;

/// <summary>Builds an SVG path "d" string; a gap (<see cref="Break"/>) starts a new sub-path so missing points are not bridged.</summary>
public sealed class PathData
{
    private readonly StringBuilder sb = new();
    private bool penDown;

    public int Points { get; private set; }

    public void Add(double x, double y)
    {
        if (!double.IsFinite(x) || !double.IsFinite(y))
        {
            Break();
            return;
        }
        sb.Append(penDown ? 'L' : 'M').Append(SvgWriter.Num(x)).Append(',').Append(SvgWriter.Num(y));
        penDown = true;
        Points++;
    }

    public void Break() => penDown = false;

    public override string ToString() => sb.ToString();
}
