using Atelier.Autograd;
using Atelier.Kernels;
using Atelier.Tensors;

namespace Atelier.Nn;

/// <summary>
/// What BatchNorm1d and BatchNorm2d share: per-channel normalisation of [N, C, ...] with batch statistics in
/// training (updating the running ones) and running statistics in eval; affine weight and bias; PyTorch's
/// state-dict names and order (weight, bias, running_mean, running_var, num_batches_tracked).
/// </summary>
public abstract class BatchNorm : Module, IBackward
{
    private Tensor? input, output;
    private readonly float[] mean, variance, invStd, dyXhatSum, dySum, scratch;
    private bool trainedForward, fusedReLU;
    private int n, s;
    private int averaged = -1; // ≥ 0 while averaging: the batches averaged so far

    /// <summary>Whether the last forward pass applied the ReLU after it too (<see cref="ForwardWithReLU"/>): for the profiler's labels.</summary>
    internal bool LastForwardFusedReLU => fusedReLU;

    protected BatchNorm(int channels, float eps, float momentum)
    {
        if (channels <= 0) throw new ArgumentOutOfRangeException(nameof(channels), $"{GetType().Name} needs a positive channel count, got {channels}.");
        Channels = channels;
        Eps = eps;
        Momentum = momentum;
        Weight = NewParameter(new Shape(channels));
        Bias = NewParameter(new Shape(channels));
        RunningMean = new Tensor(new Shape(channels));
        RunningVar = new Tensor(new Shape(channels));
        NumBatchesTracked = new Tensor(Shape.Scalar);
        mean = new float[channels]; variance = new float[channels]; invStd = new float[channels];
        dyXhatSum = new float[channels]; dySum = new float[channels]; scratch = new float[3 * channels];
        ResetState();
    }

    public int Channels { get; }
    public float Eps { get; }
    public float Momentum { get; }
    public Tensor Weight { get; }
    public Tensor Bias { get; }
    public Tensor RunningMean { get; }
    public Tensor RunningVar { get; }

    /// <summary>Training batches seen so far (an integer, held as a float scalar).</summary>
    public Tensor NumBatchesTracked { get; }

    /// <summary>Checks the input's rank (the channel axis is always 1).</summary>
    protected abstract void CheckRank(Shape input);

    public override Tensor Forward(Tensor input) => Forward(input, relu: false);

    /// <summary>
    /// This layer and a ReLU after it in one pass (what <see cref="Sequential"/> runs for the pair): the same values and
    /// gradients as the two layers, with two fewer passes over memory forward and backward.
    /// </summary>
    public Tensor ForwardWithReLU(Tensor input) => Forward(input, relu: true);

    private Tensor Forward(Tensor input, bool relu)
    {
        CheckRank(input.Shape);
        var shape = input.Shape;
        if (shape[1] != Channels)
            throw new ArgumentException($"{Describe()} expects {Channels} channels on axis 1, got input {shape}.");
        n = shape[0];
        s = shape.SizeFrom(2);
        this.input = input;
        var y = Tensor.Ensure(ref output, shape);
        trainedForward = Training;
        fusedReLU = relu;
        if (Training)
        {
            if ((long)n * s <= 1)
                throw new ArgumentException($"{Describe()} needs more than one value per channel in training mode, got input {shape}.");
            BatchNormalization.ForwardTrain(y.Span, mean, variance, invStd, input.Span, Weight.Span, Bias.Span, n, Channels, s, Eps, scratch, relu);
            // While averaging, batch k weighs 1/k: the running statistics become the exact mean over the batches.
            float momentum = averaged >= 0 ? 1f / ++averaged : Momentum;
            BatchNormalization.UpdateRunningStatistics(RunningMean.Span, RunningVar.Span, mean, variance, (long)n * s, momentum);
            NumBatchesTracked[0] += 1;
        }
        else
        {
            RunningMean.Span.CopyTo(mean);
            BatchNormalization.ForwardEval(y.Span, invStd, input.Span, RunningMean.Span, RunningVar.Span, Weight.Span, Bias.Span, n, Channels, s, Eps, scratch, relu);
        }
        Tape.Record(this, y, input.RequiresGrad || Weight.RequiresGrad || Bias.RequiresGrad);
        return y;
    }

    public void Backward()
    {
        if (!output!.HasGrad) return;
        Span<float> dx = default;
        bool accX = false;
        if (input!.RequiresGrad) dx = input.GradForWrite(out accX);
        BatchNormalization.Backward(dx, accX, dyXhatSum, dySum, output.Grad!.Span, input.Span, mean, invStd, Weight.Span,
            n, Channels, s, trainedForward, scratch, fusedReLU ? output.Span : default);
        if (Weight.RequiresGrad) Weight.AccumulateGrad(dyXhatSum);
        if (Bias.RequiresGrad) Bias.AccumulateGrad(dySum);
    }

    public override Shape OutputShape(Shape input)
    {
        CheckRank(input);
        return input;
    }

    /// <summary>Normalise, scale and shift: about 4 operations per element (PyTorch's profilers count similarly).</summary>
    public override long Flops(Shape input) => 4L * input.Size;

    protected override IEnumerable<(string Name, Tensor Tensor)> LocalParameters()
    {
        yield return ("weight", Weight);
        yield return ("bias", Bias);
    }

    protected override IEnumerable<StateEntry> LocalBuffers()
    {
        yield return new StateEntry("running_mean", RunningMean);
        yield return new StateEntry("running_var", RunningVar);
        yield return new StateEntry("num_batches_tracked", NumBatchesTracked, IsInt64: true);
    }

    /// <summary>
    /// Until <see cref="EndAveraging"/>, training-mode batches replace the running statistics with their exact
    /// average (PyTorch's momentum=None) instead of updating a moving average.
    /// </summary>
    public void BeginAveraging() => averaged = 0;

    /// <summary>Back to the moving average; the batch count is set back to <paramref name="batchesTracked"/>.</summary>
    public void EndAveraging(float batchesTracked)
    {
        averaged = -1;
        NumBatchesTracked[0] = batchesTracked;
    }

    /// <summary>PyTorch's reset: weight 1, bias 0, running mean 0, running variance 1, no batches tracked (uses no randomness).</summary>
    public override void ResetParameters(Rng rng) => ResetState();

    private void ResetState()
    {
        Weight.Span.Fill(1);
        Bias.Span.Clear();
        RunningMean.Span.Clear();
        RunningVar.Span.Fill(1);
        NumBatchesTracked[0] = 0;
    }

    public override string Describe() => $"{GetType().Name}({Channels})";
}
