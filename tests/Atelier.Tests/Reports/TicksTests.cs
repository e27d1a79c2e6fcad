using Atelier.Reports;

namespace Atelier.Tests.Reports;

public sealed class TicksTests
{
    private static bool IsNice(double step)
    {
        double mag = Math.Pow(10, Math.Floor(Math.Log10(step) + 1e-9));
        double f = Math.Round(step / mag, 6);
        return f is 1 or 2 or 5 or 10;
    }

    [Theory]
    [InlineData(0, 1)]
    [InlineData(0.2834, 2.3012)]
    [InlineData(1, 20)]
    [InlineData(-3.7, 12.2)]
    [InlineData(0.8712, 0.9304)]
    [InlineData(1234, 98765)]
    [InlineData(5, 5)]
    [InlineData(0, 0)]
    [InlineData(1e-5, 3e-5)]
    public void LinearTicksAreNiceAndCoverTheRange(double min, double max)
    {
        var t = Ticks.Linear(min, max, 6);
        Assert.True(t.Values[0] <= min && t.Values[^1] >= max, $"{string.Join(",", t.Values)} does not cover [{min}, {max}]");
        Assert.InRange(t.Values.Length, 3, 12);
        double step = t.Values[1] - t.Values[0];
        Assert.True(IsNice(step), $"step {step} is not 1, 2 or 5 × 10^k");
        for (int i = 1; i < t.Values.Length; i++) Assert.Equal(step, t.Values[i] - t.Values[i - 1], 9);
        Assert.Equal(t.Min, t.Values[0]);
        Assert.Equal(t.Max, t.Values[^1]);
    }

    [Fact]
    public void LinearLabelsUseJustEnoughDecimals()
    {
        Assert.Equal(["0.0", "0.2", "0.4", "0.6", "0.8", "1.0"], Ticks.Linear(0, 1, 6).Labels());
        Assert.Equal(["0", "5", "10", "15", "20"], Ticks.Linear(1, 20, 5).Labels());
        Assert.Equal("0.88", Ticks.Linear(0.8712, 0.9304, 5).Labels()[1]);
    }

    [Fact]
    public void LogTicksForLearningRatesArePowersOfTen()
    {
        var t = Ticks.Logarithmic(1e-4, 0.3);
        Assert.True(t.Log);
        Assert.Equal([1e-4, 1e-3, 1e-2, 1e-1, 1], t.Values);
        Assert.Equal(["1e-4", "0.001", "0.01", "0.1", "1"], t.Labels());
    }

    [Fact]
    public void LogTicksForBatchSizesUseOneTwoFive()
    {
        var t = Ticks.Logarithmic(16, 512);
        Assert.Equal([10, 20, 50, 100, 200, 500, 1000], t.Values);
        Assert.True(t.Min <= 16 && t.Max >= 512);
    }

    [Fact]
    public void LogTicksThinOutOverManyDecades()
    {
        var t = Ticks.Logarithmic(1e-9, 1e3, 6);
        Assert.InRange(t.Values.Length, 3, 8);
        Assert.True(t.Values[0] <= 1e-9 && t.Values[^1] >= 1e3);
    }

    [Fact]
    public void LogScaleMapsDecadesEvenlyAndRejectsNonPositive()
    {
        var s = new Scale(1e-4, 1, 0, 400, Log: true);
        Assert.Equal(0, s.Map(1e-4), 9);
        Assert.Equal(100, s.Map(1e-3), 9);
        Assert.Equal(400, s.Map(1), 9);
        Assert.True(double.IsNaN(s.Map(0)));
        Assert.True(double.IsNaN(s.Map(-1)));
        Assert.True(double.IsNaN(new Scale(0, 1, 0, 1, false).Map(double.NaN)));
    }

    [Fact]
    public void ExplicitTicksKeepTheGivenValues()
    {
        var t = Ticks.Explicit([512, 32, 64, 32, double.NaN], log: true);
        Assert.Equal([32, 64, 512], t.Values);
        Assert.Equal(["32", "64", "512"], t.Labels());
    }
}
