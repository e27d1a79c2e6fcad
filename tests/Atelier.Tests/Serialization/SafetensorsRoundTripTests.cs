using System.Buffers.Binary;
using System.Text;
using System.Text.Json;
using Atelier.Nn;
using Atelier.Serialization;
using Atelier.Tensors;

namespace Atelier.Tests.Serialization;

public sealed class SafetensorsRoundTripTests
{
    private static Tensor Filled(Shape shape, float start)
    {
        var t = new Tensor(shape);
        for (int i = 0; i < t.Size; i++) t[i] = start + 0.37f * i - MathF.Sqrt(i);
        return t;
    }

    private static void AssertSameBits(Tensor expected, Tensor actual, string name)
    {
        Assert.Equal(expected.Shape, actual.Shape);
        var e = expected.Span;
        var a = actual.Span;
        for (int i = 0; i < e.Length; i++)
            Assert.True(BitConverter.SingleToInt32Bits(e[i]) == BitConverter.SingleToInt32Bits(a[i]), $"{name}[{i}]: {e[i]:R} != {a[i]:R}");
    }

    [Fact]
    public void Round_trip_keeps_names_order_shapes_bits_dtypes_and_metadata()
    {
        using var folder = new TempFolder();
        var special = Tensor.FromArray([float.NaN, -0f, float.PositiveInfinity, float.NegativeInfinity, float.Epsilon, float.MaxValue, -1.5e-39f], 7);
        var state = new List<StateEntry>
        {
            new("conv.weight", Filled(new Shape(4, 1, 3, 3), -2f)),
            new("conv.bias", Filled(new Shape(4), 1f)),
            new("table", Filled(new Shape(2, 3, 5), 0.5f)),
            new("special", special),
            new("scalar", Tensor.FromArray([3.25f])), // rank 0
            new("empty", new Tensor(new Shape(0, 3))),
            new("bn.num_batches_tracked", Tensor.FromArray([938f]), IsInt64: true),
            new("counts", Tensor.FromArray([0f, -7f, 16777216f], 3), IsInt64: true),
        };
        var metadata = new Dictionary<string, string> { ["format"] = "pt", ["epoch"] = "12", ["note"] = "accuracy: 91.3% — \"quoted\"" };
        string path = folder.File("model.safetensors");

        Safetensors.Save(path, state, metadata);
        var file = Safetensors.Load(path);

        Assert.Equal(state.Select(e => e.Name), file.Names);
        foreach (var entry in state)
        {
            AssertSameBits(entry.Tensor, file.Tensors[entry.Name], entry.Name);
            Assert.Equal(entry.IsInt64 ? SafetensorsDType.I64 : SafetensorsDType.F32, file.DTypes[entry.Name]);
        }
        Assert.Equal(Shape.Scalar, file.Tensors["bn.num_batches_tracked"].Shape);
        Assert.Equal(metadata, file.Metadata);
    }

    [Fact]
    public void Null_or_empty_metadata_writes_no_metadata_and_reads_back_empty()
    {
        using var folder = new TempFolder();
        var state = new List<StateEntry> { new("w", Filled(new Shape(2, 2), 1f)) };
        foreach (var metadata in new[] { null, new Dictionary<string, string>() })
        {
            string path = folder.File("m.safetensors");
            Safetensors.Save(path, state, metadata);
            Assert.DoesNotContain("__metadata__", HeaderText(path));
            var file = Safetensors.Load(path);
            Assert.Empty(file.Metadata);
            AssertSameBits(state[0].Tensor, file.Tensors["w"], "w");
        }
    }

