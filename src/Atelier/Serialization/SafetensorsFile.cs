using Atelier.Tensors;

namespace Atelier.Serialization;

/// <summary>
/// The contents of a safetensors file: every tensor as float32 (whatever its stored type), the type it was
/// stored as, and the file's string metadata.
/// </summary>
public sealed class SafetensorsFile
{
    internal SafetensorsFile(IReadOnlyList<string> names, IReadOnlyDictionary<string, Tensor> tensors,
        IReadOnlyDictionary<string, SafetensorsDType> dtypes, IReadOnlyDictionary<string, string> metadata)
    {
        Names = names;
        Tensors = tensors;
        DTypes = dtypes;
        Metadata = metadata;
    }

    /// <summary>Tensor names in the order their data lies in the file.</summary>
    public IReadOnlyList<string> Names { get; }

    public IReadOnlyDictionary<string, Tensor> Tensors { get; }

    /// <summary>The element type each tensor was stored as (num_batches_tracked is I64 in PyTorch files).</summary>
    public IReadOnlyDictionary<string, SafetensorsDType> DTypes { get; }

    /// <summary>The header's "__metadata__" map; empty when the file has none.</summary>
    public IReadOnlyDictionary<string, string> Metadata { get; }
}
