using Atelier.Nn;
using Atelier.Tensors;

namespace Atelier.Tests.Serialization;

/// <summary>
/// A test-only stand-in for a layer: it holds parameters and buffers named and shaped as torch.nn's, and
/// computes nothing. Lets serialization be tested against PyTorch before the real layers exist.
/// </summary>
internal sealed class StateOnlyLayer(string describe, (string Name, Tensor Tensor)[] parameters, StateEntry[] buffers) : Module
{
    public static StateOnlyLayer Linear(int inFeatures, int outFeatures) => new($"Linear({inFeatures} -> {outFeatures})",
        [("weight", new Tensor(new Shape(outFeatures, inFeatures))), ("bias", new Tensor(new Shape(outFeatures)))], []);

    public static StateOnlyLayer BatchNorm1d(int features) => new($"BatchNorm1d({features})",
        [("weight", new Tensor(new Shape(features))), ("bias", new Tensor(new Shape(features)))],
        [
            new StateEntry("running_mean", new Tensor(new Shape(features))),
            new StateEntry("running_var", new Tensor(new Shape(features))),
            new StateEntry("num_batches_tracked", new Tensor(Shape.Scalar), IsInt64: true),
        ]);

    public static StateOnlyLayer Stateless(string describe) => new(describe, [], []);

    public override Tensor Forward(Tensor input) => throw new NotSupportedException("A state-only test layer computes nothing.");

    public override Shape OutputShape(Shape input) => input;

    public override string Describe() => describe;

    protected override IEnumerable<(string Name, Tensor Tensor)> LocalParameters() => parameters;

    protected override IEnumerable<StateEntry> LocalBuffers() => buffers;
}

internal static class MirrorModel
{
    /// <summary>Same state-dict names and shapes as gen_serial.py's
    /// nn.Sequential(nn.Flatten(), nn.Linear(12, 5), nn.ReLU(), nn.BatchNorm1d(5), nn.Linear(5, 3)).</summary>
    public static Module Create() => new Sequential(
        new Flatten(), StateOnlyLayer.Linear(12, 5), StateOnlyLayer.Stateless("ReLU"), StateOnlyLayer.BatchNorm1d(5), StateOnlyLayer.Linear(5, 3));
}
