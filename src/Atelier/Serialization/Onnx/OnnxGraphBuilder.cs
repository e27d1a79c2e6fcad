using Atelier.Serialization.Onnx.Proto;

namespace Atelier.Serialization.Onnx;

/// <summary>Collects a graph's nodes and initializers, naming every intermediate value uniquely.</summary>
internal sealed class OnnxGraphBuilder
{
    private readonly HashSet<string> names = [];

    public List<NodeProto> Nodes { get; } = [];
    public List<TensorProto> Initializers { get; } = [];

    /// <summary>Adds a node with one output, named after <paramref name="name"/>; returns the output's name.</summary>
    public string Node(string opType, string name, IEnumerable<string> inputs, params AttributeProto[] attributes)
    {
        string nodeName = Unique(name.Length == 0 ? opType : $"{name}/{opType}");
        var node = new NodeProto { OpType = opType, Name = nodeName };
        node.Input.AddRange(inputs);
        node.Output.Add(nodeName + ":0");
        node.Attribute.AddRange(attributes);
        Nodes.Add(node);
        return node.Output[0];
    }

    /// <summary>Renames the last node's output (the graph's output takes a fixed name).</summary>
    public void RenameLastOutput(string from, string to)
    {
        var last = Nodes[^1];
        if (last.Output[0] != from) throw new InvalidOperationException($"The last node writes '{last.Output[0]}', not '{from}'.");
        last.Output[0] = to;
    }

    public string Float(string name, long[] dims, ReadOnlySpan<float> values)
    {
        var tensor = TensorProto.Float(Unique(name), dims, values);
        Initializers.Add(tensor);
        return tensor.Name;
    }

    public string Int64(string name, params long[] values)
    {
        var tensor = TensorProto.Int64(Unique(name), [values.Length], values);
        Initializers.Add(tensor);
        return tensor.Name;
    }

    /// <summary>A weight under its state-dict name ("3.weight"), so the ONNX file and the checkpoint name it alike.</summary>
    public string Weight(string name, Tensors.Tensor tensor)
    {
        var dims = new long[tensor.Shape.Rank];
        for (int i = 0; i < dims.Length; i++) dims[i] = tensor.Shape[i];
        return Float(name, dims, tensor.Span);
    }

    private string Unique(string name)
    {
        string candidate = name;
        for (int i = 1; !names.Add(candidate); i++) candidate = $"{name}_{i}";
        return candidate;
    }
}
