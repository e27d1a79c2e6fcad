using System.Buffers.Binary;
using System.Text;
using Atelier.Nn;
using Atelier.Serialization;
using Atelier.Tensors;

namespace Atelier.Tests.Serialization;

/// <summary>Every malformed file is refused with one sentence naming it, and never with another exception type.</summary>
public sealed class SafetensorsMalformedTests
{
    /// <summary>8-byte length, header, data: the file as the test wants it, however wrong.</summary>
    private static byte[] File(string header, int dataBytes = 0, ulong? declaredLength = null)
    {
        var text = Encoding.UTF8.GetBytes(header);
        var bytes = new byte[8 + text.Length + dataBytes];
        BinaryPrimitives.WriteUInt64LittleEndian(bytes, declaredLength ?? (ulong)text.Length);
        text.CopyTo(bytes, 8);
        for (int i = 0; i < dataBytes; i++) bytes[8 + text.Length + i] = (byte)(i * 37);
        return bytes;
    }

    private static string F32(string name, string shape, long begin, long end) =>
        $"\"{name}\":{{\"dtype\":\"F32\",\"shape\":{shape},\"data_offsets\":[{begin},{end}]}}";

    private static readonly Dictionary<string, (byte[] Bytes, string Reason)> Cases = new()
    {
        ["empty file"] = ([], "it has only 0 bytes, too few for the 8-byte header length"),
        ["5 bytes"] = ([1, 0, 0, 0, 0], "it has only 5 bytes"),
        ["header longer than file"] = (File("{}", declaredLength: 1000), "its header length (1000 bytes) is larger than the rest of the file (2 bytes)"),
        ["header absurdly large"] = (File("{}", declaredLength: 200_000_000), "its header length (200000000 bytes) is absurdly large"),
        ["header length u64 max"] = (File("{}", declaredLength: ulong.MaxValue), "is absurdly large"),
        ["header length zero"] = (File("", 8), "its header is not valid JSON"),
        ["header not JSON"] = (File("this is not json"), "its header is not valid JSON"),
        ["header cut short"] = (File("{\"a\":{\"dtype\":\"F32\""), "its header is not valid JSON"),
        ["trailing garbage after header"] = (File("{}  x"), "its header is not valid JSON"),
        ["header padded with NULs"] = (File("{}\0\0\0\0\0\0"), "its header is not valid JSON"),
        ["header too deep"] = (File(new string('[', 100) + new string(']', 100)), "its header is not valid JSON"),
        ["header invalid UTF-8"] = ([2, 0, 0, 0, 0, 0, 0, 0, 0xC3, 0x28], "its header is not valid UTF-8 text"),
        ["header an array"] = (File("[1, 2]"), "its header is a JSON array where an object is expected"),
        ["header a string"] = (File("\"hello\""), "its header is a JSON string where an object is expected"),
        ["metadata value a number"] = (File("{\"__metadata__\":{\"epoch\":3}}"), "its __metadata__ value for 'epoch' is a JSON number, but metadata values must be strings"),
        ["metadata value null"] = (File("{\"__metadata__\":{\"epoch\":null}}"), "its __metadata__ value for 'epoch' is a JSON null"),
        ["metadata an array"] = (File("{\"__metadata__\":[\"a\"]}"), "its __metadata__ is a JSON array where a map of strings is expected"),
        ["metadata key twice"] = (File("{\"__metadata__\":{\"a\":\"1\",\"a\":\"2\"}}"), "its __metadata__ names 'a' twice"),
        ["metadata twice"] = (File("{\"__metadata__\":{},\"__metadata__\":{}}"), "its header names '__metadata__' twice"),
        ["tensor a number"] = (File("{\"w\":3}"), "tensor 'w' is described by a JSON number where an object is expected"),
        ["no dtype"] = (File("{\"w\":{\"shape\":[1],\"data_offsets\":[0,4]}}", 4), "tensor 'w' has no dtype string"),
        ["dtype a number"] = (File("{\"w\":{\"dtype\":32,\"shape\":[1],\"data_offsets\":[0,4]}}", 4), "tensor 'w' has no dtype string"),
        ["unknown dtype"] = (File("{\"w\":{\"dtype\":\"F33\",\"shape\":[1],\"data_offsets\":[0,4]}}", 4), "tensor 'w' has unknown dtype 'F33'"),
        ["lower-case dtype"] = (File("{\"w\":{\"dtype\":\"f32\",\"shape\":[1],\"data_offsets\":[0,4]}}", 4), "tensor 'w' has unknown dtype 'f32'"),
        ["unsupported dtype"] = (File("{\"w\":{\"dtype\":\"U8\",\"shape\":[4],\"data_offsets\":[0,4]}}", 4), "tensor 'w' has dtype U8, which Atelier does not read (it reads F32, F64, F16, BF16 and I64)"),
        ["unsupported I32"] = (File("{\"w\":{\"dtype\":\"I32\",\"shape\":[1],\"data_offsets\":[0,4]}}", 4), "tensor 'w' has dtype I32, which Atelier does not read"),
        ["no shape"] = (File("{\"w\":{\"dtype\":\"F32\",\"data_offsets\":[0,4]}}", 4), "tensor 'w' has no shape array"),
        ["shape a number"] = (File("{" + F32("w", "4", 0, 16) + "}", 16), "tensor 'w' has no shape array"),
        ["negative dimension"] = (File("{" + F32("w", "[-1]", 0, 4) + "}", 4), "tensor 'w' has shape dimension -1, which is not a non-negative integer"),
        ["fractional dimension"] = (File("{" + F32("w", "[1.5]", 0, 4) + "}", 4), "tensor 'w' has shape dimension 1.5, which is not a non-negative integer"),
        ["string dimension"] = (File("{" + F32("w", "[\"2\"]", 0, 8) + "}", 8), "tensor 'w' has shape dimension \"2\", which is not a non-negative integer"),
        ["rank 5"] = (File("{" + F32("w", "[1,1,1,1,1]", 0, 4) + "}", 4), "tensor 'w' has 5 dimensions, more than the 4 Atelier supports"),
        ["F64 tensor over 2 GB"] = (File("{\"w\":{\"dtype\":\"F64\",\"shape\":[300000000],\"data_offsets\":[0,2400000000]}}"), "holds 2400000000 bytes, too many to convert in one piece"),
        ["huge dimension"] = (File("{" + F32("w", "[99999999999]", 0, 4) + "}", 4), "tensor 'w' has shape dimension 99999999999, too large for one tensor"),
        ["too many elements"] = (File("{" + F32("w", "[100000,100000,100000]", 0, 4) + "}", 4), "tensor 'w' has shape [100000, 100000, 100000], too many elements for one tensor"),
        ["no data_offsets"] = (File("{\"w\":{\"dtype\":\"F32\",\"shape\":[1]}}", 4), "tensor 'w' has no valid data_offsets"),
        ["three data_offsets"] = (File("{\"w\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[0,4,8]}}", 4), "tensor 'w' has no valid data_offsets"),
        ["negative offset"] = (File("{" + F32("w", "[1]", -4, 0) + "}", 4), "tensor 'w' has no valid data_offsets"),
        ["offset beyond i64"] = (File("{" + F32("w", "[1]", 0, 4).Replace("[0,4]", "[0,18446744073709551615]") + "}", 4), "tensor 'w' has no valid data_offsets"),
        ["offsets reversed"] = (File("{" + F32("w", "[1]", 4, 0) + "}", 4), "tensor 'w' has data_offsets [4, 0] that end before they begin"),
        ["size not matching offsets"] = (File("{" + F32("w", "[2]", 0, 4) + "}", 4), "tensor 'w' of dtype F32 and shape [2] needs 8 bytes but its data_offsets [0, 4] span 4"),
        ["I64 size not matching offsets"] = (File("{\"n\":{\"dtype\":\"I64\",\"shape\":[],\"data_offsets\":[0,4]}}", 4), "tensor 'n' of dtype I64 and shape [] needs 8 bytes but its data_offsets [0, 4] span 4"),
        ["gap"] = (File("{" + F32("a", "[2]", 0, 8) + "," + F32("b", "[2]", 12, 20) + "}", 20), "its data has a gap of 4 bytes before tensor 'b' that belongs to no tensor"),
        ["not starting at zero"] = (File("{" + F32("a", "[1]", 4, 8) + "}", 8), "its data has a gap of 4 bytes before tensor 'a'"),
        ["overlap"] = (File("{" + F32("a", "[2]", 0, 8) + "," + F32("b", "[2]", 4, 12) + "}", 12), "tensor 'b' overlaps the tensor before it in the data (it starts at byte 4, before byte 8)"),
        ["same offsets twice"] = (File("{" + F32("a", "[1]", 0, 4) + "," + F32("b", "[1]", 0, 4) + "}", 4), "tensor 'b' overlaps the tensor before it"),
        ["bytes left over"] = (File("{" + F32("a", "[2]", 0, 8) + "}", 12), "its last 4 bytes belong to no tensor in its header"),
        ["data but no tensors"] = (File("{}", 3), "its last 3 bytes belong to no tensor in its header"),
        ["truncated data"] = (File("{" + F32("a", "[2]", 0, 8) + "," + F32("b", "[3]", 8, 20) + "}", 15), "it is truncated: its header describes 20 bytes of tensor data but only 15 follow"),
        ["duplicate tensor name"] = (File("{" + F32("w", "[1]", 0, 4) + "," + F32("w", "[1]", 4, 8) + "}", 8), "its header names 'w' twice"),
    };

