using System.Net;
using System.Net.Http.Headers;
using System.Text.Json;
using Atelier.Imaging;
using Atelier.Server;
using Atelier.Server.Api;

namespace Atelier.Tests.Server.Api;

/// <summary>POST /api/v1/predict on the real server: answers, batching under concurrency, and every refusal.</summary>
[Collection(ApiCollection.Name)]
public sealed class PredictApiTests(ApiWorkspace workspace)
{
    private HttpClient Client => workspace.Server.Client;

    private static ByteArrayContent Image(byte[] bytes, string type = "image/png")
    {
        var content = new ByteArrayContent(bytes);
        content.Headers.ContentType = MediaTypeHeaderValue.Parse(type);
        return content;
    }

    /// <summary>What `atelier predict` answers for the same file: the single-image path of the checkpoint.</summary>
    private static float[] Expected(Atelier.Training.Checkpoint checkpoint, byte[] png) =>
        checkpoint.Predict(DatasetImagePreprocessor.ToDatasetImage(ImageDecoder.Decode(png, "expected")), 28, 28);

    [Fact]
    public async Task A_raw_png_gets_the_top_three_classes_of_the_best_run()
    {
        var json = await ApiAssert.Json(await Client.PostAsync("/api/v1/predict", Image(TestImages.Shape())));
        // The best finished run (highest test accuracy) serves by default.
        var best = new RunCatalog(workspace.Options).Runs().Where(r => r.Status == "finished").MaxBy(r => r.TestAccuracy)!;
        Assert.Equal(best.Id, json.GetProperty("model").GetString());
        var prediction = Assert.Single(json.GetProperty("predictions").EnumerateArray());
        var top = prediction.GetProperty("top");
        Assert.Equal(3, top.GetArrayLength());
        var probabilities = top.EnumerateArray().Select(t => t.GetProperty("probability").GetDouble()).ToList();
        Assert.Equal(probabilities.OrderDescending(), probabilities);
        var expected = Expected(workspace.LoadCheckpoint(best.Id), TestImages.Shape());
        int index = top[0].GetProperty("index").GetInt32();
        Assert.Equal(Array.IndexOf(expected, expected.Max()), index);
        Assert.Equal(expected[index], probabilities[0], 5);
        Assert.Equal(prediction.GetProperty("class").GetString(), top[0].GetProperty("class").GetString());

        foreach (var type in new[] { "application/octet-stream", "image/png; charset=binary", "IMAGE/PNG" })
            await ApiAssert.Json(await Client.PostAsync("/api/v1/predict", Image(TestImages.Shape(), type)));
    }

    [Fact]
    public async Task Top_takes_any_count_up_to_the_classes_and_refuses_nonsense()
    {
        var one = await ApiAssert.Json(await Client.PostAsync("/api/v1/predict?top=1", Image(TestImages.Shape())));
        Assert.Equal(1, one.GetProperty("predictions")[0].GetProperty("top").GetArrayLength());
        var all = await ApiAssert.Json(await Client.PostAsync("/api/v1/predict?top=99", Image(TestImages.Shape())));
        var top = all.GetProperty("predictions")[0].GetProperty("top");
        Assert.Equal(10, top.GetArrayLength());
        Assert.Equal(1.0, top.EnumerateArray().Sum(t => t.GetProperty("probability").GetDouble()), 4);
        foreach (var bad in new[] { "0", "-1", "three", "1e3" })
            await ApiAssert.Problem(await Client.PostAsync($"/api/v1/predict?top={bad}", Image(TestImages.Shape())), HttpStatusCode.BadRequest);
    }

    [Fact]
    public async Task Multipart_classifies_every_image_in_order()
    {
        using var form = new MultipartFormDataContent();
        for (int i = 0; i < 5; i++) form.Add(Image(TestImages.Shape(i)), "images", $"garment-{i}.png");
        var json = await ApiAssert.Json(await Client.PostAsync("/api/v1/predict", form));
        var predictions = json.GetProperty("predictions").EnumerateArray().ToList();
        Assert.Equal(["garment-0.png", "garment-1.png", "garment-2.png", "garment-3.png", "garment-4.png"], predictions.Select(p => p.GetProperty("image").GetString()));
        var checkpoint = workspace.LoadCheckpoint(json.GetProperty("model").GetString()!);
        for (int i = 0; i < 5; i++)
        {
            var expected = Expected(checkpoint, TestImages.Shape(i));
            Assert.Equal(Array.IndexOf(expected, expected.Max()), predictions[i].GetProperty("top")[0].GetProperty("index").GetInt32());
        }

        using var empty = new MultipartFormDataContent { { new StringContent("hello"), "note" } };
        await ApiAssert.Problem(await Client.PostAsync("/api/v1/predict", empty), HttpStatusCode.BadRequest);
        using var tooMany = new MultipartFormDataContent();
        for (int i = 0; i < 65; i++) tooMany.Add(Image(TestImages.Shape()), "images", $"{i}.png");
        Assert.Contains("at most 64", await ApiAssert.Problem(await Client.PostAsync("/api/v1/predict", tooMany), HttpStatusCode.BadRequest));
    }

