using Google.Protobuf;

namespace Atelier.Serialization.Onnx.Proto;

/// <summary>onnx.proto's StringStringEntryProto: one key and value of a model's metadata_props.</summary>
public sealed class StringStringEntryProto : OnnxMessage
{
    public required string Key { get; init; }
    public required string Value { get; init; }

    public override void WriteTo(CodedOutputStream output)
    {
        WriteString(output, 1, Key);
        WriteString(output, 2, Value);
    }

    public override int CalculateSize() => StringSize(1, Key) + StringSize(2, Value);
}
