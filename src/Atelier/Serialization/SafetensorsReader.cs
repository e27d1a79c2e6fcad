using System.Buffers;
using System.Buffers.Binary;
using System.Globalization;
using System.Runtime.InteropServices;
using System.Text.Json;
using System.Text.Unicode;
using Atelier.Tensors;
using Microsoft.Win32.SafeHandles;

namespace Atelier.Serialization;

/// <summary>
/// Parses and validates a safetensors file before trusting any of it: every way a file can be malformed
/// ends in one <see cref="InvalidModelFileException"/> sentence, never an index or JSON exception.
/// </summary>
internal static class SafetensorsReader
{
    private readonly record struct Entry(string Name, SafetensorsDType DType, Shape Shape, long Begin, long End);

    public static SafetensorsFile Read(string path)
    {
        using var handle = Open(path);
        long fileLength = RandomAccess.GetLength(handle);
        if (fileLength < 8)
            throw Invalid(path, $"it has only {fileLength} bytes, too few for the 8-byte header length it must start with");

        Span<byte> prefix = stackalloc byte[8];
        ReadExactly(path, handle, prefix, 0);
        ulong headerLength = BinaryPrimitives.ReadUInt64LittleEndian(prefix);
        if (headerLength > Safetensors.MaxHeaderLength)
            throw Invalid(path, $"its header length ({headerLength} bytes) is absurdly large, over the {Safetensors.MaxHeaderLength} bytes allowed");
        if ((long)headerLength > fileLength - 8)
            throw Invalid(path, $"its header length ({headerLength} bytes) is larger than the rest of the file ({fileLength - 8} bytes)");

        var header = new byte[headerLength];
        ReadExactly(path, handle, header, 8);
        var (entries, metadata) = ParseHeader(path, header);

        long dataStart = 8 + (long)headerLength;
        CheckLayout(path, entries, fileLength - dataStart);

        var names = new string[entries.Count];
        var tensors = new Dictionary<string, Tensor>(entries.Count, StringComparer.Ordinal);
        var dtypes = new Dictionary<string, SafetensorsDType>(entries.Count, StringComparer.Ordinal);
        for (int i = 0; i < entries.Count; i++)
        {
            var entry = entries[i];
            names[i] = entry.Name;
            tensors[entry.Name] = ReadTensor(path, handle, entry, dataStart);
            dtypes[entry.Name] = entry.DType;
        }
        return new SafetensorsFile(names, tensors, dtypes, metadata);
    }

    private static SafeFileHandle Open(string path)
    {
        try
        {
            return File.OpenHandle(path, FileMode.Open, FileAccess.Read, FileShare.Read, FileOptions.SequentialScan);
        }
        catch (Exception e) when (e is FileNotFoundException or DirectoryNotFoundException)
        {
            throw new InvalidModelFileException(path, $"The model file '{path}' does not exist.", e);
        }
    }

    private static (List<Entry> Entries, Dictionary<string, string> Metadata) ParseHeader(string path, byte[] header)
    {
        // Checked first: the JSON reader does not validate UTF-8 inside strings, and names must be text.
        if (!Utf8.IsValid(header))
            throw Invalid(path, "its header is not valid UTF-8 text");
        JsonDocument document;
        try
        {
            document = JsonDocument.Parse(header);
        }
        catch (JsonException)
        {
            throw Invalid(path, "its header is not valid JSON");
        }
        using (document)
        {
            var root = document.RootElement;
            if (root.ValueKind != JsonValueKind.Object)
                throw Invalid(path, $"its header is a JSON {Kind(root)} where an object is expected");

            var entries = new List<Entry>();
            var metadata = new Dictionary<string, string>(StringComparer.Ordinal);
            var seen = new HashSet<string>(StringComparer.Ordinal);
            foreach (var property in root.EnumerateObject())
            {
                if (!seen.Add(property.Name))
                    throw Invalid(path, $"its header names '{property.Name}' twice");
                if (property.Name == "__metadata__") ReadMetadata(path, property.Value, metadata);
                else entries.Add(ParseEntry(path, property.Name, property.Value));
            }
            return (entries, metadata);
        }
    }

