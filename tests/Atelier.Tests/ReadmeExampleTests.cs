using Atelier.Autograd;
using Atelier.Data;
using Atelier.Nn;
using Atelier.Optim;
using Atelier.Tensors;
using Atelier.Tests.Data;

namespace Atelier.Tests;

/// <summary>The README's library example, kept compiling and working (on a slice, for speed).</summary>
public sealed class ReadmeExampleTests
{
    [Fact]
    public void The_readme_example_trains_a_model()
    {
        var (train, test) = (TestData.FashionTrain.Subset(Enumerable.Range(0, 3000).ToArray()), TestData.FashionTest);
        var norm = Normalization.Compute(train);
        var model = new Sequential(
            new Flatten(), new Linear(784, 256), new ReLU(), new Dropout(0.2f), new Linear(256, 10));
        model.ResetAllParameters(new Rng(42));
        var optimizer = new Adam(model.Parameters(), 1e-3f);
        var loss = new CrossEntropyLoss();
        var loader = new DataLoader(train, batchSize: 64, norm, shuffle: true, seed: 42);

        for (int epoch = 0; epoch < 2; epoch++)
            foreach (var batch in loader.Epoch(epoch))
            {
                optimizer.ZeroGrad();
                loss.Forward(model.Forward(batch.Images), batch.Labels).Backward();
                optimizer.Step();
            }

        model.Eval();
        using (Tape.NoGrad())
        {
            var batch = new DataLoader(test, 1000, norm).Epoch(0).First();
            var logits = model.Forward(batch.Images);
            int correct = 0;
            for (int i = 0; i < batch.Count; i++)
                if (System.Numerics.Tensors.TensorPrimitives.IndexOfMax(logits.Span.Slice(i * 10, 10)) == batch.Labels[i]) correct++;
            Assert.True(correct > 700, $"{correct} of 1000 correct.");
        }
    }
}
