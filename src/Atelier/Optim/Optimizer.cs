using Atelier.Nn;
using Atelier.Tensors;

namespace Atelier.Optim;

/// <summary>
/// Updates parameters from their gradients, as torch.optim does (one parameter group). State (moment buffers,
/// step counts) is created per parameter at its first update, and saved/restored by <see cref="StateDict"/> and
/// <see cref="LoadState(IReadOnlyDictionary{string, Tensor})"/> under PyTorch's names ("state.0.exp_avg").
/// </summary>
public abstract class Optimizer
{
    private readonly Tensor[] parameters;
    private readonly float[][]?[] buffers; // [parameter][buffer name] → same size as the parameter, null until first step
    private readonly float[]?[] scalars;   // [parameter][scalar name] → step count, mu_product...
    private float learningRate;

    protected Optimizer(IEnumerable<Tensor> parameters, float learningRate)
    {
        ArgumentNullException.ThrowIfNull(parameters);
        this.parameters = parameters.ToArray();
        if (this.parameters.Length == 0)
            throw new ArgumentException("The optimizer got an empty parameter list: pass the model's Parameters().", nameof(parameters));
        if (new HashSet<Tensor>(this.parameters, ReferenceEqualityComparer.Instance).Count != this.parameters.Length)
            throw new ArgumentException("The optimizer got the same parameter twice: pass each tensor once.", nameof(parameters));
        LearningRate = learningRate;
        buffers = new float[this.parameters.Length][][];
        scalars = new float[this.parameters.Length][];
    }

    /// <summary>PyTorch's class name, lower case, as accepted by <see cref="Optimizers.Create"/>: "adam".</summary>
    public abstract string Name { get; }

    public IReadOnlyList<Tensor> Parameters => parameters;

    /// <summary>The current learning rate; schedulers change it between steps.</summary>
    public float LearningRate
    {
        get => learningRate;
        set
        {
            if (!(value >= 0) || float.IsInfinity(value))
                throw new ArgumentOutOfRangeException(nameof(LearningRate), $"The learning rate must be a finite number ≥ 0, got {value}.");
            learningRate = value;
        }
    }

    /// <summary>Names of the per-parameter buffers this configuration keeps, in PyTorch's state order ("exp_avg", "exp_avg_sq").</summary>
    protected abstract string[] BufferNames { get; }

    /// <summary>Names of the per-parameter scalars ("step", "mu_product"), saved before the buffers as PyTorch does.</summary>
    protected virtual string[] ScalarNames => ["step"];

    /// <summary>Whether "step" is a Python int in PyTorch (RMSprop, Adadelta) rather than a float tensor (Adam...).</summary>
    protected virtual bool StepIsInt64 => false;

    /// <summary>Applies one update to every parameter that has a gradient (PyTorch skips those whose grad is None).</summary>
    public void Step()
    {
        for (int i = 0; i < parameters.Length; i++)
        {
            var p = parameters[i];
            if (!p.HasGrad || p.Grad is null) continue;
            if (p.Grad.Size != p.Size)
                throw new InvalidOperationException($"Parameter {i} has shape {p.Shape} but its gradient has shape {p.Grad.Shape}.");
            bool fresh = buffers[i] is null;
            if (fresh) CreateState(i);
            Update(p.Span, p.Grad.Span, buffers[i]!, scalars[i]!, fresh);
        }
    }

    /// <summary>Forgets every gradient (PyTorch's zero_grad(set_to_none=True)): the next backward pass writes afresh.</summary>
    public void ZeroGrad()
    {
        foreach (var p in parameters) p.HasGrad = false;
    }

    /// <summary>
    /// Updates one parameter in place. <paramref name="state"/> holds the buffers named by <see cref="BufferNames"/>,
    /// <paramref name="scalarState"/> the scalars named by <see cref="ScalarNames"/>; <paramref name="fresh"/> on the
    /// parameter's first update (SGD then copies the gradient into its momentum buffer).
    /// </summary>
    protected abstract void Update(Span<float> param, ReadOnlySpan<float> grad, float[][] state, float[] scalarState, bool fresh);

    /// <summary>Initial values of a fresh state: buffers are zero and scalars 0 unless overridden (Adagrad's accumulator, NAdam's mu_product).</summary>
    protected virtual void InitializeState(float[][] state, float[] scalarState) { }

    private void CreateState(int i)
    {
        var names = BufferNames;
        var state = new float[names.Length][];
        for (int b = 0; b < names.Length; b++) state[b] = new float[parameters[i].Size];
        var scalarState = new float[ScalarNames.Length];
        InitializeState(state, scalarState);
        buffers[i] = state;
        scalars[i] = scalarState;
    }

