using Atelier.Data;

namespace Atelier.Tests.Data;

public sealed class ValidationSplitTests
{
    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void Parts_have_the_right_sizes_and_are_disjoint(bool stratified)
    {
        var full = TestData.FashionTrain;
        var (train, validation) = ValidationSplit.Split(full, 10000, seed: 7, stratified);
        Assert.Equal(50000, train.Count);
        Assert.Equal(10000, validation.Count);
        var seen = new bool[full.Count];
        for (int i = 0; i < train.Count; i++) seen[train.SourceIndex(i)] = true;
        for (int i = 0; i < validation.Count; i++)
        {
            Assert.False(seen[validation.SourceIndex(i)]);
            seen[validation.SourceIndex(i)] = true;
        }
        Assert.All(seen, Assert.True);
        Assert.Equal("validation", validation.Name);
    }

    [Fact]
    public void Same_seed_same_split_other_seed_other_split()
    {
        var full = TestData.FashionTrain;
        var a = ValidationSplit.Split(full, 1000, seed: 1).Validation;
        var b = ValidationSplit.Split(full, 1000, seed: 1).Validation;
        var c = ValidationSplit.Split(full, 1000, seed: 2).Validation;
        Assert.Equal(Sources(a), Sources(b));
        Assert.NotEqual(Sources(a), Sources(c));
    }

    [Fact]
    public void Stratified_split_keeps_each_class_share()
    {
        var (train, validation) = ValidationSplit.Split(TestData.FashionTrain, 10000, seed: 3, stratified: true);
        Assert.All(validation.ClassCounts(), c => Assert.Equal(1000, c));
        Assert.All(train.ClassCounts(), c => Assert.Equal(5000, c));
    }

    [Fact]
    public void Stratified_split_of_an_unbalanced_set_adds_up_exactly()
    {
        // 7 of class 0, 3 of class 1; 5 for validation → 3.5 and 1.5, largest remainder settles it to 5 in total.
        var labels = new byte[] { 0, 0, 0, 0, 0, 0, 0, 1, 1, 1 };
        var ds = new Dataset(new byte[10], labels, 1, 1, ["a", "b"]);
        var (_, validation) = ValidationSplit.Split(ds, 5, seed: 0, stratified: true);
        var counts = validation.ClassCounts();
        Assert.Equal(5, counts[0] + counts[1]);
        Assert.InRange(counts[0], 3, 4);
    }

    [Theory]
    [InlineData(-1)]
    [InlineData(60000)]
    public void Out_of_range_sizes_are_refused(int size)
    {
        var e = Assert.Throws<ArgumentException>(() => ValidationSplit.Split(TestData.FashionTrain, size, 0));
        Assert.Contains("between 0 and 59999", e.Message);
    }

    [Fact]
    public void Size_zero_leaves_the_training_set_whole()
    {
        var (train, validation) = ValidationSplit.Split(TestData.FashionTrain, 0, 0);
        Assert.Equal(60000, train.Count);
        Assert.Equal(0, validation.Count);
    }

    private static int[] Sources(Dataset ds)
    {
        var s = new int[ds.Count];
        for (int i = 0; i < s.Length; i++) s[i] = ds.SourceIndex(i);
        return s;
    }
}