    [Fact]
    public async Task Sixteen_concurrent_clients_get_the_single_image_answers()
    {
        var checkpoint = workspace.LoadCheckpoint(new RunCatalog(workspace.Options).Runs().Where(r => r.Status == "finished").MaxBy(r => r.TestAccuracy)!.Id);
        var images = Enumerable.Range(0, 16).Select(TestImages.Shape).ToArray();
        var expected = images.Select(png => Expected(checkpoint, png)).ToArray();
        var answers = await Task.WhenAll(Enumerable.Range(0, 16).Select(async client =>
        {
            var results = new List<(int Image, JsonElement Top)>();
            for (int round = 0; round < 8; round++)
            {
                int image = (client + round) % images.Length;
                var json = await ApiAssert.Json(await Client.PostAsync("/api/v1/predict?top=10", Image(images[image])));
                results.Add((image, json.GetProperty("predictions")[0].GetProperty("top")));
            }
            return results;
        }));
        foreach (var (image, top) in answers.SelectMany(a => a))
            foreach (var entry in top.EnumerateArray())
                Assert.Equal(expected[image][entry.GetProperty("index").GetInt32()], entry.GetProperty("probability").GetDouble(), 5);
    }

    [Fact]
    public async Task A_model_is_picked_by_name_and_flip_tta_runs_as_the_checkpoint_does()
    {
        await using var server = await RunningServer.StartAsync(workspace.Options with { Models = [workspace.PlainRunId, ApiWorkspace.ExperimentRunId] });
        var models = await ApiAssert.Json(await server.Client.GetAsync("/api/v1/models"));
        Assert.Equal([workspace.PlainRunId, ApiWorkspace.ExperimentRunId], models.EnumerateArray().Select(m => m.GetProperty("name").GetString()));
        Assert.True(models[0].GetProperty("default").GetBoolean());

        var checkpoint = workspace.LoadCheckpoint(ApiWorkspace.ExperimentRunId);
        Assert.True(checkpoint.Options.UsesFlipTta);
        var images = Enumerable.Range(0, 6).Select(TestImages.Shape).ToArray();
        var answers = await Task.WhenAll(images.Select(png => server.Client.PostAsync($"/api/v1/predict?top=10&model={Uri.EscapeDataString(ApiWorkspace.ExperimentRunId)}", Image(png))));
        for (int i = 0; i < images.Length; i++)
        {
            var json = await ApiAssert.Json(answers[i]);
            Assert.Equal(ApiWorkspace.ExperimentRunId, json.GetProperty("model").GetString());
            var expected = Expected(checkpoint, images[i]);
            foreach (var entry in json.GetProperty("predictions")[0].GetProperty("top").EnumerateArray())
                Assert.Equal(expected[entry.GetProperty("index").GetInt32()], entry.GetProperty("probability").GetDouble(), 5);
        }
        string title = await ApiAssert.Problem(await server.Client.PostAsync("/api/v1/predict?model=nope", Image(TestImages.Shape())), HttpStatusCode.BadRequest);
        Assert.Contains(workspace.PlainRunId, title);
    }

