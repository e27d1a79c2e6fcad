using Atelier.Serialization.Onnx;
using Microsoft.ML.OnnxRuntime;

namespace Atelier.Tests.Serialization.Onnx;

/// <summary>An exported file loaded in ONNX Runtime, the referee: raw pixels [N, C, H, W] in, logits out.</summary>
internal sealed class OnnxRuntimeModel : IDisposable
{
    private readonly SessionOptions options;
    private readonly InferenceSession session;

    public OnnxRuntimeModel(string path)
    {
        // Two threads: the machine's cores are shared with the other tests.
        options = new SessionOptions { IntraOpNumThreads = 2, InterOpNumThreads = 1 };
        session = new InferenceSession(path, options);
    }

    public IReadOnlyDictionary<string, string> Metadata => session.ModelMetadata.CustomMetadataMap;

    public string Description => session.ModelMetadata.Description;

    public IReadOnlyDictionary<string, NodeMetadata> Inputs => session.InputMetadata;

    /// <summary>The logits for <paramref name="pixels"/>, a batch of <paramref name="shape"/> [N, C, H, W].</summary>
    public float[] Logits(float[] pixels, long[] shape)
    {
        using var input = OrtValue.CreateTensorValueFromMemory(pixels, shape);
        using var run = new RunOptions();
        using var outputs = session.Run(run, [OnnxExport.InputName], [input], [OnnxExport.OutputName]);
        return outputs[0].GetTensorDataAsSpan<float>().ToArray();
    }

    public void Dispose()
    {
        session.Dispose();
        options.Dispose();
    }
}
