using Atelier.Imaging;
using Atelier.Server.Prediction;

namespace Atelier.Tests.Server.Api;

/// <summary>The batching worker: one batch answers as the single-image path does, and concurrent requests share batches.</summary>
[Collection(ApiCollection.Name)]
public sealed class BatchingPredictorTests(ApiWorkspace workspace)
{
    private static byte[] Input(int variant) =>
        DatasetImagePreprocessor.ToDatasetImage(ImageDecoder.Decode(TestImages.Shape(variant), "test"));

    [Theory]
    [InlineData(ApiWorkspace.ExperimentRunId)] // flip TTA
    [InlineData(null)]
    public void A_batch_gives_each_image_its_single_image_answer(string? runId)
    {
        var checkpoint = workspace.LoadCheckpoint(runId ?? workspace.PlainRunId);
        var images = Enumerable.Range(0, 13).Select(Input).ToList();
        var batched = BatchInference.Predict(checkpoint, images, 28, 28);
        for (int i = 0; i < images.Count; i++)
        {
            var single = checkpoint.Predict(images[i], 28, 28);
            for (int c = 0; c < single.Length; c++) Assert.Equal(single[c], batched[i][c], 5);
        }
    }

    [Fact]
    public async Task Requests_that_arrive_together_run_as_one_batch()
    {
        var checkpoint = workspace.LoadCheckpoint(workspace.PlainRunId);
        var sizes = new System.Collections.Concurrent.ConcurrentBag<int>();
        using var predictor = new BatchingPredictor(checkpoint, 28, new BatchingOptions { MaxBatch = 8, MaxDelay = TimeSpan.FromMilliseconds(200), AlwaysWait = true }, "test", sizes.Add);
        var answers = await Task.WhenAll(Enumerable.Range(0, 8).Select(i => predictor.PredictAsync(Input(i), CancellationToken.None)));
        Assert.Equal(8, answers.Length);
        Assert.True(sizes.Max() > 1, $"batch sizes {string.Join(", ", sizes)}");
        Assert.Equal(8, sizes.Sum());

        using var unbatched = new BatchingPredictor(checkpoint, 28, new BatchingOptions { MaxBatch = 1 }, "single", null);
        var alone = await Task.WhenAll(Enumerable.Range(0, 8).Select(i => unbatched.PredictAsync(Input(i), CancellationToken.None)));
        // Within 5e-6, not "equal to 5 decimals": two values 1e-8 apart can round apart, and how the 8 requests split
        // into batches (so the GEMM's rounding) depends on timing.
        for (int i = 0; i < 8; i++) Assert.Equal(alone[i][0], answers[i][0], 5e-6);
    }

    [Fact]
    public async Task A_full_queue_refuses_rather_than_grows()
    {
        var checkpoint = workspace.LoadCheckpoint(workspace.PlainRunId);
        using var predictor = new BatchingPredictor(checkpoint, 28, new BatchingOptions { MaxBatch = 1, MaxQueue = 1 }, "tiny", null);
        var input = Input(0);
        var tasks = new List<Task<float[]>>();
        var refused = 0;
        for (int i = 0; i < 200; i++)
        {
            try { tasks.Add(predictor.PredictAsync(input, CancellationToken.None)); }
            catch (PredictionQueueFullException) { refused++; }
        }
        await Task.WhenAll(tasks);
        Assert.True(refused > 0);
    }
}
