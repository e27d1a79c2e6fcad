using Atelier.Autograd;
using Atelier.Models;

namespace Atelier.Tests.Models;

/// <summary>
/// Every zoo model against its PyTorch twin (bench/pytorch/models.py, fixtures from tests/fixtures/gen_zoo.py): the same
/// state_dict names, shapes and order, and the same eval-mode outputs for the same weights.
/// </summary>
public sealed class ZooInteropTests
{
    /// <summary>Fixture name, zoo model, patch side: every model as built by default, and gen_zoo.py's VARIANTS.</summary>
    public static TheoryData<string, string, int> Builds()
    {
        var builds = new TheoryData<string, string, int> { { "mlp4-patch7", "mlp4", 7 }, { "mlp-bn-patch4", "mlp-bn", 4 } };
        foreach (var m in ModelZoo.All) builds.Add(m.Name, m.Name, 0);
        return builds;
    }

    [Theory]
    [MemberData(nameof(Builds))]
    public void Names_shapes_and_outputs_match_pytorch(string name, string zooName, int patch)
    {
        var fixture = Fixture.Load("zoo_" + name);
        var model = ModelZoo.Get(zooName).Build(new ModelOptions { Patch = patch });
        var state = model.StateDict();
        var names = fixture.Meta.GetProperty("names").EnumerateArray().Select(e => e.GetString()!).ToArray();
        var shapes = fixture.Meta.GetProperty("shapes").EnumerateArray().Select(s => string.Join(",", s.EnumerateArray().Select(d => d.GetInt32()))).ToArray();
        Assert.Equal(names, state.Select(e => e.Name));
        Assert.Equal(shapes, state.Select(e => string.Join(",", e.Tensor.Shape.ToArray())));

        for (int k = 0; k < state.Count; k++) Fill(state[k].Name, state[k].Tensor.Shape.ToArray(), k, state[k].Tensor.Span);
        model.Eval();
        using (Tape.NoGrad())
        {
            var output = model.Forward(fixture["input"]);
            Fixture.AssertClose(fixture["output"].Span, output.Span, rtol: 2e-4f, atol: 2e-5f, what: name);
        }
    }

    /// <summary>The same formula as gen_zoo.py's fill(): deterministic weights, positive running variances.</summary>
    private static void Fill(string name, int[] shape, int k, Span<float> values)
    {
        if (name.EndsWith("num_batches_tracked", StringComparison.Ordinal))
        {
            values.Fill(3);
            return;
        }
        int n = values.Length;
        for (int i = 0; i < n; i++)
        {
            double wave = Math.Sin(0.37 * i + 0.91 * k);
            values[i] = (float)(name.EndsWith("running_var", StringComparison.Ordinal) ? 0.75 + 0.5 * wave
                : name.EndsWith("running_mean", StringComparison.Ordinal) || name.EndsWith("bias", StringComparison.Ordinal) ? 0.1 * wave
                : shape.Length >= 2 ? wave * (1.5 / Math.Sqrt((double)n / shape[0]))
                : 1.0 + 0.2 * wave);
        }
    }
}