    public static TheoryData<string> CaseNames() => new(Cases.Keys);

    [Theory]
    [MemberData(nameof(CaseNames))]
    public void Malformed_file_is_refused_with_one_sentence_naming_it(string caseName)
    {
        using var folder = new TempFolder();
        var (bytes, reason) = Cases[caseName];
        string path = folder.File("bad.safetensors");
        System.IO.File.WriteAllBytes(path, bytes);

        var ex = Assert.Throws<InvalidModelFileException>(() => Safetensors.Load(path));

        Assert.StartsWith($"'{path}' is not a valid safetensors file: ", ex.Message);
        Assert.Contains(reason, ex.Message);
        Assert.EndsWith(".", ex.Message);
        Assert.DoesNotContain('\n', ex.Message);
        Assert.Equal(path, ex.FilePath);
    }

    [Fact]
    public void Files_the_format_allows_are_accepted()
    {
        using var folder = new TempFolder();
        string path = folder.File("ok.safetensors");
        // Unpadded header, null metadata, tensors listed out of data order, an empty tensor, unknown extra keys.
        string header = "{\"__metadata__\":null,"
            + "\"b\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[8,12],\"extra\":1},"
            + "\"e\":{\"dtype\":\"F32\",\"shape\":[0,5],\"data_offsets\":[8,8]},"
            + F32("a", "[2]", 0, 8) + "}";
        System.IO.File.WriteAllBytes(path, File(header, 12));
        var file = Safetensors.Load(path);
        Assert.Equal(["a", "e", "b"], file.Names);
        Assert.Empty(file.Metadata);
        Assert.Equal(new Shape(0, 5), file.Tensors["e"].Shape);

        System.IO.File.WriteAllBytes(path, File("{}"));
        Assert.Empty(Safetensors.Load(path).Tensors);
    }

