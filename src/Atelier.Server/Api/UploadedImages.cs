using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.Net.Http.Headers;

namespace Atelier.Server.Api;

/// <summary>
/// The image files of a predict request: its raw body (one image, Content-Type an image type or
/// application/octet-stream) or the files of a multipart/form-data body. Refuses, as problem JSON, a body over the
/// limit (413), another content type (415), and a request without images (400).
/// </summary>
public static class UploadedImages
{
    public sealed record Upload(string Name, byte[] Bytes);

    public static readonly string[] RawTypes = ["image/png", "image/jpeg", "image/webp", "image/gif", "image/bmp", "application/octet-stream"];

    private const string RawName = "The uploaded image";

    public static async Task<(List<Upload>? Images, ProblemHttpResult? Problem)> ReadAsync(HttpRequest request, ApiLimits limits, CancellationToken cancel)
    {
        if (request.ContentLength > limits.MaxBodyBytes) return (null, TooLarge(limits));
        MediaTypeHeaderValue.TryParse(request.ContentType, out var type);
        string mediaType = type?.MediaType.Value?.ToLowerInvariant() ?? "";
        try
        {
            if (mediaType == "multipart/form-data") return await ReadFormAsync(request, limits, cancel);
            if (!RawTypes.Contains(mediaType))
                return (null, Problems.Of(StatusCodes.Status415UnsupportedMediaType,
                    $"Send an image as the body (Content-Type {string.Join(", ", RawTypes)}) or image files as multipart/form-data, not {(mediaType.Length == 0 ? "a body without a Content-Type" : RunEndpoints.Shorten(mediaType))}."));
            using var body = new MemoryStream();
            await request.Body.CopyToAsync(body, cancel);
            if (body.Length == 0) return (null, Problems.BadRequest("The request body is empty: send the image file's bytes."));
            return ([new Upload(RawName, body.ToArray())], null);
        }
        catch (BadHttpRequestException e) when (e.StatusCode == StatusCodes.Status413PayloadTooLarge)
        {
            return (null, TooLarge(limits));
        }
        catch (BadHttpRequestException)
        {
            return (null, Problems.BadRequest("The request body could not be read (it ended early or arrived too slowly); send it again."));
        }
    }

    private static async Task<(List<Upload>?, ProblemHttpResult?)> ReadFormAsync(HttpRequest request, ApiLimits limits, CancellationToken cancel)
    {
        IFormCollection form;
        try
        {
            form = await request.ReadFormAsync(cancel);
        }
        catch (InvalidDataException)
        {
            return (null, Problems.BadRequest("The multipart/form-data body is malformed: send each image as a file field of a well-formed form."));
        }
        if (form.Files.Count == 0) return (null, Problems.BadRequest("The form holds no file: send each image as a file field (e.g. curl -F image=@photo.jpg)."));
        if (form.Files.Count > limits.MaxImagesPerRequest)
            return (null, Problems.BadRequest($"The form holds {form.Files.Count} files; send at most {limits.MaxImagesPerRequest} images per request."));
        var images = new List<Upload>(form.Files.Count);
        for (int i = 0; i < form.Files.Count; i++)
        {
            var file = form.Files[i];
            using var bytes = new MemoryStream();
            await file.CopyToAsync(bytes, cancel);
            string name = string.IsNullOrWhiteSpace(file.FileName) ? $"Image {i + 1}" : RunEndpoints.Shorten(file.FileName);
            if (bytes.Length == 0) return (null, Problems.BadRequest($"{name} is empty: send the image file's bytes."));
            images.Add(new Upload(name, bytes.ToArray()));
        }
        return (images, null);
    }

    private static ProblemHttpResult TooLarge(ApiLimits limits) => Problems.Of(StatusCodes.Status413PayloadTooLarge,
        $"The request body is larger than the {limits.MaxBodyBytes / (1024 * 1024)} MB this server accepts; send a smaller image.");
}
