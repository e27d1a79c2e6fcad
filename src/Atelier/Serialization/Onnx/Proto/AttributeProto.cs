using Google.Protobuf;

namespace Atelier.Serialization.Onnx.Proto;

/// <summary>onnx.proto's AttributeProto, for the kinds the exporter uses: one float, one int, a list of ints.</summary>
public sealed class AttributeProto : OnnxMessage
{
    /// <summary>onnx.proto's AttributeType values.</summary>
    public enum AttributeType { Float = 1, Int = 2, Ints = 7 }

    private AttributeProto(string name, AttributeType type) => (Name, Type) = (name, type);

    public string Name { get; }
    public AttributeType Type { get; }
    public float? F { get; private init; }
    public long? I { get; private init; }
    public IReadOnlyList<long> Ints { get; private init; } = [];

    public static AttributeProto Float(string name, float value) => new(name, AttributeType.Float) { F = value };

    public static AttributeProto Int(string name, long value) => new(name, AttributeType.Int) { I = value };

    public static AttributeProto IntList(string name, params long[] values) => new(name, AttributeType.Ints) { Ints = values };

    public override void WriteTo(CodedOutputStream output)
    {
        WriteString(output, 1, Name);
        WriteFloat(output, 2, F);
        WriteInt64(output, 3, I);
        WriteInt64s(output, 8, Ints);
        WriteInt32(output, 20, (int)Type);
    }

    public override int CalculateSize() =>
        StringSize(1, Name) + FloatSize(2, F) + Int64Size(3, I) + Int64sSize(8, Ints) + Int32Size(20, (int)Type);
}
