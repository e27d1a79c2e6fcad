using System.Buffers.Binary;
using Google.Protobuf;

namespace Atelier.Serialization.Onnx.Proto;

/// <summary>onnx.proto's TensorProto: a named constant (a weight, a shape) with its values as little-endian raw_data.</summary>
public sealed class TensorProto : OnnxMessage
{
    /// <summary>onnx.proto's TensorProto.DataType values.</summary>
    public enum DataType { Float = 1, Int64 = 7 }

    private TensorProto(string name, DataType type, long[] dims, ByteString raw) => (Name, Type, Dims, RawData) = (name, type, dims, raw);

    public string Name { get; }
    public DataType Type { get; }
    public IReadOnlyList<long> Dims { get; }
    public ByteString RawData { get; }

    public static TensorProto Float(string name, long[] dims, ReadOnlySpan<float> values)
    {
        CheckCount(name, dims, values.Length);
        var bytes = new byte[values.Length * sizeof(float)];
        for (int i = 0; i < values.Length; i++) BinaryPrimitives.WriteSingleLittleEndian(bytes.AsSpan(i * sizeof(float)), values[i]);
        return new TensorProto(name, DataType.Float, dims, UnsafeByteOperations.UnsafeWrap(bytes));
    }

    public static TensorProto Int64(string name, long[] dims, ReadOnlySpan<long> values)
    {
        CheckCount(name, dims, values.Length);
        var bytes = new byte[values.Length * sizeof(long)];
        for (int i = 0; i < values.Length; i++) BinaryPrimitives.WriteInt64LittleEndian(bytes.AsSpan(i * sizeof(long)), values[i]);
        return new TensorProto(name, DataType.Int64, dims, UnsafeByteOperations.UnsafeWrap(bytes));
    }

    private static void CheckCount(string name, long[] dims, int count)
    {
        long expected = 1;
        foreach (long d in dims) expected *= d;
        if (expected != count) throw new ArgumentException($"Tensor '{name}' has {count} values but its shape [{string.Join(", ", dims)}] holds {expected}.");
    }

    public override void WriteTo(CodedOutputStream output)
    {
        WriteInt64s(output, 1, Dims);
        WriteInt32(output, 2, (int)Type);
        WriteString(output, 8, Name);
        WriteBytes(output, 9, RawData);
    }

    public override int CalculateSize() => Int64sSize(1, Dims) + Int32Size(2, (int)Type) + StringSize(8, Name) + BytesSize(9, RawData);
}
