namespace Atelier.Data;

/// <summary>
/// Fashion-MNIST (Xiao, Rasul, Vollgraf, Zalando 2017): 60,000 training and 10,000 test images of 28x28, 10 classes.
/// Finds the files (explicit folder &gt; ATELIER_DATA &gt; cache folder &gt; download into the cache) and loads them.
/// </summary>
public static class FashionMnist
{
    public const string OfficialBaseUrl = "http://fashion-mnist.s3-website.eu-central-1.amazonaws.com/";
    public const string DataEnvironmentVariable = "ATELIER_DATA";
    public const string MirrorEnvironmentVariable = "ATELIER_MIRROR";
    public const int TrainCount = 60000, TestCount = 10000, ImageSize = 28;

    public static IReadOnlyList<string> ClassNames { get; } =
        ["T-shirt/top", "Trouser", "Pullover", "Dress", "Coat", "Sandal", "Shirt", "Sneaker", "Bag", "Ankle boot"];

    /// <summary>
    /// The four files as the official mirror serves them, with the length and SHA-256 of what each decompresses to
    /// (computed from the official files), in <see cref="IdxFolder.FileNames"/> order.
    /// </summary>
    public static IReadOnlyList<DatasetFile> Files { get; } =
    [
        new("train-images-idx3-ubyte.gz", 26421880, "8d4fb7e6c68d591d4c3dfef9ec88bf0d", "3aede38d61863908ad78613f6a32ed271626dd12800ba2636569512369268a84",
            47040016, "c59f468a2f672dc815687fe0f83887768d799fd8a3f3276145d20f83aa44d888"),
        new("train-labels-idx1-ubyte.gz", 29515, "25c81989df183df01b3e8a0aad5dffbe", "a04f17134ac03560a47e3764e11b92fc97de4d1bfaf8ba1a3aa29af54cc90845",
            60008, "bad3541b69d912435c50bb6ba87bec294ff4f6a2e1246121d8633921760443d9"),
        new("t10k-images-idx3-ubyte.gz", 4422102, "bef4ecab320f06d8554ea6380940ec79", "346e55b948d973a97e58d2351dde16a484bd415d4595297633bb08f03db6a073",
            7840016, "5b4141f0afbad91edebe8549f8fcffe087ea10ca49f1dbef5c9a5cd8815ce37b"),
        new("t10k-labels-idx1-ubyte.gz", 5148, "bb300cfdad3c16e7a12a480ee83cd310", "67da17c76eaffca5446c3361aaab5c3cd6d1c2608764d35dfb1850b086bf8dd5",
            10008, "0402a96d92fd2663957122ceb108a494c5af83dab82d92729df917d7dec38c34"),
    ];

