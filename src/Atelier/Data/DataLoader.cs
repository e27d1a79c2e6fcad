using System.Collections;
using Atelier.Tensors;

namespace Atelier.Data;

/// <summary>
/// Batches of a dataset as normalised float tensors, like torch.utils.data.DataLoader: optional shuffling whose order
/// for epoch e depends only on (seed, e) — so a resumed run sees the same order — optional augmentation, drop_last,
/// and a background thread that prepares the next batches while the model works on the current one.
/// Batch buffers are reused: once warm an epoch allocates nothing per batch.
/// <code>foreach (var batch in loader.Epoch(e)) { model.Forward(batch.Images); ... batch.Labels ... }</code>
/// </summary>
public sealed class DataLoader
{
    private readonly float[] byteTable;
    private readonly Augmenter? augmenter;
    private readonly int[] order;
    private Batch[] slots = [];
    private float[][] scratch = [];
    private bool epochRunning;

    /// <param name="dataset">the images and labels to serve.</param>
    /// <param name="batchSize">images per batch; the last batch is smaller unless <paramref name="dropLast"/>.</param>
    /// <param name="normalization">the mean and std that each pixel (on 0..1) is normalised with.</param>
    /// <param name="shuffle">a new order every epoch, drawn from <paramref name="seed"/> and the epoch number.</param>
    /// <param name="seed">seeds the shuffle and the augmentation, so an epoch's batches are the same on every run.</param>
    /// <param name="dropLast">leaves out a last batch smaller than <paramref name="batchSize"/>.</param>
    /// <param name="prefetch">batches prepared ahead on a background thread; 0 prepares each batch on the caller's thread.</param>
    /// <param name="augment">random transforms for training; null or <see cref="AugmentOptions.None"/> for none.</param>
    public DataLoader(Dataset dataset, int batchSize, Normalization normalization, bool shuffle = false, ulong seed = 0,
        bool dropLast = false, int prefetch = 2, AugmentOptions? augment = null)
    {
        if (batchSize < 1) throw new ArgumentException($"The batch size must be at least 1, got {batchSize}.");
        if (prefetch < 0) throw new ArgumentException($"The number of batches to prefetch must be 0 or more, got {prefetch}.");
        if (!(normalization.Std > 0)) throw new ArgumentException($"The normalisation std must be positive, got {normalization.Std}.");
        Dataset = dataset;
        BatchSize = batchSize;
        Normalization = normalization;
        Shuffle = shuffle;
        Seed = seed;
        DropLast = dropLast;
        Prefetch = prefetch;
        byteTable = normalization.ByteTable();
        if (augment is not null && augment.IsEnabled)
            augmenter = new Augmenter(augment, dataset.Height, dataset.Width, SampleRandom.Mix(seed ^ 0x6175676D656E74UL));
        order = new int[dataset.Count];
    }

    public Dataset Dataset { get; }
    public int BatchSize { get; }
    public Normalization Normalization { get; }
    public bool Shuffle { get; }
    public ulong Seed { get; }
    public bool DropLast { get; }
    public int Prefetch { get; }
    public AugmentOptions Augment => augmenter?.Options ?? AugmentOptions.None;

    /// <summary>Batches per epoch (the last partial one counts unless <see cref="DropLast"/>).</summary>
    public int BatchCount => DropLast ? Dataset.Count / BatchSize : (Dataset.Count + BatchSize - 1) / BatchSize;

    /// <summary>Samples per epoch.</summary>
    public int SampleCount => DropLast ? BatchCount * BatchSize : Dataset.Count;

    /// <summary>
    /// The batches of epoch <paramref name="epoch"/> (from 0). One epoch at a time; each batch is valid until the
    /// next one is requested. Leaving the foreach early stops the background thread.
    /// </summary>
    public IEnumerable<Batch> Epoch(int epoch) => new EpochBatches(this, epoch);

    /// <summary>The sample order of an epoch: the identity, or a shuffle seeded by (seed, epoch) alone.</summary>
    public void EpochOrder(int epoch, Span<int> destination)
    {
        if (destination.Length != Dataset.Count) throw new ArgumentException($"The order of {Dataset.Count} samples needs as many slots, got {destination.Length}.");
        for (int i = 0; i < destination.Length; i++) destination[i] = i;
        if (Shuffle) new Rng(SampleRandom.Mix(SampleRandom.Mix(Seed) + (ulong)epoch)).Shuffle(destination);
    }

    private void EnsureSlots(int count)
    {
        if (slots.Length >= count) return;
        var grown = new Batch[count];
        slots.CopyTo(grown, 0);
        for (int i = slots.Length; i < count; i++) grown[i] = new Batch(BatchSize, Dataset.Height, Dataset.Width);
        slots = grown;
        var grownScratch = new float[count][];
        scratch.CopyTo(grownScratch, 0);
        for (int i = scratch.Length; i < count; i++) grownScratch[i] = new float[2 * Dataset.PixelsPerImage];
        scratch = grownScratch;
    }

