namespace Atelier.Optim;

/// <summary>
/// Changes an optimizer's learning rate over training, as torch.optim.lr_scheduler: construction sets the epoch-0
/// rate, then call <see cref="Step()"/> once per epoch after the epoch's optimizer steps (once per batch when
/// <see cref="StepsPerBatch"/>). The rate is computed in double, as PyTorch's Python floats, and handed to the
/// optimizer rounded to float; the scheduler owns it, so a rate set on the optimizer by hand is overwritten at the next step.
/// </summary>
public abstract class LrScheduler
{
    protected LrScheduler(Optimizer optimizer)
    {
        ArgumentNullException.ThrowIfNull(optimizer);
        Optimizer = optimizer;
        BaseLr = optimizer.LearningRate;
    }

    public Optimizer Optimizer { get; }

    /// <summary>The learning rate the schedule starts from (PyTorch's initial_lr).</summary>
    public double BaseLr { get; protected set; }

    /// <summary>Number of steps taken (PyTorch's last_epoch: 0 right after construction).</summary>
    public int LastEpoch { get; protected set; } = -1;

    /// <summary>The learning rate set by the last step (PyTorch's get_last_lr()).</summary>
    public double LearningRate { get; private set; }

    /// <summary>True when <see cref="Step()"/> is meant to be called after every batch (one-cycle), false for every epoch.</summary>
    public virtual bool StepsPerBatch => false;

    /// <summary>Advances the schedule by one epoch (or one batch, see <see cref="StepsPerBatch"/>) and sets the optimizer's rate.</summary>
    public virtual void Step()
    {
        LastEpoch++;
        SetLearningRate(ComputeLearningRate());
    }

    /// <summary>
    /// Advances the schedule given the epoch's validation metric: only <see cref="ReduceLROnPlateau"/> uses it,
    /// the others ignore it, so a trainer can call this for every scheduler.
    /// </summary>
    public virtual void Step(double metric) => Step();

    /// <summary>The rate for <see cref="LastEpoch"/>, from the previous one (<see cref="LearningRate"/>) as PyTorch's chainable get_lr().</summary>
    protected abstract double ComputeLearningRate();

    protected void SetLearningRate(double lr)
    {
        LearningRate = lr;
        Optimizer.LearningRate = (float)lr;
    }

    /// <summary>PyTorch's initial step, for constructors to call once their fields are set: epoch 0.</summary>
    protected void Start() => Step();

    /// <summary>The scheduler's state for resuming: plain numbers (exact doubles), like PyTorch's scheduler state_dict().</summary>
    public Dictionary<string, double> StateDict()
    {
        var state = new Dictionary<string, double> { ["last_epoch"] = LastEpoch, ["lr"] = LearningRate, ["base_lr"] = BaseLr };
        SaveState(state);
        return state;
    }

    /// <summary>Restores a <see cref="StateDict"/> of the same kind of scheduler and sets the optimizer's rate to the saved one.</summary>
    public void LoadState(IReadOnlyDictionary<string, double> state)
    {
        ArgumentNullException.ThrowIfNull(state);
        LastEpoch = (int)Read(state, "last_epoch");
        BaseLr = Read(state, "base_lr");
        LoadExtraState(state);
        SetLearningRate(Read(state, "lr"));
    }

    protected virtual void SaveState(Dictionary<string, double> state) { }

    protected virtual void LoadExtraState(IReadOnlyDictionary<string, double> state) { }

    protected double Read(IReadOnlyDictionary<string, double> state, string key) =>
        state.TryGetValue(key, out var value) ? value
            : throw new InvalidDataException($"The saved {GetType().Name} state has no '{key}': it was saved from a different scheduler.");
}
