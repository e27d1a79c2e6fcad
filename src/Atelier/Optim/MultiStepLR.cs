namespace Atelier.Optim;

/// <summary>
/// Multiplies the rate by <c>gamma</c> at each milestone epoch (by gamma^k for a milestone listed k times), as
/// torch.optim.lr_scheduler.MultiStepLR. Step once per epoch.
/// </summary>
public sealed class MultiStepLR : LrScheduler
{
    private readonly int[] milestones;

    public MultiStepLR(Optimizer optimizer, IEnumerable<int> milestones, double gamma = 0.1) : base(optimizer)
    {
        ArgumentNullException.ThrowIfNull(milestones);
        this.milestones = milestones.ToArray();
        Array.Sort(this.milestones);
        Gamma = gamma;
        Start();
    }

    public IReadOnlyList<int> Milestones => milestones;
    public double Gamma { get; }

    protected override double ComputeLearningRate()
    {
        double lr = LastEpoch == 0 ? BaseLr : LearningRate;
        int count = 0;
        foreach (int m in milestones) if (m == LastEpoch) count++;
        return count == 0 ? lr : lr * Math.Pow(Gamma, count);
    }
}
