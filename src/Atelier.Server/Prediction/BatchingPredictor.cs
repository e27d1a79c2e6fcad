using System.Threading.Channels;
using Atelier.Training;

namespace Atelier.Server.Prediction;

/// <summary>
/// The one owner of a model (its modules reuse their buffers, so two threads must never run it at once): request
/// threads queue images, a dedicated thread takes what is queued, waits up to <see cref="BatchingOptions.MaxDelay"/>
/// for more (at most <see cref="BatchingOptions.MaxBatch"/>), runs them as one batch and answers each. The wait is
/// skipped while requests come one at a time (the last batch held one, and one is queued), so a lone client pays nothing.
/// </summary>
public sealed class BatchingPredictor : IDisposable
{
    private readonly Checkpoint checkpoint;
    private readonly int side;
    private readonly BatchingOptions options;
    private readonly Action<int>? batchRan;
    private readonly Channel<Request> queue;
    private readonly Thread worker;
    private Task<bool>? pendingWait;
    private int lastBatch;

    /// <param name="side">the square input the model takes (28 for Fashion-MNIST).</param>
    /// <param name="batchRan">told the size of every batch, on the worker thread (for /metrics).</param>
    public BatchingPredictor(Checkpoint checkpoint, int side, BatchingOptions options, string name, Action<int>? batchRan = null)
    {
        options.Validate();
        this.checkpoint = checkpoint;
        this.side = side;
        this.options = options;
        this.batchRan = batchRan;
        // Several waits may be outstanding (one timed out, one new), all on the worker: not "single reader" to the channel.
        queue = Channel.CreateBounded<Request>(new BoundedChannelOptions(options.MaxQueue) { SingleWriter = false, SingleReader = false });
        worker = new Thread(Work) { IsBackground = true, Name = $"atelier predict {name}" };
        worker.Start();
    }

    /// <summary>The class probabilities of one <c>side</c>×<c>side</c> dataset-style image.</summary>
    /// <exception cref="PredictionQueueFullException">more requests wait than the queue holds.</exception>
    public Task<float[]> PredictAsync(byte[] image, CancellationToken cancel)
    {
        if (image.Length != side * side) throw new ArgumentException($"The model takes {side}x{side} images, got {image.Length} pixels.");
        var request = new Request(image, new TaskCompletionSource<float[]>(TaskCreationOptions.RunContinuationsAsynchronously));
        if (!queue.Writer.TryWrite(request))
            throw new PredictionQueueFullException($"The model has {options.MaxQueue} images waiting already; try again in a moment.");
        return request.Answer.Task.WaitAsync(cancel);
    }

    private void Work()
    {
        var batch = new List<Request>(options.MaxBatch);
        var images = new List<byte[]>(options.MaxBatch);
        while (WaitForRequest(Timeout.InfiniteTimeSpan))
        {
            Collect(batch);
            if (batch.Count == 0) continue;
            images.Clear();
            foreach (var r in batch) images.Add(r.Image);
            float[][]? probabilities = null;
            Exception? error = null;
            try
            {
                probabilities = BatchInference.Predict(checkpoint, images, side, side);
            }
            catch (Exception e)
            {
                // A failed batch fails its requests (the handler answers 500 as problem JSON), never the worker.
                error = e;
            }
            // Counted before the answers go out: whoever awaits them then sees this batch.
            lastBatch = batch.Count;
            batchRan?.Invoke(batch.Count);
            for (int i = 0; i < batch.Count; i++)
            {
                if (error is null) batch[i].Answer.TrySetResult(probabilities![i]);
                else batch[i].Answer.TrySetException(error);
            }
            batch.Clear();
        }
    }

    /// <summary>Takes what is queued, then waits for more until the batch is full or the delay since the first is spent.</summary>
    private void Collect(List<Request> batch)
    {
        var start = System.Diagnostics.Stopwatch.GetTimestamp();
        while (batch.Count < options.MaxBatch)
        {
            if (queue.Reader.TryRead(out var request))
            {
                batch.Add(request);
                continue;
            }
            // A lone request after a lone request is not kept waiting: the delay only pays when requests come together.
            if (batch.Count == 0 || options.MaxBatch == 1 || (batch.Count == 1 && lastBatch <= 1 && !options.AlwaysWait)) return;
            var left = options.MaxDelay - System.Diagnostics.Stopwatch.GetElapsedTime(start);
            if (left <= TimeSpan.Zero || !WaitForRequest(left)) return;
        }
    }

    /// <summary>True when a request may be read; false on timeout or once the queue is closed and empty.</summary>
    private bool WaitForRequest(TimeSpan timeout)
    {
        // A wait that timed out stays pending and is reused, so timeouts leave no tasks behind.
        pendingWait ??= queue.Reader.WaitToReadAsync().AsTask();
        if (!pendingWait.Wait(timeout)) return false;
        bool more = pendingWait.Result;
        pendingWait = null;
        return more;
    }

    /// <summary>Answers what is queued, then stops the worker.</summary>
    public void Dispose()
    {
        queue.Writer.TryComplete();
        worker.Join();
    }

    private sealed record Request(byte[] Image, TaskCompletionSource<float[]> Answer);
}
