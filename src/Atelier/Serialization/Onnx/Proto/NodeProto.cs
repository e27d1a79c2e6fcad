using Google.Protobuf;

namespace Atelier.Serialization.Onnx.Proto;

/// <summary>onnx.proto's NodeProto: one operator call, its inputs and outputs named by value.</summary>
public sealed class NodeProto : OnnxMessage
{
    public List<string> Input { get; } = [];
    public List<string> Output { get; } = [];
    public string? Name { get; set; }
    public required string OpType { get; init; }
    public List<AttributeProto> Attribute { get; } = [];

    public override void WriteTo(CodedOutputStream output)
    {
        foreach (var name in Input) WriteString(output, 1, name);
        foreach (var name in Output) WriteString(output, 2, name);
        WriteString(output, 3, Name);
        WriteString(output, 4, OpType);
        WriteMessages(output, 5, Attribute);
    }

    public override int CalculateSize()
    {
        int size = StringSize(3, Name) + StringSize(4, OpType) + MessagesSize(5, Attribute);
        foreach (var name in Input) size += StringSize(1, name);
        foreach (var name in Output) size += StringSize(2, name);
        return size;
    }
}