    [Fact]
    public void Header_is_padded_with_spaces_to_8_bytes_and_data_is_laid_out_in_order()
    {
        using var folder = new TempFolder();
        string path = folder.File("m.safetensors");
        var state = new List<StateEntry>
        {
            new("b", Filled(new Shape(3), 0f)),
            new("a", Filled(new Shape(1, 2), 0f)),
            new("n", new Tensor(Shape.Scalar, [5f]), IsInt64: true),
        };
        Safetensors.Save(path, state, new Dictionary<string, string> { ["k"] = "v" });
        var bytes = File.ReadAllBytes(path);
        long headerLength = (long)BinaryPrimitives.ReadUInt64LittleEndian(bytes);
        Assert.Equal(0, headerLength % 8);
        Assert.Equal((byte)'{', bytes[8]);
        string header = Encoding.UTF8.GetString(bytes, 8, (int)headerLength);
        Assert.Equal(header.TrimEnd(' ').Length, header.TrimEnd().Length); // padding is spaces only
        Assert.Equal(8 + headerLength + 12 + 8 + 8, bytes.Length);

        using var json = JsonDocument.Parse(header);
        var names = json.RootElement.EnumerateObject().Select(p => p.Name).ToArray();
        Assert.Equal(["__metadata__", "b", "a", "n"], names);
        Assert.Equal("[0,12]", json.RootElement.GetProperty("b").GetProperty("data_offsets").GetRawText());
        Assert.Equal("[12,20]", json.RootElement.GetProperty("a").GetProperty("data_offsets").GetRawText());
        Assert.Equal("[20,28]", json.RootElement.GetProperty("n").GetProperty("data_offsets").GetRawText());
        Assert.Equal("[]", json.RootElement.GetProperty("n").GetProperty("shape").GetRawText());
        Assert.Equal("\"I64\"", json.RootElement.GetProperty("n").GetProperty("dtype").GetRawText());
        Assert.Equal(5L, BinaryPrimitives.ReadInt64LittleEndian(bytes.AsSpan((int)(8 + headerLength + 20))));
    }

    [Fact]
    public void Int64_entries_are_rounded_from_their_float_values()
    {
        using var folder = new TempFolder();
        string path = folder.File("m.safetensors");
        Safetensors.Save(path, [new StateEntry("n", Tensor.FromArray([2.6f, -1.4f, 3f, 1e9f], 4), IsInt64: true)]);
        var bytes = File.ReadAllBytes(path);
        int data = 8 + (int)BinaryPrimitives.ReadUInt64LittleEndian(bytes);
        long[] values = [.. Enumerable.Range(0, 4).Select(i => BinaryPrimitives.ReadInt64LittleEndian(bytes.AsSpan(data + 8 * i)))];
        Assert.Equal([3L, -1L, 3L, 1_000_000_000L], values);
    }

    [Fact]
    public void Only_the_tensor_span_is_written_when_its_buffer_is_longer()
    {
        using var folder = new TempFolder();
        string path = folder.File("m.safetensors");
        var reused = new Tensor(new Shape(2, 3), [1, 2, 3, 4, 5, 6, 99, 99, 99]);
        Safetensors.Save(path, [new StateEntry("x", reused)]);
        var loaded = Safetensors.Load(path).Tensors["x"];
        Assert.Equal(new Shape(2, 3), loaded.Shape);
        Assert.Equal([1f, 2, 3, 4, 5, 6], loaded.ToArray());
    }

    [Fact]
    public void Unicode_names_and_metadata_survive()
    {
        using var folder = new TempFolder();
        string path = folder.File("ünï.safetensors");
        var metadata = new Dictionary<string, string> { ["auteur"] = "Zoë 🧵", ["<tag>"] = "a&b" };
        Safetensors.Save(path, [new StateEntry("couche.poids_é", Tensor.FromArray([1f, 2f], 2))], metadata);
        var file = Safetensors.Load(path);
        Assert.Equal(["couche.poids_é"], file.Names);
        Assert.Equal(metadata, file.Metadata);
    }

    [Fact]
    public void Save_replaces_an_existing_file_and_leaves_no_temporary_file()
    {
        using var folder = new TempFolder();
        string path = folder.File("m.safetensors");
        File.WriteAllText(path, "old contents");
        Safetensors.Save(path, [new StateEntry("w", Tensor.FromArray([4f], 1))]);
        Assert.Equal([4f], Safetensors.Load(path).Tensors["w"].ToArray());
        Assert.Equal([path], Directory.GetFiles(folder.Path));
    }

