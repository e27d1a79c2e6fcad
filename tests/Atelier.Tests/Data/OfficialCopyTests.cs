using System.IO.Compression;
using Atelier.Data;

namespace Atelier.Tests.Data;

/// <summary>The official files are recognised by content, gzipped or not, and a damaged one is named as such.</summary>
public sealed class OfficialCopyTests
{
    private static string Official(string name) => Path.Combine(TestData.FashionMnistDirectory, name);

    /// <summary>A folder of links to the shared official .gz files, except <paramref name="own"/>, which the test writes.</summary>
    private static string FolderWithOfficialFilesExcept(params string[] own)
    {
        string dir = TestData.TempDirectory();
        foreach (var file in FashionMnist.Files)
            if (!own.Contains(file.BaseName)) File.CreateSymbolicLink(Path.Combine(dir, file.Name), Official(file.Name));
        return dir;
    }

    private static byte[] Gunzip(string name)
    {
        using var gz = new GZipStream(File.OpenRead(Official(name)), CompressionMode.Decompress);
        var output = new MemoryStream();
        gz.CopyTo(output);
        return output.ToArray();
    }

    [Fact]
    public void A_gunzipped_copy_keeps_the_class_names()
    {
        string dir = TestData.TempDirectory();
        foreach (var file in FashionMnist.Files) File.WriteAllBytes(Path.Combine(dir, file.BaseName), Gunzip(file.Name));
        var (train, test) = FashionMnist.LoadAny(dir);
        Assert.Equal(FashionMnist.ClassNames, train.ClassNames);
        Assert.Equal((60000, 10000), (train.Count, test.Count));
        Assert.True(FashionMnist.IsOfficialCopy(dir));
        FashionMnist.VerifyChecksums(dir);
    }

    [Fact]
    public void A_partly_gunzipped_copy_keeps_the_class_names()
    {
        var labels = FashionMnist.Files[1];
        string dir = FolderWithOfficialFilesExcept(labels.BaseName);
        File.WriteAllBytes(Path.Combine(dir, labels.BaseName), Gunzip(labels.Name));
        var (train, _) = FashionMnist.LoadAny(dir);
        Assert.Equal("Ankle boot", train.ClassNames[train.Label(0)]);
    }

    [Theory]
    [InlineData(1, 100)]   // inside the deflate data of the training labels
    [InlineData(1, 29510)] // in the gzip trailer (CRC-32)
    [InlineData(3, 100)]   // in the test labels
    public void A_flipped_byte_in_an_official_gz_is_a_damaged_copy(int fileIndex, int offset)
    {
        var file = FashionMnist.Files[fileIndex];
        string dir = FolderWithOfficialFilesExcept(file.BaseName);
        var bytes = File.ReadAllBytes(Official(file.Name));
        bytes[offset] ^= 0x10;
        string path = Path.Combine(dir, file.Name);
        File.WriteAllBytes(path, bytes);

        var e = Assert.Throws<DataFileException>(() => FashionMnist.LoadAny(dir));
        Assert.Equal($"{path} is a damaged copy of the official Fashion-MNIST file (its content does not match the published checksum); delete it and download it again.", e.Message);
        e = Assert.Throws<DataFileException>(() => FashionMnist.VerifyChecksums(dir));
        Assert.True(e.Message.StartsWith($"{path} is a damaged copy", StringComparison.Ordinal), e.Message);
        Assert.False(FashionMnist.IsOfficialCopy(dir));
    }

    [Fact]
    public void A_flipped_byte_in_the_gzip_file_name_field_leaves_the_content_official()
    {
        // The official .gz files store their name in the gzip header; that byte is not content, so the data loads,
        // but the copy is not byte for byte the published one and the checksum verification says so.
        var file = FashionMnist.Files[3];
        string dir = FolderWithOfficialFilesExcept(file.BaseName);
        var bytes = File.ReadAllBytes(Official(file.Name));
        bytes[20] ^= 0x10;
        File.WriteAllBytes(Path.Combine(dir, file.Name), bytes);
        var (train, _) = FashionMnist.LoadAny(dir);
        Assert.Equal(FashionMnist.ClassNames, train.ClassNames);
        Assert.Throws<DataFileException>(() => FashionMnist.VerifyChecksums(dir));
    }

    [Fact]
    public void A_decompressed_file_of_the_official_size_but_other_content_beside_official_files_is_a_damaged_copy()
    {
        var file = FashionMnist.Files[3];
        string dir = FolderWithOfficialFilesExcept(file.BaseName);
        var bytes = Gunzip(file.Name);
        bytes[5000] ^= 1; // label 0..9 stays a valid label: only the checksum can tell
        string path = Path.Combine(dir, file.BaseName);
        File.WriteAllBytes(path, bytes);
        var e = Assert.Throws<DataFileException>(() => FashionMnist.LoadAny(dir));
        Assert.True(e.Message.StartsWith($"{path} is a damaged copy of the official Fashion-MNIST file", StringComparison.Ordinal), e.Message);
        e = Assert.Throws<DataFileException>(() => FashionMnist.VerifyChecksums(dir));
        Assert.True(e.Message.StartsWith($"{path} is a damaged copy", StringComparison.Ordinal), e.Message);
    }

    [Fact]
    public void A_decompressed_file_with_a_corrupt_header_beside_official_files_is_a_damaged_copy()
    {
        var file = FashionMnist.Files[1];
        string dir = FolderWithOfficialFilesExcept(file.BaseName);
        var bytes = Gunzip(file.Name);
        bytes[4] = 0x80; // the label count becomes negative: the reader fails before the hash is complete
        string path = Path.Combine(dir, file.BaseName);
        File.WriteAllBytes(path, bytes);
        var e = Assert.Throws<DataFileException>(() => FashionMnist.LoadAny(dir));
        Assert.True(e.Message.StartsWith($"{path} is a damaged copy", StringComparison.Ordinal), e.Message);
    }

    [Fact]
    public void Another_dataset_keeps_its_own_class_names()
    {
        string dir = TestData.WriteIdxFolder(12, 6, 28, 28, 3, gzip: false);
        var (train, _) = FashionMnist.LoadAny(dir);
        Assert.Equal(["0", "1", "2"], train.ClassNames);
        Assert.False(FashionMnist.IsOfficialCopy(dir));
    }
}
