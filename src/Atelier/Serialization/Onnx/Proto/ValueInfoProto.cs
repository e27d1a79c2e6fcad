using Google.Protobuf;

namespace Atelier.Serialization.Onnx.Proto;

/// <summary>onnx.proto's ValueInfoProto: a graph input's or output's name, type and description.</summary>
public sealed class ValueInfoProto : OnnxMessage
{
    public required string Name { get; init; }
    public required TypeProto Type { get; init; }
    public string? DocString { get; init; }

    public override void WriteTo(CodedOutputStream output)
    {
        WriteString(output, 1, Name);
        WriteMessage(output, 2, Type);
        WriteString(output, 3, DocString);
    }

    public override int CalculateSize() => StringSize(1, Name) + MessageSize(2, Type) + StringSize(3, DocString);
}
