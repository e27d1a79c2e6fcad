using Atelier.Serialization.Onnx;
using Atelier.Serialization.Onnx.Proto;
using Atelier.Tests.Serialization;

namespace Atelier.Tests.Serialization.Onnx;

/// <summary>The hand-written messages encode as protobuf does (checked byte for byte on small ones) and know their own size.</summary>
public sealed class OnnxProtoTests
{
    [Fact]
    public void Small_messages_encode_byte_for_byte_as_protobuf_specifies()
    {
        // field 1 (domain) "", field 2 (version) varint 17.
        Assert.Equal([0x0A, 0x00, 0x10, 0x11], new OperatorSetIdProto { Version = 17 }.ToByteArray());
        // name "k" (field 1), ints (field 8) unpacked as proto2 declares them: 3 and 300 (varint AC 02), type INTS = 7 (field 20).
        Assert.Equal([0x0A, 0x01, (byte)'k', 0x40, 0x03, 0x40, 0xAC, 0x02, 0xA0, 0x01, 0x07], AttributeProto.IntList("k", 3, 300).ToByteArray());
        // dim_param "N" (field 2), then a fixed dimension 28 (field 1) inside the repeated dim (field 1) of a shape.
        Assert.Equal([0x0A, 0x03, 0x12, 0x01, (byte)'N', 0x0A, 0x02, 0x08, 0x1C],
            new TensorShapeProto(TensorShapeProto.Dimension.Named("N"), TensorShapeProto.Dimension.Fixed(28)).ToByteArray());
        // dims [2] (field 1), data_type FLOAT (field 2), name "w" (field 8), raw_data 8 little-endian bytes (field 9).
        Assert.Equal([0x08, 0x02, 0x10, 0x01, 0x42, 0x01, (byte)'w', 0x4A, 0x08, 0, 0, 0x80, 0x3F, 0, 0, 0, 0xC0],
            TensorProto.Float("w", [2], [1f, -2f]).ToByteArray());
    }

    [Fact]
    public void A_written_file_is_exactly_the_size_the_model_computes()
    {
        var model = OnnxExport.Build(ZooCases.Create("resnet-small", 0), ZooCases.Description("resnet-small"));
        using var folder = new TempFolder();
        string path = folder.File("resnet-small.onnx");
        OnnxExport.Write(model, path);
        Assert.Equal(model.CalculateSize(), new FileInfo(path).Length);
        Assert.Equal(File.ReadAllBytes(path), model.ToByteArray());
        Assert.Equal([Path.GetFileName(path)], Directory.GetFiles(folder.Path).Select(Path.GetFileName));
    }
}