    /// <summary>$XDG_CACHE_HOME/atelier/fashion-mnist, or ~/.cache/atelier/fashion-mnist.</summary>
    public static string DefaultCacheDirectory()
    {
        string? xdg = Environment.GetEnvironmentVariable("XDG_CACHE_HOME");
        string root = !string.IsNullOrWhiteSpace(xdg) && Path.IsPathRooted(xdg)
            ? xdg
            : Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".cache");
        return Path.Combine(root, "atelier", "fashion-mnist");
    }

    /// <summary>ATELIER_MIRROR when set, else the official mirror.</summary>
    public static string MirrorUrl()
    {
        string? mirror = Environment.GetEnvironmentVariable(MirrorEnvironmentVariable);
        return string.IsNullOrWhiteSpace(mirror) ? OfficialBaseUrl : mirror.Trim();
    }

    /// <summary>
    /// Finds the folder holding the four files, downloading the missing ones into <paramref name="cacheDirectory"/>
    /// if no folder is given. The environment is read by the caller so tests can pass their own.
    /// </summary>
    /// <param name="dataDirectory">--data; its files must be there (nothing is downloaded into a user's folder).</param>
    /// <param name="environmentDirectory">the value of ATELIER_DATA, same rule.</param>
    /// <param name="cacheDirectory">where missing files are downloaded when neither folder is given (~/.cache/atelier/...).</param>
    /// <param name="downloader">null: one on <see cref="MirrorUrl"/> is made if a download is needed.</param>
    /// <param name="progress">told about each download as it goes; null for silence.</param>
    /// <param name="cancel">stops a download in progress.</param>
    public static DataLocation Locate(string? dataDirectory, string? environmentDirectory, string cacheDirectory,
        DatasetDownloader? downloader = null, Action<DownloadProgress>? progress = null, CancellationToken cancel = default)
    {
        if (!string.IsNullOrWhiteSpace(dataDirectory))
            return new DataLocation(CheckComplete(dataDirectory, "given with --data"), DataSource.Explicit);
        if (!string.IsNullOrWhiteSpace(environmentDirectory))
            return new DataLocation(CheckComplete(environmentDirectory, $"named by {DataEnvironmentVariable}"), DataSource.Environment);
        var missing = IdxFolder.MissingFiles(cacheDirectory);
        if (missing.Count == 0) return new DataLocation(cacheDirectory, DataSource.Cache);

        bool ownDownloader = downloader is null;
        downloader ??= new DatasetDownloader(MirrorUrl());
        try
        {
            foreach (var file in Files)
            {
                if (!missing.Contains(Path.GetFileNameWithoutExtension(file.Name))) continue;
                try
                {
                    downloader.Download(file, cacheDirectory, progress, cancel);
                }
                catch (DataFileException e)
                {
                    throw new DataFileException($"{e.Message.TrimEnd('.')}; {HowToGetTheFiles(downloader.BaseUrl.ToString())}", e);
                }
            }
        }
        finally
        {
            if (ownDownloader) downloader.Dispose();
        }
        return new DataLocation(cacheDirectory, DataSource.Downloaded);
    }

    /// <summary><see cref="Locate(string?, string?, string, DatasetDownloader?, Action{DownloadProgress}?, CancellationToken)"/> with ATELIER_DATA and the user's cache folder.</summary>
    public static DataLocation Locate(string? dataDirectory = null, Action<DownloadProgress>? progress = null, CancellationToken cancel = default) =>
        Locate(dataDirectory, Environment.GetEnvironmentVariable(DataEnvironmentVariable), DefaultCacheDirectory(), null, progress, cancel);

    /// <summary>
    /// True when <paramref name="directory"/> holds the four official files, each gzipped as served or decompressed,
    /// by content (hashes every file: about 0.3 s; <see cref="LoadAny"/> recognises the files while loading them instead).
    /// </summary>
    public static bool IsOfficialCopy(string directory) => OfficialCopy.AllOfficial(directory, Files);

    /// <summary>
    /// Fashion-MNIST, with its class names, when the folder holds it (recognised by content, gzipped or not); any other
    /// IDX dataset (MNIST, KMNIST...) otherwise, named by its classes.txt or numbered. A damaged official file is named as such.
    /// </summary>
    public static (Dataset Train, Dataset Test) LoadAny(string directory)
    {
        var files = ReadFiles(directory);
        return OfficialCopy.Recognise(files, Files)
            ? IdxFolder.Build(files, ClassNames, (TrainCount, TestCount, ImageSize, ImageSize))
            : IdxFolder.Build(files);
    }

    /// <summary>Loads the official Fashion-MNIST from a folder holding the four files; any other content is refused.</summary>
    public static (Dataset Train, Dataset Test) Load(string directory)
    {
        var files = ReadFiles(directory);
        bool official = OfficialCopy.Recognise(files, Files);
        // The shape is checked first: "12 images instead of 60000" says more than a checksum.
        var sets = IdxFolder.Build(files, ClassNames, (TrainCount, TestCount, ImageSize, ImageSize));
        return official ? sets : throw OfficialCopy.NotOfficial(files, Files);
    }

    /// <summary>
    /// Checks the official files in <paramref name="directory"/>, gzipped as served (size, MD5, SHA-256) or decompressed
    /// (length and SHA-256 of the content); about a second for all four. Missing files are skipped.
    /// </summary>
    public static void VerifyChecksums(string directory) => OfficialCopy.Verify(directory, Files);

    private static IdxFolderFiles ReadFiles(string directory)
    {
        try
        {
            return IdxFolder.ReadFiles(directory);
        }
        catch (DataFileException e)
        {
            OfficialCopy.ThrowIfDamaged(directory, Files, e);
            throw;
        }
    }

    private static string CheckComplete(string directory, string origin)
    {
        if (!Directory.Exists(directory))
            throw new DataFileException($"The data folder {directory} {origin} does not exist; {HowToGetTheFiles(OfficialBaseUrl)}");
        var missing = IdxFolder.MissingFiles(directory);
        if (missing.Count > 0)
            throw new DataFileException(
                $"The data folder {directory} {origin} lacks {string.Join(", ", missing)}; {HowToGetTheFiles(OfficialBaseUrl)}");
        return directory;
    }

    private static string HowToGetTheFiles(string url) =>
        $"download {string.Join(", ", FileNameList())} from {url} into a folder and pass it with --data or {DataEnvironmentVariable}.";

    private static IEnumerable<string> FileNameList()
    {
        foreach (var f in Files) yield return f.Name;
    }
}
