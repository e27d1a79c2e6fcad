namespace Atelier.Serialization.Onnx;

/// <summary>
/// The ONNX operator sets the exporter writes. Default 17: the newest that Debian's python3-onnx 1.12 (our CI's
/// onnx.checker) knows, and every op emitted here (Gemm, Conv, BatchNormalization, MaxPool, Softmax, ReduceMean...)
/// has the same semantics from 13 to 17, so an older runtime can ask for 13. Opset 13 is the floor because Softmax and
/// LogSoftmax before it flatten to 2-d instead of using one axis; 18 moves ReduceMean's axes into an input.
/// </summary>
public static class OnnxOpset
{
    public const int Default = 17, Min = 13, Max = 17;

    /// <summary>IR version 8 (ONNX 1.10-1.13): what onnx 1.12 writes and checks; ONNX Runtime reads it for every opset here.</summary>
    public const long IrVersion = 8;

    public static bool IsSupported(int opset) => opset is >= Min and <= Max;
}
