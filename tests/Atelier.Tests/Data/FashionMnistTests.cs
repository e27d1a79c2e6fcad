using Atelier.Data;

namespace Atelier.Tests.Data;

public sealed class FashionMnistTests
{
    [Fact]
    public void Loads_the_real_files()
    {
        var train = TestData.FashionTrain;
        var test = TestData.FashionTest;
        Assert.Equal(60000, train.Count);
        Assert.Equal(10000, test.Count);
        Assert.Equal((28, 28), (train.Height, train.Width));
        Assert.Equal(FashionMnist.ClassNames, train.ClassNames);
        Assert.Equal(9, train.Label(0));
        Assert.Equal("Ankle boot", train.ClassNames[train.Label(0)]);
        Assert.Equal(0, train.Label(1));
        Assert.Equal(9, test.Label(0)); // the first test image is an ankle boot too
        Assert.Equal(2, test.Label(1));
        Assert.Equal(784, train.Image(0).Length);
    }

    [Fact]
    public void Classes_are_balanced()
    {
        Assert.All(TestData.FashionTrain.ClassCounts(), c => Assert.Equal(6000, c));
        Assert.All(TestData.FashionTest.ClassCounts(), c => Assert.Equal(1000, c));
    }

    [Fact]
    public void Normalisation_statistics_match_the_known_values()
    {
        var stats = Normalization.Compute(TestData.FashionTrain);
        Assert.Equal(0.2860, stats.Mean, 0.0005);
        Assert.Equal(0.3530, stats.Std, 0.0005);
    }

    [Fact]
    public void Shared_copy_has_the_official_checksums()
    {
        FashionMnist.VerifyChecksums(TestData.FashionMnistDirectory);
    }

    [Fact]
    public void Checksum_verification_catches_a_changed_file()
    {
        string dir = TestData.TempDirectory();
        var name = FashionMnist.Files[3].Name;
        var bytes = File.ReadAllBytes(Path.Combine(TestData.FashionMnistDirectory, name));
        bytes[100] ^= 1;
        File.WriteAllBytes(Path.Combine(dir, name), bytes);
        var e = Assert.Throws<DataFileException>(() => FashionMnist.VerifyChecksums(dir));
        Assert.Contains("damaged copy of the official Fashion-MNIST file", e.Message);
    }

    [Fact]
    public void Explicit_folder_comes_before_the_environment_and_the_cache()
    {
        string shared = TestData.FashionMnistDirectory, empty = TestData.TempDirectory();
        var location = FashionMnist.Locate(shared, empty, empty);
        Assert.Equal(new DataLocation(shared, DataSource.Explicit), location);
        location = FashionMnist.Locate(null, shared, empty);
        Assert.Equal(new DataLocation(shared, DataSource.Environment), location);
        location = FashionMnist.Locate(null, "", shared);
        Assert.Equal(new DataLocation(shared, DataSource.Cache), location);
    }

    [Fact]
    public void An_explicit_folder_without_the_files_says_how_to_get_them()
    {
        string empty = TestData.TempDirectory();
        var e = Assert.Throws<DataFileException>(() => FashionMnist.Locate(empty, null, empty));
        Assert.Contains(empty, e.Message);
        Assert.Contains("--data", e.Message);
        Assert.Contains(FashionMnist.OfficialBaseUrl, e.Message);
        Assert.Contains("train-images-idx3-ubyte", e.Message);

        e = Assert.Throws<DataFileException>(() => FashionMnist.Locate(null, Path.Combine(empty, "nope"), empty));
        Assert.Contains("ATELIER_DATA", e.Message);
        Assert.Contains("does not exist", e.Message);
    }

    [Fact]
    public void Default_cache_folder_is_under_the_user_cache()
    {
        string dir = FashionMnist.DefaultCacheDirectory();
        Assert.EndsWith(Path.Combine("atelier", "fashion-mnist"), dir);
        Assert.True(Path.IsPathRooted(dir));
    }

    [Fact]
    public void Subsets_are_views_that_compose()
    {
        var train = TestData.FashionTrain;
        var first = train.Subset([5, 1, 0, 7]);
        var second = first.Subset([2, 1]);
        Assert.Equal(2, second.Count);
        Assert.Equal(0, second.SourceIndex(0));
        Assert.Equal(1, second.SourceIndex(1));
        Assert.Equal(train.Label(0), second.Label(0));
        Assert.True(train.Image(1).SequenceEqual(second.Image(1)));
        Assert.True(second.IsSubset);
        Assert.Throws<ArgumentOutOfRangeException>(() => first.Subset([4]));
    }
}