    private static void ReadMetadata(string path, JsonElement value, Dictionary<string, string> metadata)
    {
        if (value.ValueKind == JsonValueKind.Null) return;
        if (value.ValueKind != JsonValueKind.Object)
            throw Invalid(path, $"its __metadata__ is a JSON {Kind(value)} where a map of strings is expected");
        foreach (var item in value.EnumerateObject())
        {
            if (item.Value.ValueKind != JsonValueKind.String)
                throw Invalid(path, $"its __metadata__ value for '{item.Name}' is a JSON {Kind(item.Value)}, but metadata values must be strings");
            if (!metadata.TryAdd(item.Name, item.Value.GetString()!))
                throw Invalid(path, $"its __metadata__ names '{item.Name}' twice");
        }
    }

    private static Entry ParseEntry(string path, string name, JsonElement value)
    {
        if (value.ValueKind != JsonValueKind.Object)
            throw Invalid(path, $"tensor '{name}' is described by a JSON {Kind(value)} where an object is expected");

        if (!value.TryGetProperty("dtype", out var dtypeElement) || dtypeElement.ValueKind != JsonValueKind.String)
            throw Invalid(path, $"tensor '{name}' has no dtype string");
        string dtypeText = dtypeElement.GetString()!;
        if (!SafetensorsDTypes.TryParse(dtypeText, out var dtype))
        {
            throw SafetensorsDTypes.IsKnownButUnsupported(dtypeText)
                ? Invalid(path, $"tensor '{name}' has dtype {dtypeText}, which Atelier does not read (it reads {SafetensorsDTypes.SupportedList})")
                : Invalid(path, $"tensor '{name}' has unknown dtype '{dtypeText}'");
        }

        if (!value.TryGetProperty("shape", out var shapeElement) || shapeElement.ValueKind != JsonValueKind.Array)
            throw Invalid(path, $"tensor '{name}' has no shape array");
        int rank = shapeElement.GetArrayLength();
        if (rank > 4)
            throw Invalid(path, $"tensor '{name}' has {rank} dimensions, more than the 4 Atelier supports");
        Span<int> dims = stackalloc int[rank];
        long size = 1;
        int axis = 0;
        foreach (var dim in shapeElement.EnumerateArray())
        {
            if (dim.ValueKind != JsonValueKind.Number || !dim.TryGetInt64(out long d) || d < 0)
                throw Invalid(path, $"tensor '{name}' has shape dimension {dim.GetRawText()}, which is not a non-negative integer");
            if (d > Array.MaxLength)
                throw Invalid(path, $"tensor '{name}' has shape dimension {d}, too large for one tensor");
            dims[axis++] = (int)d;
            size = Math.Min(size * d, Array.MaxLength + 1L); // both factors < 2^31: no overflow
        }
        if (size > Array.MaxLength)
            throw Invalid(path, $"tensor '{name}' has shape {FormatDims(shapeElement)}, too many elements for one tensor");
        var shape = Shape.Of(dims);

        if (!value.TryGetProperty("data_offsets", out var offsets) || offsets.ValueKind != JsonValueKind.Array
            || offsets.GetArrayLength() != 2
            || !TryGetOffset(offsets[0], out long begin) || !TryGetOffset(offsets[1], out long end))
            throw Invalid(path, $"tensor '{name}' has no valid data_offsets (two non-negative byte offsets [begin, end])");
        if (end < begin)
            throw Invalid(path, $"tensor '{name}' has data_offsets [{begin}, {end}] that end before they begin");
        long expected = size * SafetensorsDTypes.ByteSize(dtype);
        // Non-F32 data is read whole into one byte buffer before conversion.
        if (dtype != SafetensorsDType.F32 && expected > Array.MaxLength)
            throw Invalid(path, $"tensor '{name}' of dtype {dtype} and shape {shape} holds {expected} bytes, too many to convert in one piece");
        if (end - begin != expected)
            throw Invalid(path, $"tensor '{name}' of dtype {dtype} and shape {shape} needs {expected} bytes but its data_offsets [{begin}, {end}] span {end - begin}");
        return new Entry(name, dtype, shape, begin, end);
    }

    private static bool TryGetOffset(JsonElement element, out long offset)
    {
        offset = 0;
        return element.ValueKind == JsonValueKind.Number && element.TryGetInt64(out offset) && offset >= 0;
    }

