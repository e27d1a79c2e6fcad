using Atelier.Data;

namespace Atelier.Tests.Data;

public sealed class IdxReaderTests
{
    private static string Write(byte[] data, string name = "file-idx")
    {
        string path = Path.Combine(TestData.TempDirectory(), name);
        File.WriteAllBytes(path, data);
        return path;
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void Reads_images_and_labels_raw_or_gzipped(bool gzip)
    {
        var imagesBytes = TestData.ImagesIdx(3, 2, 5, i => (byte)(i + 1));
        var labelsBytes = TestData.LabelsIdx([4, 0, 9]);
        var images = IdxReader.ReadImages(Write(gzip ? TestData.Gzip(imagesBytes) : imagesBytes));
        var labels = IdxReader.ReadLabels(Write(gzip ? TestData.Gzip(labelsBytes) : labelsBytes));
        Assert.Equal((3, 2, 5), (images.Count, images.Rows, images.Cols));
        Assert.Equal(30, images.Pixels.Length);
        Assert.Equal(1, images.Pixels[0]);
        Assert.Equal(30, images.Pixels[29]);
        Assert.Equal([4, 0, 9], labels);
    }

    [Fact]
    public void Wrong_magic_is_refused_with_the_file_name()
    {
        string path = Write(TestData.LabelsIdx([1, 2]), "labels-as-images");
        var e = Assert.Throws<DataFileException>(() => IdxReader.ReadImages(path));
        Assert.Contains(path, e.Message);
        Assert.Contains("not an IDX images file", e.Message);
        Assert.Contains("0x00000801", e.Message);

        string garbage = Write("hello world, not idx at all"u8.ToArray());
        e = Assert.Throws<DataFileException>(() => IdxReader.ReadLabels(garbage));
        Assert.Contains("no IDX magic number", e.Message);
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void Truncated_files_are_refused(bool gzip)
    {
        var full = TestData.ImagesIdx(4, 3, 3);
        var cut = full[..^5];
        string path = Write(gzip ? TestData.Gzip(cut) : cut);
        var e = Assert.Throws<DataFileException>(() => IdxReader.ReadImages(path));
        Assert.Contains("truncated", e.Message);
        Assert.Contains(path, e.Message);
    }

    [Fact]
    public void A_cut_gzip_stream_is_refused()
    {
        var gz = TestData.Gzip(TestData.ImagesIdx(50, 28, 28));
        string path = Write(gz[..(gz.Length / 2)]);
        var e = Assert.Throws<DataFileException>(() => IdxReader.ReadImages(path));
        Assert.Contains(path, e.Message);
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void Extra_bytes_are_refused(bool gzip)
    {
        var data = TestData.LabelsIdx([1, 2, 3]).Concat(new byte[] { 7, 7 }).ToArray();
        string path = Write(gzip ? TestData.Gzip(data) : data);
        var e = Assert.Throws<DataFileException>(() => IdxReader.ReadLabels(path));
        Assert.Contains("more", e.Message);
    }

    [Fact]
    public void Corrupt_header_dimensions_are_refused()
    {
        var negative = TestData.ImagesIdx(2, 2, 2);
        negative[4] = 0xFF; // count becomes negative
        var e = Assert.Throws<DataFileException>(() => IdxReader.ReadImages(Write(negative)));
        Assert.Contains("negative image count", e.Message);

        var zeroRows = TestData.ImagesIdx(0, 0, 5);
        e = Assert.Throws<DataFileException>(() => IdxReader.ReadImages(Write(zeroRows)));
        Assert.Contains("at least 1", e.Message);
    }

    [Fact]
    public void A_missing_file_is_a_data_file_error()
    {
        string path = Path.Combine(TestData.TempDirectory(), "absent");
        var e = Assert.Throws<DataFileException>(() => IdxReader.ReadLabels(path));
        Assert.Contains(path, e.Message);
    }

    [Fact]
    public void Folder_with_mismatched_counts_is_refused()
    {
        string dir = TestData.WriteIdxFolder(10, 4, 3, 3, 2, gzip: true);
        File.WriteAllBytes(Path.Combine(dir, IdxFolder.TrainLabels + ".gz"), TestData.Gzip(TestData.LabelsIdx(TestData.Labels(9, 2))));
        var e = Assert.Throws<DataFileException>(() => IdxFolder.Load(dir));
        Assert.Contains("10 images", e.Message);
        Assert.Contains("9 labels", e.Message);
    }

    [Fact]
    public void Folder_loads_raw_files_with_numbered_or_named_classes()
    {
        string dir = TestData.WriteIdxFolder(12, 6, 4, 5, 3, gzip: false);
        var (train, test) = IdxFolder.Load(dir);
        Assert.Equal((12, 6, 4, 5), (train.Count, test.Count, train.Height, train.Width));
        Assert.Equal(["0", "1", "2"], train.ClassNames);

        File.WriteAllLines(Path.Combine(dir, IdxFolder.ClassesFile), ["cat", "dog", "", "bird"]);
        (train, _) = IdxFolder.Load(dir);
        Assert.Equal(["cat", "dog", "bird"], train.ClassNames);

        File.WriteAllLines(Path.Combine(dir, IdxFolder.ClassesFile), ["cat", "dog"]);
        var e = Assert.Throws<DataFileException>(() => IdxFolder.Load(dir));
        Assert.Contains("holds label 2", e.Message);
        Assert.Contains("names only 2 classes", e.Message);
    }

    [Fact]
    public void Folder_with_a_missing_file_names_it()
    {
        string dir = TestData.WriteIdxFolder(4, 2, 2, 2, 2, gzip: true);
        File.Delete(Path.Combine(dir, IdxFolder.TestLabels + ".gz"));
        var e = Assert.Throws<DataFileException>(() => IdxFolder.Load(dir));
        Assert.Contains(IdxFolder.TestLabels, e.Message);
    }

    [Fact]
    public void Fashion_mnist_shape_is_enforced()
    {
        string dir = TestData.WriteIdxFolder(12, 6, 28, 28, 10, gzip: true);
        var e = Assert.Throws<DataFileException>(() => FashionMnist.Load(dir));
        Assert.Contains("12 images instead of the 60000", e.Message);
    }

    [Fact]
    public void An_empty_set_is_refused()
    {
        string dir = TestData.WriteIdxFolder(10, 0, 3, 3, 2, gzip: false);
        var e = Assert.Throws<DataFileException>(() => IdxFolder.Load(dir));
        Assert.Equal($"{Path.Combine(dir, IdxFolder.TestImages)} declares an image count of 0; the test set needs at least one image.", e.Message);
    }

    [Fact]
    public void Train_and_test_image_sizes_must_agree()
    {
        string dir = TestData.WriteIdxFolder(4, 2, 3, 3, 2, gzip: false);
        File.WriteAllBytes(Path.Combine(dir, IdxFolder.TestImages), TestData.ImagesIdx(2, 3, 4));
        var e = Assert.Throws<DataFileException>(() => IdxFolder.Load(dir));
        Assert.Contains("3x3 pixels", e.Message);
        Assert.Contains("3x4", e.Message);
    }

    [Fact]
    public void A_label_outside_the_class_list_names_the_file_and_the_label()
    {
        string dir = TestData.WriteIdxFolder(12, 6, 28, 28, 10, gzip: false);
        var labels = TestData.Labels(6, 10);
        labels[4] = 10;
        string path = Path.Combine(dir, IdxFolder.TestLabels);
        File.WriteAllBytes(path, TestData.LabelsIdx(labels));
        var e = Assert.Throws<DataFileException>(() => IdxFolder.Load(dir, FashionMnist.ClassNames));
        Assert.Equal($"{path} holds label 10 (item 4), but the dataset's class list names only 10 classes (labels 0 to 9).", e.Message);
    }

    [Fact]
    public void Numbered_labels_with_a_gap_are_refused()
    {
        string dir = TestData.WriteIdxFolder(4, 2, 2, 2, 2, gzip: false);
        File.WriteAllBytes(Path.Combine(dir, IdxFolder.TrainLabels), TestData.LabelsIdx([0, 1, 200, 1]));
        var e = Assert.Throws<DataFileException>(() => IdxFolder.Load(dir));
        Assert.Contains("go up to 200 but never use 2", e.Message);
        Assert.Contains(IdxFolder.ClassesFile, e.Message);
    }

    [Fact]
    public void A_classes_file_naming_a_class_twice_is_refused()
    {
        string dir = TestData.WriteIdxFolder(4, 2, 2, 2, 2, gzip: false);
        File.WriteAllLines(Path.Combine(dir, IdxFolder.ClassesFile), ["cat", "cat"]);
        var e = Assert.Throws<DataFileException>(() => IdxFolder.Load(dir));
        Assert.Contains("names the class 'cat' twice", e.Message);
    }

    [Fact]
    public void Header_sizes_whose_product_overflows_are_refused()
    {
        var bytes = TestData.ImagesIdx(1, 1, 1);
        System.Buffers.Binary.BinaryPrimitives.WriteInt32BigEndian(bytes.AsSpan(4), 1000000);
        System.Buffers.Binary.BinaryPrimitives.WriteInt32BigEndian(bytes.AsSpan(8), 1 << 30);
        System.Buffers.Binary.BinaryPrimitives.WriteInt32BigEndian(bytes.AsSpan(12), 1 << 30);
        var e = Assert.Throws<DataFileException>(() => IdxReader.ReadImages(Write(TestData.Gzip(bytes))));
        Assert.Contains("more than this reader accepts", e.Message);
    }

    [Fact]
    public void A_small_gz_declaring_a_huge_count_is_refused_before_allocating_it()
    {
        var bytes = TestData.LabelsIdx([1, 2, 3]);
        System.Buffers.Binary.BinaryPrimitives.WriteInt32BigEndian(bytes.AsSpan(4), 1_000_000_000);
        long before = GC.GetTotalAllocatedBytes(precise: true);
        var e = Assert.Throws<DataFileException>(() => IdxReader.ReadLabels(Write(TestData.Gzip(bytes))));
        Assert.Contains("more than its", e.Message);
        Assert.True(GC.GetTotalAllocatedBytes(precise: true) - before < 10_000_000);
    }
}
