using Google.Protobuf;

namespace Atelier.Serialization.Onnx.Proto;

/// <summary>onnx.proto's TensorShapeProto: each dimension a fixed size (dim_value) or a named free one (dim_param, e.g. the batch).</summary>
public sealed class TensorShapeProto : OnnxMessage
{
    public TensorShapeProto(params Dimension[] dims) => Dims = dims;

    public IReadOnlyList<Dimension> Dims { get; }

    public override void WriteTo(CodedOutputStream output) => WriteMessages(output, 1, Dims);

    public override int CalculateSize() => MessagesSize(1, Dims);

    /// <summary>TensorShapeProto.Dimension: a oneof of dim_value and dim_param.</summary>
    public sealed class Dimension : OnnxMessage
    {
        private Dimension(long? value, string? parameter) => (Value, Parameter) = (value, parameter);

        public long? Value { get; }
        public string? Parameter { get; }

        public static Dimension Fixed(long value) => new(value, null);

        public static Dimension Named(string parameter) => new(null, parameter);

        public override void WriteTo(CodedOutputStream output)
        {
            WriteInt64(output, 1, Value);
            WriteString(output, 2, Parameter);
        }

        public override int CalculateSize() => Int64Size(1, Value) + StringSize(2, Parameter);
    }
}
