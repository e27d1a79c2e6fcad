using Google.Protobuf;

namespace Atelier.Serialization.Onnx.Proto;

/// <summary>onnx.proto's OperatorSetIdProto: an operator set the model uses; the empty domain is the default "ai.onnx".</summary>
public sealed class OperatorSetIdProto : OnnxMessage
{
    public string Domain { get; set; } = "";
    public long Version { get; set; }

    public override void WriteTo(CodedOutputStream output)
    {
        WriteString(output, 1, Domain);
        WriteInt64(output, 2, Version);
    }

    public override int CalculateSize() => StringSize(1, Domain) + Int64Size(2, Version);
}