    /// <summary>Tensors must tile the data exactly: from 0, no gap, no overlap, nothing left over, nothing missing.</summary>
    private static void CheckLayout(string path, List<Entry> entries, long dataLength)
    {
        // Sorted by offset (empty tensors first at a tie), which is also the order the data is read in.
        entries.Sort((a, b) => a.Begin != b.Begin ? a.Begin.CompareTo(b.Begin) : a.End.CompareTo(b.End));
        long covered = 0;
        foreach (var entry in entries)
        {
            if (entry.Begin > covered)
                throw Invalid(path, $"its data has a gap of {entry.Begin - covered} bytes before tensor '{entry.Name}' that belongs to no tensor");
            if (entry.Begin < covered)
                throw Invalid(path, $"tensor '{entry.Name}' overlaps the tensor before it in the data (it starts at byte {entry.Begin}, before byte {covered})");
            covered = entry.End;
        }
        if (covered > dataLength)
            throw Invalid(path, $"it is truncated: its header describes {covered} bytes of tensor data but only {dataLength} follow");
        if (covered < dataLength)
            throw Invalid(path, $"its last {dataLength - covered} bytes belong to no tensor in its header");
    }

    private static Tensor ReadTensor(string path, SafeFileHandle handle, Entry entry, long dataStart)
    {
        int size = entry.Shape.Size;
        var values = size == 0 ? [] : new float[size];
        long offset = dataStart + entry.Begin;
        if (entry.DType == SafetensorsDType.F32)
        {
            // Straight into the tensor's own buffer: no copy, no element loop.
            ReadExactly(path, handle, MemoryMarshal.AsBytes(values.AsSpan()), offset);
            if (!BitConverter.IsLittleEndian)
            {
                var bits = MemoryMarshal.Cast<float, int>(values.AsSpan());
                BinaryPrimitives.ReverseEndianness(bits, bits);
            }
            return new Tensor(entry.Shape, values);
        }

        int byteCount = checked((int)(entry.End - entry.Begin));
        var raw = ArrayPool<byte>.Shared.Rent(Math.Max(byteCount, 1));
        try
        {
            var bytes = raw.AsSpan(0, byteCount);
            ReadExactly(path, handle, bytes, offset);
            Convert(entry.DType, bytes, values);
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(raw);
        }
        return new Tensor(entry.Shape, values);
    }

    /// <summary>Converts non-F32 data to float32 (these are small interop cases, so plain loops).</summary>
    private static void Convert(SafetensorsDType dtype, ReadOnlySpan<byte> bytes, Span<float> values)
    {
        switch (dtype)
        {
            case SafetensorsDType.F64:
                for (int i = 0; i < values.Length; i++) values[i] = (float)BinaryPrimitives.ReadDoubleLittleEndian(bytes[(8 * i)..]);
                break;
            case SafetensorsDType.F16:
                for (int i = 0; i < values.Length; i++) values[i] = (float)BinaryPrimitives.ReadHalfLittleEndian(bytes[(2 * i)..]);
                break;
            case SafetensorsDType.BF16:
                // bfloat16 is the top half of a float32: widening is exact.
                for (int i = 0; i < values.Length; i++) values[i] = BitConverter.Int32BitsToSingle(BinaryPrimitives.ReadUInt16LittleEndian(bytes[(2 * i)..]) << 16);
                break;
            case SafetensorsDType.I64:
                for (int i = 0; i < values.Length; i++) values[i] = BinaryPrimitives.ReadInt64LittleEndian(bytes[(8 * i)..]);
                break;
            default:
                throw new ArgumentOutOfRangeException(nameof(dtype));
        }
    }

    private static void ReadExactly(string path, SafeFileHandle handle, Span<byte> destination, long offset)
    {
        while (destination.Length > 0)
        {
            int read = RandomAccess.Read(handle, destination, offset);
            if (read == 0) throw Invalid(path, "it became shorter while being read");
            destination = destination[read..];
            offset += read;
        }
    }

    private static string Kind(JsonElement element) => element.ValueKind switch
    {
        JsonValueKind.Object => "object",
        JsonValueKind.Array => "array",
        JsonValueKind.String => "string",
        JsonValueKind.Number => "number",
        JsonValueKind.True or JsonValueKind.False => "boolean",
        JsonValueKind.Null => "null",
        _ => "value",
    };

    private static string FormatDims(JsonElement shape)
    {
        var parts = new List<string>();
        foreach (var dim in shape.EnumerateArray()) parts.Add(dim.GetInt64().ToString(CultureInfo.InvariantCulture));
        return "[" + string.Join(", ", parts) + "]";
    }

    private static InvalidModelFileException Invalid(string path, string reason) =>
        new(path, $"'{path}' is not a valid safetensors file: {reason}.");
}
