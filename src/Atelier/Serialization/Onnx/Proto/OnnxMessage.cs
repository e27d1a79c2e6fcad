using Google.Protobuf;

namespace Atelier.Serialization.Onnx.Proto;

/// <summary>
/// One message of onnx.proto, written by hand with Google.Protobuf's <see cref="CodedOutputStream"/> (tags, varints
/// and lengths are its job): the few messages an exported model needs, with onnx.proto's public field numbers.
/// A sub-message is length-delimited, so every message can say its encoded size before it writes itself.
/// </summary>
public abstract class OnnxMessage
{
    public abstract void WriteTo(CodedOutputStream output);

    public abstract int CalculateSize();

    public byte[] ToByteArray()
    {
        var bytes = new byte[CalculateSize()];
        var output = new CodedOutputStream(bytes);
        WriteTo(output);
        output.CheckNoSpaceLeft();
        return bytes;
    }

    protected static void WriteString(CodedOutputStream output, int field, string? value)
    {
        if (value is null) return;
        output.WriteTag(field, WireFormat.WireType.LengthDelimited);
        output.WriteString(value);
    }

    protected static int StringSize(int field, string? value) =>
        value is null ? 0 : CodedOutputStream.ComputeTagSize(field) + CodedOutputStream.ComputeStringSize(value);

    protected static void WriteInt64(CodedOutputStream output, int field, long? value)
    {
        if (value is not { } v) return;
        output.WriteTag(field, WireFormat.WireType.Varint);
        output.WriteInt64(v);
    }

    protected static int Int64Size(int field, long? value) =>
        value is not { } v ? 0 : CodedOutputStream.ComputeTagSize(field) + CodedOutputStream.ComputeInt64Size(v);

    protected static void WriteInt32(CodedOutputStream output, int field, int? value)
    {
        if (value is not { } v) return;
        output.WriteTag(field, WireFormat.WireType.Varint);
        output.WriteInt32(v);
    }

    protected static int Int32Size(int field, int? value) =>
        value is not { } v ? 0 : CodedOutputStream.ComputeTagSize(field) + CodedOutputStream.ComputeInt32Size(v);

    protected static void WriteFloat(CodedOutputStream output, int field, float? value)
    {
        if (value is not { } v) return;
        output.WriteTag(field, WireFormat.WireType.Fixed32);
        output.WriteFloat(v);
    }

    protected static int FloatSize(int field, float? value) =>
        value is null ? 0 : CodedOutputStream.ComputeTagSize(field) + CodedOutputStream.ComputeFloatSize(0f);

    protected static void WriteBytes(CodedOutputStream output, int field, ByteString? value)
    {
        if (value is null) return;
        output.WriteTag(field, WireFormat.WireType.LengthDelimited);
        output.WriteBytes(value);
    }

    protected static int BytesSize(int field, ByteString? value) =>
        value is null ? 0 : CodedOutputStream.ComputeTagSize(field) + CodedOutputStream.ComputeBytesSize(value);

    /// <summary>A repeated int64 one tag per value: onnx.proto is proto2 and declares these fields unpacked.</summary>
    protected static void WriteInt64s(CodedOutputStream output, int field, IReadOnlyList<long> values)
    {
        foreach (long v in values) WriteInt64(output, field, v);
    }

    protected static int Int64sSize(int field, IReadOnlyList<long> values)
    {
        int size = 0;
        foreach (long v in values) size += Int64Size(field, v);
        return size;
    }

    protected static void WriteMessage(CodedOutputStream output, int field, OnnxMessage? message)
    {
        if (message is null) return;
        output.WriteTag(field, WireFormat.WireType.LengthDelimited);
        output.WriteLength(message.CalculateSize());
        message.WriteTo(output);
    }

    protected static int MessageSize(int field, OnnxMessage? message)
    {
        if (message is null) return 0;
        int size = message.CalculateSize();
        return CodedOutputStream.ComputeTagSize(field) + CodedOutputStream.ComputeLengthSize(size) + size;
    }

    protected static void WriteMessages<T>(CodedOutputStream output, int field, IReadOnlyList<T> messages) where T : OnnxMessage
    {
        foreach (var m in messages) WriteMessage(output, field, m);
    }

    protected static int MessagesSize<T>(int field, IReadOnlyList<T> messages) where T : OnnxMessage
    {
        int size = 0;
        foreach (var m in messages) size += MessageSize(field, m);
        return size;
    }
}
