using System.Text.Json;
using Atelier.Tensors;

namespace Atelier.Tests;

/// <summary>PyTorch reference values written by tests/fixtures/*.py (see fixturelib.py for the format).</summary>
public sealed class Fixture
{
    private readonly Dictionary<string, Tensor> tensors = new();

    public JsonElement Meta { get; private init; }

    public static Fixture Load(string name)
    {
        var path = Path.Combine(AppContext.BaseDirectory, "Fixtures", name + ".json");
        using var doc = JsonDocument.Parse(File.ReadAllBytes(path));
        var fixture = new Fixture { Meta = doc.RootElement.GetProperty("meta").Clone() };
        foreach (var property in doc.RootElement.GetProperty("tensors").EnumerateObject())
        {
            var dims = property.Value.GetProperty("shape").EnumerateArray().Select(e => e.GetInt32()).ToArray();
            var data = property.Value.GetProperty("data").EnumerateArray().Select(e => (float)e.GetDouble()).ToArray();
            fixture.tensors[property.Name] = Tensor.FromArray(data, dims);
        }
        return fixture;
    }

    /// <summary>A fresh copy of the named tensor (tests may mutate it).</summary>
    public Tensor this[string name] => tensors.TryGetValue(name, out var t) ? t.Clone() : throw new KeyNotFoundException($"Fixture has no tensor '{name}'.");

    public bool Has(string name) => tensors.ContainsKey(name);

    /// <summary>Asserts |actual - expected| ≤ atol + rtol·|expected| element-wise, naming the first element off.</summary>
    public static void AssertClose(ReadOnlySpan<float> expected, ReadOnlySpan<float> actual, float rtol = 1e-5f, float atol = 1e-6f, string what = "")
    {
        Assert.Equal(expected.Length, actual.Length);
        for (int i = 0; i < expected.Length; i++)
        {
            float tolerance = atol + rtol * MathF.Abs(expected[i]);
            if (!(MathF.Abs(actual[i] - expected[i]) <= tolerance))
                Assert.Fail($"{what}[{i}]: expected {expected[i]:R}, got {actual[i]:R} (tolerance {tolerance:G3}).");
        }
    }
}