    [Fact]
    public async Task Bad_uploads_are_refused_with_one_sentence()
    {
        Assert.Contains("The uploaded image", await ApiAssert.Problem(await Client.PostAsync("/api/v1/predict", Image("not an image"u8.ToArray())), HttpStatusCode.BadRequest));
        var png = TestImages.Shape();
        await ApiAssert.Problem(await Client.PostAsync("/api/v1/predict", Image(png[..(png.Length / 2)])), HttpStatusCode.BadRequest);
        await ApiAssert.Problem(await Client.PostAsync("/api/v1/predict", Image([])), HttpStatusCode.BadRequest);
        Assert.Contains("blank", await ApiAssert.Problem(await Client.PostAsync("/api/v1/predict", Image(TestImages.Blank())), HttpStatusCode.UnprocessableEntity));

        await ApiAssert.Problem(await Client.PostAsync("/api/v1/predict", new StringContent("{\"image\": 1}", System.Text.Encoding.UTF8, "application/json")), HttpStatusCode.UnsupportedMediaType);
        await ApiAssert.Problem(await Client.PostAsync("/api/v1/predict", Image(png, "text/html")), HttpStatusCode.UnsupportedMediaType);
        var untyped = new ByteArrayContent(png);
        await ApiAssert.Problem(await Client.PostAsync("/api/v1/predict", untyped), HttpStatusCode.UnsupportedMediaType);

        // A form whose file has an HTML name: the name is echoed as JSON data in the sentence, escaped.
        using var form = new MultipartFormDataContent { { Image(TestImages.Blank()), "images", "<script>x</script>.png" } };
        var response = await Client.PostAsync("/api/v1/predict", form);
        Assert.DoesNotContain("<script>", await response.Content.ReadAsStringAsync());
        Assert.Contains("<script>x</script>.png", await ApiAssert.Problem(response, HttpStatusCode.UnprocessableEntity));
    }

    [Fact]
    public async Task A_body_over_the_limit_is_413_whether_announced_or_streamed()
    {
        await using var server = await RunningServer.StartAsync(workspace.Options with { Limits = new ApiLimits { MaxBodyBytes = 1024 * 1024 } });
        // A little over the limit: what the server does not read fits in the socket buffers, so the client reads the
        // answer rather than a reset (a real client sends Expect: 100-continue for big uploads, as these do).
        var big = new byte[1024 * 1024 + 16 * 1024];
        async Task<HttpResponseMessage> Send(HttpContent content, bool chunked = false)
        {
            var request = new HttpRequestMessage(HttpMethod.Post, "/api/v1/predict") { Content = content };
            request.Headers.ExpectContinue = true;
            request.Headers.TransferEncodingChunked = chunked;
            return await server.Client.SendAsync(request);
        }
        Assert.Contains("1 MB", await ApiAssert.Problem(await Send(Image(big)), HttpStatusCode.RequestEntityTooLarge));
        // Chunked: no Content-Length to refuse up front, so the limit stops the read.
        var streamed = new StreamContent(new MemoryStream(big));
        streamed.Headers.ContentType = new MediaTypeHeaderValue("image/png");
        await ApiAssert.Problem(await Send(streamed, chunked: true), HttpStatusCode.RequestEntityTooLarge);
        var form = new MultipartFormDataContent { { Image(big), "images", "big.png" } };
        await ApiAssert.Problem(await Send(form), HttpStatusCode.RequestEntityTooLarge);
        // The server still answers afterwards.
        await ApiAssert.Json(await server.Client.PostAsync("/api/v1/predict", Image(TestImages.Shape())));

        // The default limit: 10 MB.
        var request = new HttpRequestMessage(HttpMethod.Post, "/api/v1/predict") { Content = Image(new byte[10 * 1024 * 1024 + 1]) };
        request.Headers.ExpectContinue = true;
        Assert.Contains("10 MB", await ApiAssert.Problem(await Client.SendAsync(request), HttpStatusCode.RequestEntityTooLarge));
    }

    [Fact]
    public async Task Without_a_model_predict_is_503_and_not_ready()
    {
        string empty = Path.Combine(workspace.Root, "empty-runs");
        await using var server = await RunningServer.StartAsync(new ServerOptions { Runs = empty });
        Assert.Contains("atelier train", await ApiAssert.Problem(await server.Client.PostAsync("/api/v1/predict", Image(TestImages.Shape())), HttpStatusCode.ServiceUnavailable));
        var ready = await ApiAssert.Json(await server.Client.GetAsync("/readyz"), HttpStatusCode.ServiceUnavailable);
        Assert.Equal("not ready", ready.GetProperty("status").GetString());
        await ApiAssert.Json(await server.Client.GetAsync("/healthz"));
        Assert.Equal(0, (await ApiAssert.Json(await server.Client.GetAsync("/api/v1/runs"))).GetArrayLength());
        Assert.Equal(0, (await ApiAssert.Json(await server.Client.GetAsync("/api/v1/models"))).GetArrayLength());
    }

    [Fact]
    public void A_model_that_cannot_be_found_stops_the_server_at_start_with_a_sentence()
    {
        var e = Assert.Throws<FileNotFoundException>(() => AtelierServer.Build(workspace.Options with { Models = ["no-such-run"] }));
        Assert.Contains("no-such-run", e.Message);
    }
}
