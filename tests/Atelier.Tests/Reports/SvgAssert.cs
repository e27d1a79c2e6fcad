using System.Xml.Linq;

namespace Atelier.Tests.Reports;

/// <summary>Checks shared by the figure tests: well-formed XML, no non-finite numbers, texts present.</summary>
internal static class SvgAssert
{
    public static readonly XNamespace Ns = "http://www.w3.org/2000/svg";

    public static XDocument WellFormed(string svg)
    {
        var doc = XDocument.Parse(svg);
        Assert.Equal(Ns + "svg", doc.Root!.Name);
        Assert.DoesNotContain("NaN", svg);
        Assert.DoesNotContain("Infinity", svg);
        Assert.DoesNotContain("∞", svg);
        foreach (var e in doc.Descendants())
            foreach (var a in e.Attributes())
                if (a.Name.LocalName is "x" or "y" or "width" or "height" or "cx" or "cy" or "r" or "x1" or "x2" or "y1" or "y2")
                    Assert.True(double.TryParse(a.Value, System.Globalization.NumberStyles.Float, System.Globalization.CultureInfo.InvariantCulture, out _)
                        || a.Value.EndsWith('%'), $"attribute {a.Name}=\"{a.Value}\" is not a number");
        return doc;
    }

    public static List<string> Texts(XDocument doc)
    {
        var list = new List<string>();
        foreach (var t in doc.Descendants(Ns + "text")) list.Add(t.Value);
        return list;
    }
}
