using Atelier.Serialization.Onnx;
using Atelier.Tests.Serialization;
using Xunit.Abstractions;

namespace Atelier.Tests.Serialization.Onnx;

/// <summary>onnx.checker (full check, with shape inference) passes on the export of every zoo model, at the lowest and the default opset.</summary>
public sealed class OnnxCheckerTests(ITestOutputHelper output)
{
    [OnnxCheckerFact]
    public void Onnx_checker_passes_on_every_export()
    {
        using var folder = new TempFolder();
        var files = new List<string>();
        foreach (var (label, model, patch) in ZooCases.All())
        {
            string path = folder.File(label.Replace(' ', '_') + ".onnx");
            OnnxExport.Write(OnnxExport.Build(ZooCases.Create(model, patch), ZooCases.Description(model)), path);
            files.Add(path);
        }
        string lowest = folder.File("mlp-bn_patch_7_opset_13.onnx");
        OnnxExport.Write(OnnxExport.Build(ZooCases.Create("mlp-bn", 7), ZooCases.Description("mlp-bn"), OnnxOpset.Min), lowest);
        files.Add(lowest);

        string script = Path.Combine(AppContext.BaseDirectory, "Fixtures", "onnx_check.py");
        var (code, text) = OnnxCheckerFactAttribute.Run(OnnxCheckerFactAttribute.Python, [script, .. files]);
        output.WriteLine(text);
        Assert.True(code == 0, text);
        Assert.Equal(files.Count, text.Split('\n').Count(line => line.StartsWith("ok ", StringComparison.Ordinal)));
    }
}
