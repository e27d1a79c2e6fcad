using Atelier.Serialization;

namespace Atelier.Tests.Serialization;

/// <summary>
/// Files written on the PyTorch side (tests/fixtures/gen_serial.py) load with the right names, dtypes and bits;
/// files written here are what PyTorch expects (checked by hand with tests/fixtures/check_safetensors.py:
/// set ATELIER_SERIAL_OUT to keep the file this class writes).
/// </summary>
public sealed class SafetensorsInteropTests
{
    private static string WriteEmbeddedFile(Fixture fixture, TempFolder folder, string name)
    {
        string path = folder.File(name);
        File.WriteAllBytes(path, Convert.FromBase64String(fixture.Meta.GetProperty("safetensors_base64").GetString()!));
        return path;
    }

    private static void AssertSameBits(float[] expected, float[] actual, string name)
    {
        Assert.Equal(expected.Length, actual.Length);
        for (int i = 0; i < expected.Length; i++)
            Assert.True(BitConverter.SingleToInt32Bits(expected[i]) == BitConverter.SingleToInt32Bits(actual[i]), $"{name}[{i}]: expected {expected[i]:R}, got {actual[i]:R}");
    }

    [Fact]
    public void A_PyTorch_state_dict_file_loads_with_every_name_dtype_shape_and_value()
    {
        var fixture = Fixture.Load("serial_torch");
        using var folder = new TempFolder();
        var file = Safetensors.Load(WriteEmbeddedFile(fixture, folder, "torch.safetensors"));

        var order = fixture.Meta.GetProperty("order").EnumerateArray().Select(e => e.GetString()!).ToArray();
        Assert.Equal(order.Order(StringComparer.Ordinal), file.Tensors.Keys.Order(StringComparer.Ordinal));
        foreach (string name in order)
        {
            var expected = fixture[name];
            Assert.Equal(expected.Shape, file.Tensors[name].Shape);
            AssertSameBits(expected.ToArray(), file.Tensors[name].ToArray(), name);
            Assert.Equal(fixture.Meta.GetProperty("dtypes").GetProperty(name).GetString(), file.DTypes[name].ToString());
        }
        Assert.Equal(SafetensorsDType.I64, file.DTypes["3.num_batches_tracked"]);
        Assert.Equal(Tensors.Shape.Scalar, file.Tensors["3.num_batches_tracked"].Shape);
        Assert.Equal(3f, file.Tensors["3.num_batches_tracked"].Item());
        Assert.Equal("pt", file.Metadata["format"]);
        Assert.Equal(fixture.Meta.GetProperty("metadata").EnumerateObject().Count(), file.Metadata.Count);
    }

    [Fact]
    public void A_PyTorch_file_loads_into_the_mirror_model_and_saves_back_in_state_dict_order()
    {
        var fixture = Fixture.Load("serial_torch");
        using var folder = new TempFolder();
        var model = MirrorModel.Create();
        var metadata = Safetensors.LoadInto(WriteEmbeddedFile(fixture, folder, "torch.safetensors"), model);
        Assert.Equal("gen_serial.py", metadata["source"]);
        foreach (var entry in model.StateDict())
            AssertSameBits(fixture[entry.Name].ToArray(), entry.Tensor.ToArray(), entry.Name);

        // Kept when ATELIER_SERIAL_OUT is set, for check_safetensors.py to load into torch.
        string path = Environment.GetEnvironmentVariable("ATELIER_SERIAL_OUT") is { Length: > 0 } keep ? Path.GetFullPath(keep) : folder.File("mirror.safetensors");
        Safetensors.SaveModel(path, model, new Dictionary<string, string> { ["format"] = "pt", ["source"] = "Atelier" });
        var written = Safetensors.Load(path);
        var order = fixture.Meta.GetProperty("order").EnumerateArray().Select(e => e.GetString()!).ToArray();
        Assert.Equal(order, written.Names);
        foreach (string name in order)
        {
            AssertSameBits(fixture[name].ToArray(), written.Tensors[name].ToArray(), name);
            Assert.Equal(fixture.Meta.GetProperty("dtypes").GetProperty(name).GetString(), written.DTypes[name].ToString());
        }
    }

    [Fact]
    public void F64_F16_BF16_and_I64_tensors_are_converted_to_float32()
    {
        var fixture = Fixture.Load("serial_dtypes");
        using var folder = new TempFolder();
        var file = Safetensors.Load(WriteEmbeddedFile(fixture, folder, "dtypes.safetensors"));
        foreach (var property in fixture.Meta.GetProperty("dtypes").EnumerateObject())
        {
            Assert.Equal(property.Value.GetString(), file.DTypes[property.Name].ToString());
            Assert.Equal(fixture[property.Name].Shape, file.Tensors[property.Name].Shape);
            AssertSameBits(fixture[property.Name].ToArray(), file.Tensors[property.Name].ToArray(), property.Name);
        }
        Assert.Equal(7, file.Tensors.Count);
    }
}
