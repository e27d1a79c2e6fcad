using System.Globalization;
using Atelier.Imaging;
using Atelier.Server.Prediction;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.OpenApi;
using Microsoft.AspNetCore.Routing;

namespace Atelier.Server.Api;

/// <summary>
/// POST /api/v1/predict: decodes each uploaded image, turns it into a dataset-style image, queues it to the model's
/// batching worker and answers the top classes (?top=N, default 3; ?model=NAME, default the first loaded).
/// </summary>
public static class PredictEndpoints
{
    public const int DefaultTop = 3;

    public static void Map(RouteGroupBuilder v1) =>
        v1.MapPost("/predict", Predict).WithTags("predict").WithName("Predict")
            .WithSummary("Classify one image (raw body) or several (multipart/form-data).")
            .AddOpenApiOperationTransformer(PredictOpenApi.DescribeBody);

    public static async Task<Results<Ok<PredictionResponse>, ProblemHttpResult>> Predict(HttpRequest request, ServedModels models, ServerMetrics metrics,
        ServerOptions options, string? model, string? top, CancellationToken cancel)
    {
        if (!models.Ready) return Problems.Of(StatusCodes.Status503ServiceUnavailable, models.Unavailable!);
        if (models.Find(model) is not { } served)
            return Problems.BadRequest($"No model named '{RunEndpoints.Shorten(model!)}' is loaded; GET /api/v1/models lists them ({string.Join(", ", models.All.Select(m => m.Name))}).");
        int k = DefaultTop;
        if (top is not null && (!int.TryParse(top, NumberStyles.None, CultureInfo.InvariantCulture, out k) || k < 1))
            return Problems.BadRequest($"?top= must be a whole number from 1 to {served.ClassNames.Count}, got '{RunEndpoints.Shorten(top)}'.");
        k = Math.Min(k, served.ClassNames.Count);

        var (uploads, problem) = await UploadedImages.ReadAsync(request, options.Limits, cancel);
        if (problem is not null) return problem;
        var images = new List<byte[]>(uploads!.Count);
        foreach (var upload in uploads)
        {
            var (pixels, refused) = Preprocess(upload, served.Side);
            if (refused is not null) return refused;
            images.Add(pixels!);
        }

        float[][] answers;
        try
        {
            answers = await Task.WhenAll(images.Select(image => served.Predictor.PredictAsync(image, cancel)));
        }
        catch (PredictionQueueFullException e)
        {
            return Problems.Of(StatusCodes.Status503ServiceUnavailable, e.Message);
        }
        var predictions = new List<ImagePrediction>(answers.Length);
        for (int i = 0; i < answers.Length; i++)
        {
            var ranked = Rank(answers[i], served.ClassNames, k);
            metrics.RecordPrediction(served.Name, ranked[0].Class);
            predictions.Add(new ImagePrediction(uploads[i].Name, ranked[0].Class, ranked[0].Probability, ranked));
        }
        return TypedResults.Ok(new PredictionResponse(served.Name, predictions));
    }

    /// <summary>The image as the model's input, or the sentence refusing it: 422 when blank, 400 when it cannot be decoded.</summary>
    private static (byte[]?, ProblemHttpResult?) Preprocess(UploadedImages.Upload upload, int side)
    {
        try
        {
            return (DatasetImagePreprocessor.ToDatasetImage(ImageDecoder.Decode(upload.Bytes, upload.Name), side, upload.Name), null);
        }
        catch (BlankImageException e)
        {
            return (null, Problems.Of(StatusCodes.Status422UnprocessableEntity, e.Message));
        }
        catch (Exception e) when (e is ImageFormatException or InvalidDataException or ArgumentException)
        {
            // The decoder's own exceptions name the image in one sentence.
            return (null, Problems.BadRequest(e.Message));
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            // A crafted file that trips the decoder some other way is still the file's fault: no detail, no trace.
            return (null, Problems.BadRequest($"{upload.Name} cannot be decoded as an image; send a PNG, JPEG, WebP, GIF or BMP file."));
        }
    }

    /// <summary>The k most probable classes, most probable first (ties: the lower index first).</summary>
    public static List<ClassProbability> Rank(float[] probabilities, IReadOnlyList<string> classes, int k) =>
        Enumerable.Range(0, probabilities.Length).OrderByDescending(i => probabilities[i]).ThenBy(i => i).Take(k)
            .Select(i => new ClassProbability(classes[i], i, probabilities[i])).ToList();
}