    /// <summary>
    /// A snapshot (copies) of the optimizer state: "param_groups.0.lr", then for each parameter already updated
    /// "state.{i}.{name}" for its scalars and buffers. Feed it to <see cref="LoadState(IReadOnlyDictionary{string, Tensor})"/> to resume bit-identically.
    /// </summary>
    public List<StateEntry> StateDict()
    {
        var entries = new List<StateEntry> { new("param_groups.0.lr", new Tensor(Shape.Scalar, [learningRate])) };
        var bufferNames = BufferNames;
        var scalarNames = ScalarNames;
        for (int i = 0; i < parameters.Length; i++)
        {
            if (buffers[i] is not { } state) continue;
            for (int s = 0; s < scalarNames.Length; s++)
                entries.Add(new StateEntry($"state.{i}.{scalarNames[s]}", new Tensor(Shape.Scalar, [scalars[i]![s]]), IsInt64: StepIsInt64 && scalarNames[s] == "step"));
            for (int b = 0; b < bufferNames.Length; b++)
                entries.Add(new StateEntry($"state.{i}.{bufferNames[b]}", new Tensor(parameters[i].Shape, (float[])state[b].Clone())));
        }
        return entries;
    }

    public void LoadState(IEnumerable<StateEntry> state)
    {
        var byName = new Dictionary<string, Tensor>();
        foreach (var entry in state) byName[entry.Name] = entry.Tensor;
        LoadState(byName);
    }

    /// <summary>
    /// Restores a state saved by <see cref="StateDict"/> from an optimizer of the same kind and configuration on the
    /// same parameters. Strict: a missing, unexpected or misshapen entry throws and nothing is changed.
    /// </summary>
    public void LoadState(IReadOnlyDictionary<string, Tensor> state)
    {
        ArgumentNullException.ThrowIfNull(state);
        var bufferNames = BufferNames;
        var scalarNames = ScalarNames;
        var present = new bool[parameters.Length];
        int expected = 0;
        if (state.TryGetValue("param_groups.0.lr", out var lr))
        {
            if (lr.Size != 1) throw new InvalidDataException("The saved optimizer state has a 'param_groups.0.lr' that is not a single number.");
            expected++;
        }
        for (int i = 0; i < parameters.Length && scalarNames.Length + bufferNames.Length > 0; i++)
        {
            string first = $"state.{i}.{(scalarNames.Length > 0 ? scalarNames[0] : bufferNames[0])}";
            if (!state.ContainsKey(first)) continue;
            present[i] = true;
            foreach (var name in scalarNames)
            {
                var t = Require(state, $"state.{i}.{name}");
                if (t.Size != 1) throw new InvalidDataException($"Optimizer state 'state.{i}.{name}' should be a single number but has shape {t.Shape}.");
            }
            foreach (var name in bufferNames)
            {
                var t = Require(state, $"state.{i}.{name}");
                if (t.Shape != parameters[i].Shape)
                    throw new InvalidDataException($"Optimizer state 'state.{i}.{name}' has shape {t.Shape} but parameter {i} has shape {parameters[i].Shape}: it was saved for a different model.");
            }
            expected += scalarNames.Length + bufferNames.Length;
        }
        if (state.Count != expected)
        {
            foreach (var key in state.Keys)
                if (!IsKnown(key, present, scalarNames, bufferNames))
                    throw new InvalidDataException($"The saved optimizer state has an entry '{key}' that this {Name} optimizer does not use: it was saved from a different optimizer or configuration.");
        }

        if (lr is not null) LearningRate = lr.Span[0];
        for (int i = 0; i < parameters.Length; i++)
        {
            if (!present[i]) { buffers[i] = null; scalars[i] = null; continue; }
            if (buffers[i] is null) CreateState(i);
            for (int s = 0; s < scalarNames.Length; s++) scalars[i]![s] = state[$"state.{i}.{scalarNames[s]}"].Span[0];
            for (int b = 0; b < bufferNames.Length; b++) state[$"state.{i}.{bufferNames[b]}"].Span.CopyTo(buffers[i]![b]);
        }
    }

    private Tensor Require(IReadOnlyDictionary<string, Tensor> state, string name) =>
        state.TryGetValue(name, out var t) ? t
            : throw new InvalidDataException($"The saved optimizer state has no '{name}', which this {Name} optimizer needs: it was saved from a different optimizer or configuration.");

    private static bool IsKnown(string key, bool[] present, string[] scalarNames, string[] bufferNames)
    {
        if (key == "param_groups.0.lr") return true;
        var parts = key.Split('.');
        if (parts.Length != 3 || parts[0] != "state" || !int.TryParse(parts[1], out int i) || i < 0 || i >= present.Length || !present[i]) return false;
        return Array.IndexOf(scalarNames, parts[2]) >= 0 || Array.IndexOf(bufferNames, parts[2]) >= 0;
    }

    protected static void CheckNonNegative(double value, string name)
    {
        if (!(value >= 0) || double.IsInfinity(value))
            throw new ArgumentOutOfRangeException(name, $"{name} must be a finite number ≥ 0, got {value}.");
    }

    protected static void CheckBeta(double value, string name)
    {
        if (!(value >= 0 && value < 1))
            throw new ArgumentOutOfRangeException(name, $"{name} must be in [0, 1), got {value}.");
    }
}