    [Fact]
    public void Every_truncation_of_a_valid_file_is_refused_cleanly()
    {
        using var folder = new TempFolder();
        string good = folder.File("good.safetensors");
        Safetensors.Save(good, SmallState(), new Dictionary<string, string> { ["k"] = "v" });
        var bytes = System.IO.File.ReadAllBytes(good);
        string path = folder.File("cut.safetensors");
        for (int length = 0; length < bytes.Length; length++)
        {
            System.IO.File.WriteAllBytes(path, bytes[..length]);
            var ex = Assert.Throws<InvalidModelFileException>(() => Safetensors.Load(path));
            Assert.Contains(path, ex.Message);
        }
    }

    [Fact]
    public void Random_corruption_either_loads_or_is_refused_cleanly()
    {
        using var folder = new TempFolder();
        string good = folder.File("good.safetensors");
        Safetensors.Save(good, SmallState(), new Dictionary<string, string> { ["k"] = "v" });
        var original = System.IO.File.ReadAllBytes(good);
        string path = folder.File("corrupt.safetensors");
        var rng = new Rng(2024);
        for (int trial = 0; trial < 400; trial++)
        {
            var bytes = (byte[])original.Clone();
            int flips = 1 + rng.NextInt(3);
            for (int f = 0; f < flips; f++)
            {
                // Mostly the length and header, where the structure is; sometimes the data.
                int at = rng.NextInt(4) == 0 ? rng.NextInt(bytes.Length) : rng.NextInt(Math.Min(bytes.Length, 8 + 160));
                bytes[at] = (byte)rng.NextInt(256);
            }
            System.IO.File.WriteAllBytes(path, bytes);
            try
            {
                Safetensors.Load(path);
            }
            catch (InvalidModelFileException e)
            {
                Assert.StartsWith($"'{path}' is not a valid safetensors file: ", e.Message);
            }
        }
    }

    private static List<StateEntry> SmallState() =>
    [
        new("w", Tensor.FromArray([1f, 2f, 3f, 4f, 5f, 6f], 2, 3)),
        new("b", Tensor.FromArray([0.5f, -0.5f], 2)),
        new("n", Tensor.FromArray([3f]), IsInt64: true),
    ];
}
