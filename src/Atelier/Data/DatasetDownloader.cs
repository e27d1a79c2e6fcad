using System.Net;
using System.Security.Cryptography;

namespace Atelier.Data;

/// <summary>
/// Downloads dataset files over HTTP into a folder: streams into a temporary file in that folder, checks size, MD5
/// and SHA-256, and only then renames it into place, so a partial or corrupt download never becomes the cached copy.
/// Network errors, timeouts and 5xx answers are retried with exponential backoff; a checksum mismatch is not
/// (the mirror would serve the same bytes again).
/// </summary>
public sealed class DatasetDownloader : IDisposable
{
    private readonly HttpClient http;
    private readonly TimeSpan timeout;
    private readonly TimeSpan firstRetryDelay;

    /// <param name="baseUrl">the folder URL the file names are appended to.</param>
    /// <param name="timeout">longest wait for the answer's headers and for each piece of the body (default 30 s).</param>
    /// <param name="maxAttempts">tries per file, the first included (default 4).</param>
    /// <param name="firstRetryDelay">pause before the first retry, doubled before each next one (default 1 s).</param>
    /// <param name="handler">the HTTP handler to send through (tests pass a fake server); null uses the default one.</param>
    public DatasetDownloader(string baseUrl, TimeSpan? timeout = null, int maxAttempts = 4, TimeSpan? firstRetryDelay = null,
        HttpMessageHandler? handler = null)
    {
        if (!Uri.TryCreate(baseUrl.EndsWith('/') ? baseUrl : baseUrl + "/", UriKind.Absolute, out var uri)
            || (uri.Scheme != Uri.UriSchemeHttp && uri.Scheme != Uri.UriSchemeHttps))
            throw new ArgumentException($"The mirror address '{baseUrl}' is not an http:// or https:// URL.");
        if (maxAttempts < 1) throw new ArgumentException($"A download needs at least one attempt, got {maxAttempts}.");
        BaseUrl = uri;
        MaxAttempts = maxAttempts;
        this.timeout = timeout ?? TimeSpan.FromSeconds(30);
        this.firstRetryDelay = firstRetryDelay ?? TimeSpan.FromSeconds(1);
        http = handler is null ? new HttpClient() : new HttpClient(handler, disposeHandler: false);
        http.Timeout = Timeout.InfiniteTimeSpan; // our own timeouts cover headers and each read, not the whole 26 MB
        http.DefaultRequestHeaders.UserAgent.ParseAdd("atelier/1.0");
    }

    public Uri BaseUrl { get; }

    public int MaxAttempts { get; }

    public void Dispose() => http.Dispose();

    /// <summary>Synchronous <see cref="DownloadAsync"/> for the command line.</summary>
    public string Download(DatasetFile file, string directory, Action<DownloadProgress>? progress = null, CancellationToken cancel = default) =>
        DownloadAsync(file, directory, progress, cancel).GetAwaiter().GetResult();

    /// <summary>Downloads <paramref name="file"/> into <paramref name="directory"/> and returns its path there.</summary>
    /// <exception cref="DataFileException">the file could not be downloaded, or its checksum is wrong.</exception>
    public async Task<string> DownloadAsync(DatasetFile file, string directory, Action<DownloadProgress>? progress = null,
        CancellationToken cancel = default)
    {
        var url = new Uri(BaseUrl, file.Name);
        Directory.CreateDirectory(directory);
        string target = Path.Combine(directory, file.Name);
        string? lastFailure = null;
        for (int attempt = 1; attempt <= MaxAttempts; attempt++)
        {
            if (attempt > 1) await Task.Delay(firstRetryDelay * Math.Pow(2, attempt - 2), cancel).ConfigureAwait(false);
            string temp = Path.Combine(directory, $".{file.Name}.{Guid.NewGuid():N}.partial");
            try
            {
                lastFailure = await TryDownloadAsync(file, url, temp, progress, cancel).ConfigureAwait(false);
                if (lastFailure is null)
                {
                    File.Move(temp, target, overwrite: true);
                    return target;
                }
            }
            catch (OperationCanceledException) when (!cancel.IsCancellationRequested)
            {
                lastFailure = $"no answer within {timeout.TotalSeconds:0.#} s";
            }
            catch (HttpRequestException e)
            {
                lastFailure = Describe(e);
            }
            catch (IOException e)
            {
                lastFailure = MessageText.AsClause(e.Message);
            }
            finally
            {
                TryDelete(temp);
            }
        }
        throw new DataFileException($"Could not download {file.Name} from {url} after {MaxAttempts} attempts ({lastFailure}).");
    }

