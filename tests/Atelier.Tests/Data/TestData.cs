using System.IO.Compression;
using System.Buffers.Binary;
using Atelier.Data;

namespace Atelier.Tests.Data;

/// <summary>The offline Fashion-MNIST (loaded once for all tests) and helpers that write small IDX files.</summary>
internal static class TestData
{
    private static readonly Lazy<(Dataset Train, Dataset Test)> fashion = new(() => FashionMnist.Load(FashionMnistDirectory));

    /// <summary>ATELIER_DATA, else the shared copy found by walking up from the test's folder.</summary>
    public static string FashionMnistDirectory
    {
        get
        {
            string? env = Environment.GetEnvironmentVariable("ATELIER_DATA");
            if (!string.IsNullOrEmpty(env)) return Path.GetFullPath(env);
            for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
            {
                string candidate = Path.Combine(dir.FullName, "shared", "datasets", "fashion-mnist");
                if (Directory.Exists(candidate)) return candidate;
            }
            throw new InvalidOperationException("Set ATELIER_DATA to the offline Fashion-MNIST folder to run the data tests.");
        }
    }

    public static Dataset FashionTrain => fashion.Value.Train;
    public static Dataset FashionTest => fashion.Value.Test;

    /// <summary>The checkout's root: the folder above the test binaries that holds Atelier.sln.</summary>
    public static string RepositoryRoot { get; } = FindRepositoryRoot();

    private static string FindRepositoryRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
            if (File.Exists(Path.Combine(dir.FullName, "Atelier.sln"))) return dir.FullName;
        throw new DirectoryNotFoundException("Atelier.sln not found above the test binaries.");
    }

    public static string TempDirectory()
    {
        string dir = Path.Combine(Path.GetTempPath(), "atelier-tests", Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(dir);
        return dir;
    }

    public static byte[] ImagesIdx(int count, int rows, int cols, Func<int, byte>? pixel = null, int magic = IdxReader.ImagesMagic)
    {
        var bytes = new byte[16 + count * rows * cols];
        BinaryPrimitives.WriteInt32BigEndian(bytes, magic);
        BinaryPrimitives.WriteInt32BigEndian(bytes.AsSpan(4), count);
        BinaryPrimitives.WriteInt32BigEndian(bytes.AsSpan(8), rows);
        BinaryPrimitives.WriteInt32BigEndian(bytes.AsSpan(12), cols);
        for (int i = 16; i < bytes.Length; i++) bytes[i] = pixel?.Invoke(i - 16) ?? (byte)(i * 7);
        return bytes;
    }

    public static byte[] LabelsIdx(ReadOnlySpan<byte> labels, int magic = IdxReader.LabelsMagic)
    {
        var bytes = new byte[8 + labels.Length];
        BinaryPrimitives.WriteInt32BigEndian(bytes, magic);
        BinaryPrimitives.WriteInt32BigEndian(bytes.AsSpan(4), labels.Length);
        labels.CopyTo(bytes.AsSpan(8));
        return bytes;
    }

    public static byte[] Gzip(byte[] data)
    {
        var output = new MemoryStream();
        using (var gz = new GZipStream(output, CompressionLevel.Fastest, leaveOpen: true)) gz.Write(data);
        return output.ToArray();
    }

    /// <summary>Writes a small complete IDX dataset folder (train: n, test: m images of rows×cols, labels i % classes).</summary>
    public static string WriteIdxFolder(int trainCount, int testCount, int rows, int cols, int classes, bool gzip)
    {
        string dir = TempDirectory();
        void Write(string name, byte[] data) => File.WriteAllBytes(Path.Combine(dir, gzip ? name + ".gz" : name), gzip ? Gzip(data) : data);
        Write(IdxFolder.TrainImages, ImagesIdx(trainCount, rows, cols));
        Write(IdxFolder.TrainLabels, LabelsIdx(Labels(trainCount, classes)));
        Write(IdxFolder.TestImages, ImagesIdx(testCount, rows, cols));
        Write(IdxFolder.TestLabels, LabelsIdx(Labels(testCount, classes)));
        return dir;
    }

    public static byte[] Labels(int count, int classes)
    {
        var labels = new byte[count];
        for (int i = 0; i < count; i++) labels[i] = (byte)(i % classes);
        return labels;
    }
}
