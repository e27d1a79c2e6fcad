using Atelier.Data;

namespace Atelier.Tests.Data;

public sealed class DownloadTests
{
    private static readonly TimeSpan QuickRetry = TimeSpan.FromMilliseconds(10);

    private static byte[] Shared(string name) => File.ReadAllBytes(Path.Combine(TestData.FashionMnistDirectory, name));

    private static ServerAnswer ServeShared(string name) =>
        File.Exists(Path.Combine(TestData.FashionMnistDirectory, name)) ? new ServerAnswer.Content(Shared(name)) : new ServerAnswer.Status(404, "Not Found");

    private static void AssertNothingCached(string cache)
    {
        if (!Directory.Exists(cache)) return;
        Assert.Empty(Directory.GetFiles(cache)); // neither the target nor a leftover temp file
    }

    [Fact]
    public void Downloads_all_four_files_into_the_cache_with_progress()
    {
        using var server = new LocalHttpServer(ServeShared);
        using var downloader = new DatasetDownloader(server.Url, firstRetryDelay: QuickRetry);
        string cache = Path.Combine(TestData.TempDirectory(), "cache");
        try
        {
            DownloadAllFour(server, downloader, cache);
        }
        finally
        {
            Directory.Delete(cache, recursive: true); // 30 MB: do not leave it in /tmp
        }
    }

    private static void DownloadAllFour(LocalHttpServer server, DatasetDownloader downloader, string cache)
    {
        var progress = new List<DownloadProgress>();
        var location = FashionMnist.Locate(null, null, cache, downloader, p => { lock (progress) progress.Add(p); });
        Assert.Equal(new DataLocation(cache, DataSource.Downloaded), location);
        foreach (var file in FashionMnist.Files)
            Assert.Equal(file.Size, new FileInfo(Path.Combine(cache, file.Name)).Length);
        Assert.Equal(4, Directory.GetFiles(cache).Length);
        FashionMnist.VerifyChecksums(cache);

        var last = progress.FindLast(p => p.FileName == FashionMnist.Files[0].Name);
        Assert.Equal(FashionMnist.Files[0].Size, last.BytesDone);
        Assert.Equal(FashionMnist.Files[0].Size, last.TotalBytes);

        // Second time: found in the cache, nothing fetched.
        int before = server.Requests;
        Assert.Equal(DataSource.Cache, FashionMnist.Locate(null, null, cache, downloader).Source);
        Assert.Equal(before, server.Requests);
    }

    [Fact]
    public void A_truncated_file_is_refused_and_nothing_is_cached()
    {
        var file = FashionMnist.Files[1];
        using var server = new LocalHttpServer(_ => new ServerAnswer.Content(Shared(file.Name)[..1000]));
        using var downloader = new DatasetDownloader(server.Url, firstRetryDelay: QuickRetry);
        string cache = TestData.TempDirectory();
        var e = Assert.Throws<DataFileException>(() => downloader.Download(file, cache));
        Assert.Contains("1000 bytes instead of 29515", e.Message);
        Assert.Contains("nothing was saved", e.Message);
        AssertNothingCached(cache);
    }

    [Fact]
    public void A_wrong_file_fails_the_checksum_and_nothing_is_cached()
    {
        var file = FashionMnist.Files[3];
        var wrong = Shared(file.Name);
        wrong[wrong.Length / 2] ^= 0x40; // same size, different bytes
        using var server = new LocalHttpServer(_ => new ServerAnswer.Content(wrong));
        using var downloader = new DatasetDownloader(server.Url, firstRetryDelay: QuickRetry);
        string cache = TestData.TempDirectory();
        var e = Assert.Throws<DataFileException>(() => downloader.Download(file, cache));
        Assert.Contains("MD5", e.Message);
        Assert.Contains(file.Md5, e.Message);
        Assert.Equal(1, server.Requests); // a checksum mismatch is not retried
        AssertNothingCached(cache);
    }

    [Fact]
    public void Server_errors_are_retried_then_reported()
    {
        using var server = new LocalHttpServer(_ => new ServerAnswer.Status(500, "Internal Server Error"));
        using var downloader = new DatasetDownloader(server.Url, maxAttempts: 3, firstRetryDelay: QuickRetry);
        string cache = TestData.TempDirectory();
        var e = Assert.Throws<DataFileException>(() => FashionMnist.Locate(null, null, cache, downloader));
        Assert.Equal(3, server.Requests);
        Assert.Contains("after 3 attempts", e.Message);
        Assert.Contains("HTTP 500", e.Message);
        Assert.Contains("--data", e.Message);
        AssertNothingCached(cache);
    }

    [Fact]
    public void A_transient_error_then_success_downloads_the_file()
    {
        var file = FashionMnist.Files[3];
        int calls = 0;
        using var server = new LocalHttpServer(_ => Interlocked.Increment(ref calls) == 1
            ? new ServerAnswer.Status(503, "Service Unavailable")
            : new ServerAnswer.Content(Shared(file.Name)));
        using var downloader = new DatasetDownloader(server.Url, firstRetryDelay: QuickRetry);
        string cache = TestData.TempDirectory();
        string path = downloader.Download(file, cache);
        Assert.Equal(2, server.Requests);
        Assert.Equal(Shared(file.Name), File.ReadAllBytes(path));
        Assert.Single(Directory.GetFiles(cache));
    }

    [Fact]
    public void A_connection_cut_mid_file_is_retried_and_leaves_nothing()
    {
        var file = FashionMnist.Files[1];
        var bytes = Shared(file.Name);
        using var server = new LocalHttpServer(_ => new ServerAnswer.CutShort(bytes[..5000], bytes.Length));
        using var downloader = new DatasetDownloader(server.Url, maxAttempts: 2, firstRetryDelay: QuickRetry);
        string cache = TestData.TempDirectory();
        var e = Assert.Throws<DataFileException>(() => downloader.Download(file, cache));
        Assert.Equal(2, server.Requests);
        Assert.Contains("after 2 attempts", e.Message);
        AssertNothingCached(cache);
    }

    [Fact]
    public void A_missing_file_on_the_mirror_is_not_retried()
    {
        using var server = new LocalHttpServer(_ => new ServerAnswer.Status(404, "Not Found"));
        using var downloader = new DatasetDownloader(server.Url, firstRetryDelay: QuickRetry);
        var e = Assert.Throws<DataFileException>(() => downloader.Download(FashionMnist.Files[0], TestData.TempDirectory()));
        Assert.Equal(1, server.Requests);
        Assert.Contains("HTTP 404", e.Message);
    }

    [Fact]
    public void No_server_gives_a_clear_message_on_how_to_get_the_files()
    {
        string url = LocalHttpServer.DeadUrl();
        using var downloader = new DatasetDownloader(url, maxAttempts: 2, firstRetryDelay: QuickRetry, timeout: TimeSpan.FromSeconds(5));
        string cache = Path.Combine(TestData.TempDirectory(), "cache");
        var e = Assert.Throws<DataFileException>(() => FashionMnist.Locate(null, null, cache, downloader));
        Assert.Contains("Could not download train-images-idx3-ubyte.gz", e.Message);
        Assert.Contains(url, e.Message);
        Assert.Contains("--data", e.Message);
        Assert.Contains("ATELIER_DATA", e.Message);
        AssertNothingCached(cache);
    }

    [Fact]
    public void A_bad_mirror_address_is_refused()
    {
        var e = Assert.Throws<ArgumentException>(() => new DatasetDownloader("ftp://example.org/"));
        Assert.Contains("ftp://example.org/", e.Message);
    }
}