    [Fact]
    public void A_failed_save_leaves_the_previous_file_intact()
    {
        using var folder = new TempFolder();
        string path = folder.File("m.safetensors");
        Safetensors.Save(path, [new StateEntry("w", Tensor.FromArray([4f], 1))]);
        var before = File.ReadAllBytes(path);

        var nan = new StateEntry("n", Tensor.FromArray([float.NaN], 1), IsInt64: true);
        Assert.Throws<ArgumentException>(() => Safetensors.Save(path, [new StateEntry("w", Tensor.FromArray([5f], 1)), nan]));
        var duplicate = new StateEntry("w", Tensor.FromArray([6f], 1));
        var ex = Assert.Throws<ArgumentException>(() => Safetensors.Save(path, [duplicate, duplicate]));
        Assert.Contains("two tensors named 'w'", ex.Message);
        Assert.Throws<ArgumentException>(() => Safetensors.Save(path, [new StateEntry("__metadata__", Tensor.FromArray([1f], 1))]));
        Assert.Throws<DirectoryNotFoundException>(() => Safetensors.Save(folder.File("missing/m.safetensors"), [duplicate]));

        Assert.Equal(before, File.ReadAllBytes(path));
        Assert.Equal([path], Directory.GetFiles(folder.Path));
    }

    [Fact]
    public void SaveModel_and_LoadInto_round_trip_a_module()
    {
        using var folder = new TempFolder();
        string path = folder.File("mirror.safetensors");
        var source = MirrorModel.Create();
        var rng = new Rng(7);
        foreach (var entry in source.StateDict())
            for (int i = 0; i < entry.Tensor.Size; i++) entry.Tensor[i] = entry.IsInt64 ? 41 : rng.Uniform(-1, 1);

        Safetensors.SaveModel(path, source, new Dictionary<string, string> { ["model"] = "mirror" });
        var target = MirrorModel.Create();
        var metadata = Safetensors.LoadInto(path, target);

        Assert.Equal("mirror", metadata["model"]);
        var expected = source.StateDict();
        var actual = target.StateDict();
        for (int i = 0; i < expected.Count; i++)
        {
            Assert.Equal(expected[i].Name, actual[i].Name);
            AssertSameBits(expected[i].Tensor, actual[i].Tensor, expected[i].Name);
        }
        Assert.Equal(SafetensorsDType.I64, Safetensors.Load(path).DTypes["3.num_batches_tracked"]);
    }

    [Fact]
    public void LoadInto_a_different_model_gives_the_LoadStateDict_sentence_and_changes_nothing()
    {
        using var folder = new TempFolder();
        string path = folder.File("other.safetensors");
        Safetensors.SaveModel(path, new Sequential(new Flatten(), StateOnlyLayer.Linear(12, 5)));
        var target = MirrorModel.Create();
        target.StateDict()[0].Tensor[0] = 123f;

        var ex = Assert.Throws<InvalidModelFileException>(() => Safetensors.LoadInto(path, target));
        Assert.Equal("The saved state has no tensor '3.weight', which this model needs: it was saved from a different model.", ex.Message);
        Assert.Equal(123f, target.StateDict()[0].Tensor[0]);

        Safetensors.SaveModel(path, new Sequential(new Flatten(), StateOnlyLayer.Linear(12, 4), StateOnlyLayer.Stateless("ReLU"), StateOnlyLayer.BatchNorm1d(5), StateOnlyLayer.Linear(5, 3)));
        ex = Assert.Throws<InvalidModelFileException>(() => Safetensors.LoadInto(path, target));
        Assert.Contains("'1.weight' has shape [4, 12] in the saved state but [5, 12] in this model", ex.Message);
    }

    [Fact]
    public void A_missing_file_is_one_sentence_naming_it()
    {
        using var folder = new TempFolder();
        string path = folder.File("nope.safetensors");
        var ex = Assert.Throws<InvalidModelFileException>(() => Safetensors.Load(path));
        Assert.Equal($"The model file '{path}' does not exist.", ex.Message);
    }

    private static string HeaderText(string path)
    {
        var bytes = File.ReadAllBytes(path);
        return Encoding.UTF8.GetString(bytes, 8, (int)BinaryPrimitives.ReadUInt64LittleEndian(bytes));
    }
}
