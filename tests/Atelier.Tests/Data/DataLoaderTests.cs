using Atelier.Data;

namespace Atelier.Tests.Data;

public sealed class DataLoaderTests
{
    /// <summary>103 images of 4x3 whose pixels encode their index, labels i % 5.</summary>
    private static Dataset Small(int count = 103)
    {
        var pixels = new byte[count * 12];
        for (int i = 0; i < count; i++)
            for (int p = 0; p < 12; p++) pixels[i * 12 + p] = (byte)((i * 3 + p) % 256);
        return new Dataset(pixels, TestData.Labels(count, 5), 4, 3, ["a", "b", "c", "d", "e"]);
    }

    private static List<(int[] Indices, int[] Labels, float[] Images, int[] Shape)> Collect(DataLoader loader, int epoch)
    {
        var batches = new List<(int[], int[], float[], int[])>();
        foreach (var b in loader.Epoch(epoch))
            batches.Add((b.Indices.ToArray(), b.Labels.ToArray(), b.Images.ToArray(), b.Images.Shape.ToArray()));
        return batches;
    }

    [Fact]
    public void Every_sample_once_per_epoch_with_a_partial_last_batch()
    {
        var ds = Small();
        var loader = new DataLoader(ds, 10, Normalization.Identity, shuffle: true, seed: 1);
        Assert.Equal(11, loader.BatchCount);
        var batches = Collect(loader, 0);
        Assert.Equal(11, batches.Count);
        Assert.Equal([3, 1, 4, 3], batches[^1].Shape);
        Assert.Equal(3, batches[^1].Labels.Length);
        var all = batches.SelectMany(b => b.Indices).OrderBy(i => i).ToArray();
        Assert.Equal(Enumerable.Range(0, 103).ToArray(), all);
        foreach (var b in batches)
            for (int k = 0; k < b.Indices.Length; k++)
            {
                Assert.Equal(ds.Label(b.Indices[k]), b.Labels[k]);
                Assert.Equal(ds.Image(b.Indices[k])[5] / 255f, b.Images[k * 12 + 5]);
            }
    }

    [Fact]
    public void Drop_last_skips_the_partial_batch()
    {
        var loader = new DataLoader(Small(), 10, Normalization.Identity, dropLast: true);
        Assert.Equal(10, loader.BatchCount);
        var batches = Collect(loader, 0);
        Assert.Equal(10, batches.Count);
        Assert.All(batches, b => Assert.Equal(10, b.Labels.Length));
        Assert.Equal(Enumerable.Range(0, 100).ToArray(), batches.SelectMany(b => b.Indices).ToArray()); // no shuffle: in order
    }

    [Fact]
    public void Shuffle_depends_only_on_seed_and_epoch()
    {
        var ds = Small();
        var a = new DataLoader(ds, 16, Normalization.Identity, shuffle: true, seed: 5);
        var b = new DataLoader(ds, 16, Normalization.Identity, shuffle: true, seed: 5);
        var other = new DataLoader(ds, 16, Normalization.Identity, shuffle: true, seed: 6);
        var a0 = Order(a, 0);
        var a1 = Order(a, 1);
        Assert.NotEqual(a0, a1);
        Assert.Equal(a1, Order(b, 1)); // b starts at epoch 1, as a resumed run would
        Assert.Equal(a0, Order(b, 0));
        Assert.Equal(a1, Order(a, 1)); // repeating an epoch repeats its order
        Assert.NotEqual(a0, Order(other, 0));
    }

    private static int[] Order(DataLoader loader, int epoch) => Collect(loader, epoch).SelectMany(x => x.Indices).ToArray();

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void Prefetch_gives_the_same_batches_as_no_prefetch(bool augment)
    {
        var ds = TestData.FashionTrain.Subset(Enumerable.Range(0, 700).ToArray());
        var norm = new Normalization(0.286f, 0.353f);
        var options = augment ? new AugmentOptions { CropPadding = 2, FlipProbability = 0.5f, RotationDegrees = 10, ErasingProbability = 0.5f } : null;
        var sync = new DataLoader(ds, 64, norm, shuffle: true, seed: 9, prefetch: 0, augment: options);
        var prefetched = new DataLoader(ds, 64, norm, shuffle: true, seed: 9, prefetch: 3, augment: options);
        for (int epoch = 0; epoch < 2; epoch++)
        {
            var x = Collect(sync, epoch);
            var y = Collect(prefetched, epoch);
            Assert.Equal(x.Count, y.Count);
            for (int i = 0; i < x.Count; i++)
            {
                Assert.Equal(x[i].Indices, y[i].Indices);
                Assert.Equal(x[i].Labels, y[i].Labels);
                Assert.Equal(x[i].Images, y[i].Images);
            }
        }
    }

    [Fact]
    public void Images_are_normalised_like_to_tensor_then_normalize()
    {
        var ds = TestData.FashionTrain.Subset([0, 1]);
        var norm = new Normalization(0.2860f, 0.3530f);
        var loader = new DataLoader(ds, 2, norm);
        foreach (var batch in loader.Epoch(0))
        {
            Assert.Equal(new Atelier.Tensors.Shape(2, 1, 28, 28), batch.Images.Shape);
            var image = ds.Image(1);
            for (int p = 0; p < 784; p++) Assert.Equal((image[p] / 255f - 0.2860f) / 0.3530f, batch.Images[784 + p]);
        }
    }

    [Fact]
    public void Leaving_an_epoch_early_stops_the_producer_and_allows_the_next_epoch()
    {
        var loader = new DataLoader(Small(), 4, Normalization.Identity, prefetch: 2);
        foreach (var batch in loader.Epoch(0))
            if (batch.Number == 2) break;
        Assert.Equal(26, Collect(loader, 1).Count);
    }

    [Fact]
    public void Two_epochs_at_once_are_refused()
    {
        var loader = new DataLoader(Small(), 4, Normalization.Identity);
        using var first = loader.Epoch(0).GetEnumerator();
        Assert.True(first.MoveNext());
        Assert.Throws<InvalidOperationException>(() => loader.Epoch(1).GetEnumerator());
    }

    [Fact]
    public void Buffers_are_reused_once_warm()
    {
        var loader = new DataLoader(Small(), 10, Normalization.Identity, shuffle: true, prefetch: 1);
        var tensors = new HashSet<Atelier.Tensors.Tensor>(ReferenceEqualityComparer.Instance);
        for (int e = 0; e < 3; e++)
            foreach (var batch in loader.Epoch(e)) tensors.Add(batch.Images);
        Assert.Equal(2, tensors.Count); // prefetch + 1 slots, whatever the number of batches and epochs
    }

    [Fact]
    public void An_epoch_allocates_nothing_per_batch_once_warm()
    {
        var ds = TestData.FashionTrain.Subset(Enumerable.Range(0, 2000).ToArray());
        var loader = new DataLoader(ds, 20, new Normalization(0.3f, 0.35f), shuffle: true, prefetch: 0, augment: AugmentOptions.Default);
        int epoch = 0;
        void Epoch() { foreach (var batch in loader.Epoch(epoch++)) { } }
        Epoch();
        long bytes = Allocations.Fewest(Epoch, attempts: 3);
        Assert.True(bytes < 2000, $"an epoch of 100 batches allocated {bytes} bytes"); // only the enumerator and the epoch's Rng
    }

    [Fact]
    public void Bad_arguments_are_refused()
    {
        Assert.Throws<ArgumentException>(() => new DataLoader(Small(), 0, Normalization.Identity));
        Assert.Throws<ArgumentException>(() => new DataLoader(Small(), 4, Normalization.Identity, prefetch: -1));
    }
}
