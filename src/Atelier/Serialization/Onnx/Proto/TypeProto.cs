using Google.Protobuf;

namespace Atelier.Serialization.Onnx.Proto;

/// <summary>onnx.proto's TypeProto, for its one case the exporter needs: a tensor (TypeProto.Tensor, field tensor_type).</summary>
public sealed class TypeProto : OnnxMessage
{
    private readonly TensorType tensor;

    public TypeProto(TensorProto.DataType elementType, TensorShapeProto shape) => tensor = new TensorType(elementType, shape);

    public TensorProto.DataType ElementType => tensor.ElementType;
    public TensorShapeProto Shape => tensor.Shape;

    public override void WriteTo(CodedOutputStream output) => WriteMessage(output, 1, tensor);

    public override int CalculateSize() => MessageSize(1, tensor);

    /// <summary>TypeProto.Tensor: elem_type (a TensorProto.DataType) and shape.</summary>
    private sealed class TensorType(TensorProto.DataType elementType, TensorShapeProto shape) : OnnxMessage
    {
        public TensorProto.DataType ElementType { get; } = elementType;
        public TensorShapeProto Shape { get; } = shape;

        public override void WriteTo(CodedOutputStream output)
        {
            WriteInt32(output, 1, (int)ElementType);
            WriteMessage(output, 2, Shape);
        }

        public override int CalculateSize() => Int32Size(1, (int)ElementType) + MessageSize(2, Shape);
    }
}
