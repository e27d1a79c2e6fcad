using Google.Protobuf;

namespace Atelier.Serialization.Onnx.Proto;

/// <summary>onnx.proto's ModelProto: the file's top-level message.</summary>
public sealed class ModelProto : OnnxMessage
{
    public long IrVersion { get; set; }
    public string? ProducerName { get; set; }
    public string? ProducerVersion { get; set; }
    public string? Domain { get; set; }
    public long? ModelVersion { get; set; }
    public string? DocString { get; set; }
    public GraphProto? Graph { get; set; }
    public List<OperatorSetIdProto> OpsetImport { get; } = [];
    public List<StringStringEntryProto> MetadataProps { get; } = [];

    public override void WriteTo(CodedOutputStream output)
    {
        WriteInt64(output, 1, IrVersion);
        WriteString(output, 2, ProducerName);
        WriteString(output, 3, ProducerVersion);
        WriteString(output, 4, Domain);
        WriteInt64(output, 5, ModelVersion);
        WriteString(output, 6, DocString);
        WriteMessage(output, 7, Graph);
        WriteMessages(output, 8, OpsetImport);
        WriteMessages(output, 14, MetadataProps);
    }

    public override int CalculateSize() =>
        Int64Size(1, IrVersion) + StringSize(2, ProducerName) + StringSize(3, ProducerVersion) + StringSize(4, Domain)
        + Int64Size(5, ModelVersion) + StringSize(6, DocString) + MessageSize(7, Graph) + MessagesSize(8, OpsetImport)
        + MessagesSize(14, MetadataProps);
}