    /// <summary>One attempt: null on success (the file verified at <paramref name="temp"/>), else why it may be worth retrying.</summary>
    private async Task<string?> TryDownloadAsync(DatasetFile file, Uri url, string temp, Action<DownloadProgress>? progress, CancellationToken cancel)
    {
        using var headersDeadline = CancellationTokenSource.CreateLinkedTokenSource(cancel);
        headersDeadline.CancelAfter(timeout);
        using var response = await http.GetAsync(url, HttpCompletionOption.ResponseHeadersRead, headersDeadline.Token).ConfigureAwait(false);
        int status = (int)response.StatusCode;
        if (!response.IsSuccessStatusCode)
        {
            string answer = $"HTTP {status} {response.ReasonPhrase}".TrimEnd();
            if (status >= 500 || response.StatusCode is HttpStatusCode.RequestTimeout or HttpStatusCode.TooManyRequests) return answer;
            throw new DataFileException($"Could not download {file.Name}: {url} answered {answer}; check the mirror address.");
        }

        long? total = response.Content.Headers.ContentLength ?? (file.Size > 0 ? file.Size : null);
        using var md5 = IncrementalHash.CreateHash(HashAlgorithmName.MD5);
        using var sha256 = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        long done = 0;
        await using (var body = await response.Content.ReadAsStreamAsync(cancel).ConfigureAwait(false))
        await using (var output = new FileStream(temp, FileMode.CreateNew, FileAccess.Write, FileShare.None, 1 << 16, useAsync: true))
        {
            var buffer = new byte[1 << 16];
            progress?.Invoke(new DownloadProgress(file.Name, 0, total));
            while (true)
            {
                using var readDeadline = CancellationTokenSource.CreateLinkedTokenSource(cancel);
                readDeadline.CancelAfter(timeout);
                int n = await body.ReadAsync(buffer, readDeadline.Token).ConfigureAwait(false);
                if (n == 0) break;
                md5.AppendData(buffer, 0, n);
                sha256.AppendData(buffer, 0, n);
                await output.WriteAsync(buffer.AsMemory(0, n), cancel).ConfigureAwait(false);
                done += n;
                progress?.Invoke(new DownloadProgress(file.Name, done, total));
            }
        }
        if (response.Content.Headers.ContentLength is long announced && done != announced)
            return $"the connection closed after {done} of {announced} bytes";

        if (file.Size > 0 && done != file.Size)
            throw new DataFileException(
                $"The download of {file.Name} from {url} is {done} bytes instead of {file.Size}, so it is not the official file; nothing was saved.");
        CheckHash(file, url, "MD5", file.Md5, md5);
        CheckHash(file, url, "SHA-256", file.Sha256, sha256);
        return null;
    }

    private static void CheckHash(DatasetFile file, Uri url, string algorithm, string expected, IncrementalHash hash)
    {
        if (string.IsNullOrEmpty(expected)) return;
        string actual = Convert.ToHexStringLower(hash.GetHashAndReset());
        if (!string.Equals(actual, expected, StringComparison.OrdinalIgnoreCase))
            throw new DataFileException(
                $"The download of {file.Name} from {url} has {algorithm} {actual} instead of {expected}, so it is corrupt or not the official file; nothing was saved.");
    }

    private static string Describe(HttpRequestException e)
    {
        var inner = e.InnerException?.Message ?? e.Message;
        return MessageText.AsClause(inner);
    }

    private static void TryDelete(string path)
    {
        try { File.Delete(path); }
        catch (IOException) { }
        catch (UnauthorizedAccessException) { }
    }
}
