using System.Buffers;
using System.Buffers.Binary;
using System.Runtime.InteropServices;
using System.Text.Encodings.Web;
using System.Text.Json;
using Atelier.Nn;

namespace Atelier.Serialization;

/// <summary>
/// Reads and writes safetensors files (https://github.com/huggingface/safetensors), the format PyTorch users
/// share weights in: an 8-byte little-endian header length, a JSON header naming each tensor's dtype, shape
/// and byte range, then the raw little-endian data. State-dict names match torch.nn's, so files go both ways.
/// </summary>
public static class Safetensors
{
    /// <summary>Headers above this are refused rather than allocated, as the reference implementation does.</summary>
    public const long MaxHeaderLength = 100_000_000;

    private const string MetadataKey = "__metadata__";

    /// <summary>
    /// Writes <paramref name="state"/> in order: F32 for float entries, I64 for <see cref="StateEntry.IsInt64"/>
    /// ones (their float value rounded). Atomic: a temporary file in the same folder is renamed over
    /// <paramref name="path"/> once complete, so a crash never leaves a half-written model.
    /// </summary>
    public static void Save(string path, IReadOnlyList<StateEntry> state, IReadOnlyDictionary<string, string>? metadata = null)
    {
        ArgumentNullException.ThrowIfNull(path);
        ArgumentNullException.ThrowIfNull(state);
        byte[] header = BuildHeader(state, metadata);

        string fullPath = Path.GetFullPath(path);
        string temp = Path.Combine(Path.GetDirectoryName(fullPath)!, $".{Path.GetFileName(fullPath)}.{Guid.NewGuid():N}.tmp");
        try
        {
            using (var stream = new FileStream(temp, FileMode.CreateNew, FileAccess.Write, FileShare.None, 1 << 16))
            {
                Span<byte> length = stackalloc byte[8];
                BinaryPrimitives.WriteUInt64LittleEndian(length, (ulong)header.Length);
                stream.Write(length);
                stream.Write(header);
                foreach (var entry in state)
                {
                    if (entry.IsInt64) WriteInt64(stream, entry.Tensor.Span);
                    else WriteFloat32(stream, entry.Tensor.Span);
                }
                stream.Flush(flushToDisk: true);
            }
            File.Move(temp, fullPath, overwrite: true);
        }
        catch
        {
            try { File.Delete(temp); } catch (IOException) { } catch (UnauthorizedAccessException) { }
            throw;
        }
    }

    /// <summary>Saves a model's <see cref="Module.StateDict"/>, PyTorch names and order.</summary>
    public static void SaveModel(string path, Module model, IReadOnlyDictionary<string, string>? metadata = null)
    {
        ArgumentNullException.ThrowIfNull(model);
        Save(path, model.StateDict(), metadata);
    }

    /// <summary>
    /// Reads a safetensors file; every tensor comes back as float32 (I64, F64, F16 and BF16 are converted).
    /// A malformed or missing file throws <see cref="InvalidModelFileException"/> with one sentence naming it;
    /// other I/O failures (permissions, disk errors) surface as the usual .NET I/O exceptions.
    /// </summary>
    public static SafetensorsFile Load(string path)
    {
        ArgumentNullException.ThrowIfNull(path);
        return SafetensorsReader.Read(path);
    }

    /// <summary>
    /// Loads a file into <paramref name="model"/> strictly (every name, every shape) and returns its metadata.
    /// A file from a different model throws <see cref="InvalidModelFileException"/> with
    /// <see cref="Module.LoadStateDict"/>'s sentence, and leaves the model unchanged.
    /// </summary>
    public static IReadOnlyDictionary<string, string> LoadInto(string path, Module model)
    {
        ArgumentNullException.ThrowIfNull(model);
        var file = Load(path);
        try
        {
            model.LoadStateDict(file.Tensors);
        }
        catch (InvalidDataException e)
        {
            throw new InvalidModelFileException(path, e.Message, e);
        }
        return file.Metadata;
    }

    /// <summary>The JSON header, padded with spaces so the data starts 8-byte aligned (as the reference writes it).</summary>
    private static byte[] BuildHeader(IReadOnlyList<StateEntry> state, IReadOnlyDictionary<string, string>? metadata)
    {
        var buffer = new ArrayBufferWriter<byte>(256 + 96 * state.Count);
        // Relaxed escaping keeps names readable (UTF-8 as is), as serde_json writes them.
        using (var json = new Utf8JsonWriter(buffer, new JsonWriterOptions { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping }))
        {
            json.WriteStartObject();
            if (metadata is { Count: > 0 })
            {
                json.WriteStartObject(MetadataKey);
                foreach (var (key, value) in metadata)
                {
                    ArgumentNullException.ThrowIfNull(value, $"metadata[{key}]");
                    json.WriteString(key, value);
                }
                json.WriteEndObject();
            }
            var names = new HashSet<string>(StringComparer.Ordinal);
            long offset = 0;
            foreach (var entry in state)
            {
                if (entry.Name == MetadataKey)
                    throw new ArgumentException($"A tensor cannot be named '{MetadataKey}': safetensors reserves that name for metadata.", nameof(state));
                if (!names.Add(entry.Name))
                    throw new ArgumentException($"The state has two tensors named '{entry.Name}'.", nameof(state));
                if (entry.IsInt64)
                    foreach (float value in entry.Tensor.Span)
                        if (!float.IsFinite(value))
                            throw new ArgumentException($"Integer state '{entry.Name}' must be finite to be saved as I64, got {value}.", nameof(state));
                var shape = entry.Tensor.Shape;
                long bytes = (long)shape.Size * (entry.IsInt64 ? 8 : 4);
                json.WriteStartObject(entry.Name);
                json.WriteString("dtype", entry.IsInt64 ? "I64" : "F32");
                json.WriteStartArray("shape");
                for (int axis = 0; axis < shape.Rank; axis++) json.WriteNumberValue(shape[axis]);
                json.WriteEndArray();
                json.WriteStartArray("data_offsets");
                json.WriteNumberValue(offset);
                json.WriteNumberValue(offset + bytes);
                json.WriteEndArray();
                json.WriteEndObject();
                offset += bytes;
            }
            json.WriteEndObject();
        }
        int padded = (buffer.WrittenCount + 7) & ~7;
        var header = new byte[padded];
        buffer.WrittenSpan.CopyTo(header);
        header.AsSpan(buffer.WrittenCount).Fill((byte)' ');
        return header;
    }

    private static void WriteFloat32(Stream stream, ReadOnlySpan<float> values)
    {
        if (BitConverter.IsLittleEndian)
        {
            stream.Write(MemoryMarshal.AsBytes(values));
            return;
        }
        var chunk = ArrayPool<byte>.Shared.Rent(1 << 16);
        try
        {
            for (int start = 0; start < values.Length; start += chunk.Length / 4)
            {
                var part = values.Slice(start, Math.Min(chunk.Length / 4, values.Length - start));
                for (int i = 0; i < part.Length; i++) BinaryPrimitives.WriteSingleLittleEndian(chunk.AsSpan(4 * i), part[i]);
                stream.Write(chunk, 0, 4 * part.Length);
            }
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(chunk);
        }
    }

    /// <summary>Integer state (num_batches_tracked) is tiny: an element loop is fine here; values were checked finite.</summary>
    private static void WriteInt64(Stream stream, ReadOnlySpan<float> values)
    {
        Span<byte> bytes = stackalloc byte[8];
        foreach (float value in values)
        {
            BinaryPrimitives.WriteInt64LittleEndian(bytes, (long)Math.Round((double)value));
            stream.Write(bytes);
        }
    }
}
