using System.Buffers.Binary;
using System.Text;
using System.Text.Json.Nodes;
using Atelier.Serialization;
using Atelier.Tests.Data;
using Atelier.Tests.Serialization;
using Atelier.Training;

namespace Atelier.Tests.Fuzzing;

/// <summary>
/// Mutated small checkpoints through the safetensors reader and <see cref="Checkpoint.Load"/>: only
/// <see cref="InvalidModelFileException"/> may come out. Besides byte mutations, a third of the cases edit the JSON
/// header (a metadata value, a dtype, a shape or an offset replaced by a hostile value) and fix the header length,
/// so the checks behind the JSON parser are reached.
/// </summary>
public sealed class SafetensorsFuzzTests
{
    private static readonly string[] HostileStrings =
    [
        "", " ", "null", "[]", "{}", "[null]", "[\"\"]", "[1]", "NaN", "-Infinity", "1e999", "-1", "0", "-0", "1,28", "0,28,28",
        "1,28,28,1", "4,1024,1024", "2147483647,1,1", "1,-1,1", "[\"a\",\"a\",\"b\"]", "{\"lr\":\"x\"}", "{\"model\":\"nope\"}",
        "{\"patch\":\"3\"}", "{\"dropout\":\"2\"}", "{\"epochs\":\"-5\"}", "{\"a\":{}}", "vgg16", "cnn", "resnet", "\u0000", "\uFFFD",
        new string('[', 70) + new string(']', 70), new string('x', 5000),
    ];

    private static readonly JsonNode?[] HostileValues =
        [null, -1, 0, 1, 3, long.MaxValue, int.MaxValue, 1.5, "F32", "F16", "BF16", "I64", "F64", "U8", "x", true,
         new JsonArray(), new JsonArray(0, -1), new JsonArray(1, 1, 1, 1, 1), new JsonArray(long.MaxValue, long.MaxValue), new JsonArray(4000000000L, 4000000000L)];

    [Fact]
    public void Mutated_checkpoints_give_only_invalid_model_file_errors()
    {
        byte[] seed = SmallCheckpoint.Bytes();
        string folder = FuzzFolder.Create(), otherPath = Path.Combine(folder, "other.safetensors");
        SmallCheckpoint.Write(otherPath, m => m[CheckpointMetadata.Classes] = "[\"x\",\"y\"]", SmallCheckpoint.Model(classes: 2));
        byte[] other = File.ReadAllBytes(otherPath);
        string path = Path.Combine(folder, "fuzz.safetensors");

        FuzzRun.Run("Safetensors + Checkpoint.Load", (random, log) =>
        {
            var mutator = new Mutator(random);
            var start = random.Next(3) == 0 ? other : seed;
            byte[] mutated = random.Next(3) == 0
                ? MutateHeader(start, random, log)
                : mutator.MutateSeveral(start, start == seed ? other : seed, log, fieldArea: 16, bigEndian: false);
            File.WriteAllBytes(path, mutated);
            Checkpoint.Load(path);
        }, e => e is InvalidModelFileException);
    }

    /// <summary>Replaces one value of the JSON header with a hostile one and rewrites the 8-byte length.</summary>
    private static byte[] MutateHeader(byte[] file, Random random, List<string> log)
    {
        int length = (int)BinaryPrimitives.ReadUInt64LittleEndian(file);
        var header = JsonNode.Parse(Encoding.UTF8.GetString(file, 8, length))!.AsObject();
        var keys = header.Select(p => p.Key).ToArray();
        string key = keys[random.Next(keys.Length)];
        if (key == "__metadata__")
        {
            var metadata = header[key]!.AsObject();
            var names = metadata.Select(p => p.Key).ToArray();
            string name = names[random.Next(names.Length)];
            string value = HostileStrings[random.Next(HostileStrings.Length)];
            if (random.Next(5) == 0) metadata.Remove(name);
            else metadata[name] = value;
            log.Add($"header: __metadata__.{name} := {Shorten(value)}");
        }
        else
        {
            var entry = header[key]!.AsObject();
            string field = new[] { "dtype", "shape", "data_offsets" }[random.Next(3)];
            var value = HostileValues[random.Next(HostileValues.Length)]?.DeepClone();
            entry[field] = value;
            log.Add($"header: {key}.{field} := {value?.ToJsonString() ?? "null"}");
        }
        var text = Encoding.UTF8.GetBytes(header.ToJsonString());
        var result = new byte[8 + text.Length + (file.Length - 8 - length)];
        BinaryPrimitives.WriteUInt64LittleEndian(result, (ulong)text.Length);
        text.CopyTo(result, 8);
        file.AsSpan(8 + length).CopyTo(result.AsSpan(8 + text.Length));
        return result;
    }

    private static string Shorten(string value) => value.Length > 40 ? value[..40] + $"... ({value.Length} chars)" : value;
}
