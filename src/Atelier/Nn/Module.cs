using Atelier.Tensors;

namespace Atelier.Nn;

/// <summary>
/// A layer or a network, as in torch.nn: parameters, buffers, children, train/eval mode, a state dict.
/// Forward returns a tensor the module owns and reuses on its next forward: clone it to keep it.
/// </summary>
public abstract class Module
{
    public bool Training { get; private set; } = true;

    public abstract Tensor Forward(Tensor input);

    /// <summary>Output shape for an input shape, without running anything (for summaries and checks).</summary>
    public abstract Shape OutputShape(Shape input);

    /// <summary>FLOPs (2 × multiply-adds) of one forward pass on an input of this shape, batch included.</summary>
    public virtual long Flops(Shape input) => 0;

    /// <summary>This module's own parameters (not its children's), with their local names ("weight", "bias").</summary>
    protected virtual IEnumerable<(string Name, Tensor Tensor)> LocalParameters() => [];

    /// <summary>This module's own non-trainable state (running statistics), in PyTorch's state-dict order.</summary>
    protected virtual IEnumerable<StateEntry> LocalBuffers() => [];

    /// <summary>Direct children with their local names ("0", "1"... for a Sequential).</summary>
    public virtual IEnumerable<(string Name, Module Module)> Children() => [];

    /// <summary>A short description for summaries: "Linear(784 -> 392)".</summary>
    public virtual string Describe() => GetType().Name;

    public IEnumerable<(string Name, Tensor Tensor)> NamedParameters()
    {
        foreach (var (name, tensor) in LocalParameters()) yield return (name, tensor);
        foreach (var (prefix, child) in Children())
            foreach (var (name, tensor) in child.NamedParameters()) yield return ($"{prefix}.{name}", tensor);
    }

    public IEnumerable<Tensor> Parameters()
    {
        foreach (var (_, tensor) in NamedParameters()) yield return tensor;
    }

    public long ParameterCount()
    {
        long count = 0;
        foreach (var p in Parameters()) count += p.Size;
        return count;
    }

    /// <summary>Parameters and buffers in PyTorch's state_dict order: per module, parameters then buffers, then children.</summary>
    public List<StateEntry> StateDict()
    {
        var entries = new List<StateEntry>();
        CollectState("", entries);
        return entries;
    }

    private void CollectState(string prefix, List<StateEntry> entries)
    {
        foreach (var (name, tensor) in LocalParameters()) entries.Add(new StateEntry(prefix + name, tensor));
        foreach (var entry in LocalBuffers()) entries.Add(entry with { Name = prefix + entry.Name });
        foreach (var (name, child) in Children()) child.CollectState($"{prefix}{name}.", entries);
    }

    /// <summary>
    /// Copies values into this module's state. Strict like PyTorch: a missing or unexpected name, or a shape
    /// that differs, throws with a sentence naming it and nothing is changed.
    /// </summary>
    public void LoadStateDict(IReadOnlyDictionary<string, Tensor> state)
    {
        var own = StateDict();
        foreach (var entry in own)
        {
            if (!state.TryGetValue(entry.Name, out var value))
                throw new InvalidDataException($"The saved state has no tensor '{entry.Name}', which this model needs: it was saved from a different model.");
            if (value.Shape != entry.Tensor.Shape)
                throw new InvalidDataException($"Tensor '{entry.Name}' has shape {value.Shape} in the saved state but {entry.Tensor.Shape} in this model: it was saved from a different model.");
        }
        if (state.Count != own.Count)
        {
            var names = new HashSet<string>(own.Select(e => e.Name));
            var extra = state.Keys.First(k => !names.Contains(k));
            throw new InvalidDataException($"The saved state has a tensor '{extra}' that this model does not have: it was saved from a different model.");
        }
        foreach (var entry in own) state[entry.Name].Span.CopyTo(entry.Tensor.Span);
    }

    public Module Train() => SetTraining(true);

    public Module Eval() => SetTraining(false);

    private Module SetTraining(bool training)
    {
        Training = training;
        foreach (var (_, child) in Children()) child.SetTraining(training);
        return this;
    }

    /// <summary>Forgets every parameter's gradient, like PyTorch's zero_grad(set_to_none=True): the next backward writes afresh.</summary>
    public void ZeroGrad()
    {
        foreach (var p in Parameters()) p.HasGrad = false;
    }

    /// <summary>Every module of the tree, depth first, this one included.</summary>
    public IEnumerable<(string Name, Module Module)> Modules()
    {
        yield return ("", this);
        foreach (var (prefix, child) in Children())
            foreach (var (name, module) in child.Modules())
                yield return (name.Length == 0 ? prefix : $"{prefix}.{name}", module);
    }

    /// <summary>
    /// Re-initialises this module's own parameters with PyTorch's default for the layer type (children are
    /// reset by <see cref="ResetAllParameters"/>). Layers without parameters do nothing.
    /// </summary>
    public virtual void ResetParameters(Rng rng) { }

    /// <summary>PyTorch's default initialisation for the whole tree, in state-dict order, from one seeded stream.</summary>
    public void ResetAllParameters(Rng rng)
    {
        foreach (var (_, module) in Modules()) module.ResetParameters(rng);
    }

    /// <summary>Creates a parameter tensor (requires grad).</summary>
    protected static Tensor NewParameter(Shape shape) => new(shape) { RequiresGrad = true };
}
