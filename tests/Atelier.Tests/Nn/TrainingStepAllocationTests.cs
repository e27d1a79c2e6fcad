using Atelier.Autograd;
using Atelier.Models;
using Atelier.Nn;
using Atelier.Optim;
using Atelier.Tensors;

namespace Atelier.Tests.Nn;

/// <summary>A warm training step of zoo models (every kernel path: direct, Winograd, im2col batched and one sample a thread, BN, pooling, dropout) allocates nothing.</summary>
[Collection("alone")]
public sealed class TrainingStepAllocationTests
{
    [Theory]
    [InlineData("mlp-bn")]
    [InlineData("cnn")]
    [InlineData("cnn-c")]
    [InlineData("resnet-small")] // strided 3x3 and 1x1 layers, one sample a thread
    public void Warm_training_step_allocates_nothing(string name)
    {
        var rng = new Rng(4);
        CheckNoAllocation(ModelZoo.Create(name, new ModelOptions(), rng), rng);
    }

    [Fact]
    public void Warm_training_step_through_winograd_gradients_allocates_nothing()
    {
        var rng = new Rng(5);
        var model = new Sequential(new Conv2d(1, 64, 3, padding: 1), new ReLU(), new MaxPool2d(2), new Conv2d(64, 64, 3, padding: 1),
            new ReLU(), new MaxPool2d(2), new Flatten(), new Linear(64 * 7 * 7, 10));
        model.ResetAllParameters(rng);
        CheckNoAllocation(model, rng);
    }

    private static void CheckNoAllocation(Module model, Rng rng)
    {
        var input = new Tensor(new Shape(16, 1, 28, 28));
        foreach (ref var v in input.Span) v = rng.Normal();
        var labels = new int[16];
        for (int i = 0; i < labels.Length; i++) labels[i] = rng.NextInt(10);
        var optimizer = new Adam(model.Parameters(), 1e-3f);
        var loss = new CrossEntropyLoss();
        model.Train();
        void Step()
        {
            optimizer.ZeroGrad();
            loss.Forward(model.Forward(input), labels).Backward();
            optimizer.Step();
        }
        for (int i = 0; i < 3; i++) Step();
        Assert.Equal(0, Allocations.Fewest(() => { Step(); Step(); }));

        model.Eval();
        using (Tape.NoGrad()) model.Forward(input);
        Assert.Equal(0, Allocations.Fewest(() => { using (Tape.NoGrad()) model.Forward(input); }));
    }
}