    /// <summary>Writes batch <paramref name="number"/> of the epoch into <paramref name="batch"/>.</summary>
    private void Fill(Batch batch, float[] work, int epoch, int number)
    {
        int start = number * BatchSize, count = Math.Min(BatchSize, Dataset.Count - start);
        batch.Prepare(number, count);
        int pixels = Dataset.PixelsPerImage;
        var images = batch.Images.Span;
        var labels = batch.Labels;
        var indices = batch.Indices;
        for (int k = 0; k < count; k++)
        {
            int i = order[start + k];
            indices[k] = i;
            labels[k] = Dataset.Label(i);
            var source = Dataset.Image(i);
            var target = images.Slice(k * pixels, pixels);
            if (augmenter is null)
            {
                for (int p = 0; p < pixels; p++) target[p] = byteTable[source[p]];
                continue;
            }
            // Augment on pixel/255, then normalise with the same float ops as the table (same bits when nothing moves).
            var unit = work.AsSpan(0, pixels);
            for (int p = 0; p < pixels; p++) unit[p] = source[p] / 255f;
            augmenter.Apply(unit, work.AsSpan(pixels, pixels), epoch, i);
            float mean = Normalization.Mean, std = Normalization.Std;
            for (int p = 0; p < pixels; p++) target[p] = (unit[p] - mean) / std;
        }
    }

    private sealed class EpochBatches(DataLoader loader, int epoch) : IEnumerable<Batch>
    {
        public IEnumerator<Batch> GetEnumerator() => new Enumerator(loader, epoch);
        IEnumerator IEnumerable.GetEnumerator() => GetEnumerator();
    }

    /// <summary>
    /// Walks the batches of one epoch. With prefetch, a producer thread fills a ring of Prefetch+1 batch slots:
    /// "free" counts slots it may fill, "ready" counts filled slots; the consumer hands its slot back on the next MoveNext.
    /// </summary>
    private sealed class Enumerator : IEnumerator<Batch>
    {
        private readonly DataLoader loader;
        private readonly int epoch, batchCount, slotCount;
        private readonly SemaphoreSlim? free, ready;
        private readonly Thread? producer;
        private volatile bool stopping;
        private Exception? producerError;
        private int next;
        private Batch? current;
        private bool disposed;

        public Enumerator(DataLoader loader, int epoch)
        {
            if (loader.epochRunning)
                throw new InvalidOperationException("This DataLoader is already running an epoch; finish (or dispose) it before starting another.");
            loader.epochRunning = true;
            this.loader = loader;
            this.epoch = epoch;
            batchCount = loader.BatchCount;
            slotCount = loader.Prefetch + 1;
            loader.EnsureSlots(slotCount);
            loader.EpochOrder(epoch, loader.order);
            if (loader.Prefetch > 0 && batchCount > 0)
            {
                free = new SemaphoreSlim(slotCount);
                ready = new SemaphoreSlim(0);
                producer = new Thread(Produce) { IsBackground = true, Name = "atelier-data-prefetch" };
                producer.Start();
            }
        }

        public Batch Current => current ?? throw new InvalidOperationException("MoveNext has not been called, or the epoch is over.");
        object IEnumerator.Current => Current;

        private void Produce()
        {
            try
            {
                for (int b = 0; b < batchCount; b++)
                {
                    free!.Wait();
                    if (stopping) return;
                    int slot = b % slotCount;
                    loader.Fill(loader.slots[slot], loader.scratch[slot], epoch, b);
                    ready!.Release();
                }
            }
            catch (Exception e)
            {
                producerError = e;
                ready!.Release(batchCount); // wake the consumer whatever it is waiting for
            }
        }

        public bool MoveNext()
        {
            ObjectDisposedException.ThrowIf(disposed, this);
            if (current is not null && free is not null) free.Release();
            current = null;
            if (next >= batchCount) return false;
            int slot = next % slotCount;
            if (producer is null) loader.Fill(loader.slots[slot], loader.scratch[slot], epoch, next);
            else
            {
                ready!.Wait();
                if (producerError is { } error) throw new InvalidOperationException($"Preparing batch {next} failed: {error.Message}", error);
            }
            current = loader.slots[slot];
            next++;
            return true;
        }

        public void Reset() => throw new NotSupportedException("Start a new epoch with DataLoader.Epoch instead.");

        public void Dispose()
        {
            if (disposed) return;
            disposed = true;
            if (producer is not null)
            {
                stopping = true;
                free!.Release(slotCount); // unblock a producer waiting for a slot
                producer.Join();
                free.Dispose();
                ready!.Dispose();
            }
            current = null;
            loader.epochRunning = false;
        }
    }
}
