using Google.Protobuf;

namespace Atelier.Serialization.Onnx.Proto;

/// <summary>onnx.proto's GraphProto: nodes in topological order, the weights as initializers, inputs and outputs.</summary>
public sealed class GraphProto : OnnxMessage
{
    public List<NodeProto> Node { get; } = [];
    public string? Name { get; set; }
    public List<TensorProto> Initializer { get; } = [];
    public string? DocString { get; set; }
    public List<ValueInfoProto> Input { get; } = [];
    public List<ValueInfoProto> Output { get; } = [];

    public override void WriteTo(CodedOutputStream output)
    {
        WriteMessages(output, 1, Node);
        WriteString(output, 2, Name);
        WriteMessages(output, 5, Initializer);
        WriteString(output, 10, DocString);
        WriteMessages(output, 11, Input);
        WriteMessages(output, 12, Output);
    }

    public override int CalculateSize() =>
        MessagesSize(1, Node) + StringSize(2, Name) + MessagesSize(5, Initializer) + StringSize(10, DocString)
        + MessagesSize(11, Input) + MessagesSize(12, Output);
}
