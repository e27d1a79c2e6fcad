using System.Text.Json;
using Atelier.Nn;
using Atelier.Optim;
using Atelier.Tensors;

namespace Atelier.Tests.Optim;

/// <summary>Every optimizer configuration against PyTorch 1.13 (optim_steps.json, from tests/fixtures/gen_optim.py).</summary>
public sealed class OptimizerTests
{
    private static readonly Fixture Steps = Fixture.Load("optim_steps");
    private const int ParameterCount = 3;

    public static TheoryData<string> Configs()
    {
        var data = new TheoryData<string>();
        foreach (var config in Steps.Meta.GetProperty("configs").EnumerateObject()) data.Add(config.Name);
        return data;
    }

    private static int StepCount => Steps.Meta.GetProperty("steps").GetInt32();

    private static Tensor[] InitialParameters()
    {
        var parameters = new Tensor[ParameterCount];
        for (int i = 0; i < ParameterCount; i++)
        {
            parameters[i] = Steps[$"init.{i}"];
            parameters[i].RequiresGrad = true;
        }
        return parameters;
    }

    private static Optimizer Create(string config, IEnumerable<Tensor> parameters)
    {
        var spec = Steps.Meta.GetProperty("configs").GetProperty(config);
        var options = new OptimizerOptions();
        foreach (var option in spec.GetProperty("options").EnumerateObject())
        {
            var v = option.Value;
            options = option.Name switch
            {
                "lr" => options with { LearningRate = (float)v.GetDouble() },
                "momentum" => options with { Momentum = v.GetDouble() },
                "dampening" => options with { Dampening = v.GetDouble() },
                "weight_decay" => options with { WeightDecay = v.GetDouble() },
                "nesterov" => options with { Nesterov = v.GetBoolean() },
                "beta1" => options with { Beta1 = v.GetDouble() },
                "beta2" => options with { Beta2 = v.GetDouble() },
                "eps" => options with { Eps = v.GetDouble() },
                "amsgrad" => options with { AmsGrad = v.GetBoolean() },
                "alpha" => options with { Alpha = v.GetDouble() },
                "centered" => options with { Centered = v.GetBoolean() },
                "lr_decay" => options with { LrDecay = v.GetDouble() },
                "initial_accumulator_value" => options with { InitialAccumulatorValue = v.GetDouble() },
                "rho" => options with { Rho = v.GetDouble() },
                "momentum_decay" => options with { MomentumDecay = v.GetDouble() },
                _ => throw new InvalidOperationException($"Unmapped option {option.Name}"),
            };
        }
        return Optimizers.Create(spec.GetProperty("optimizer").GetString()!, parameters, options);
    }

    /// <summary>Sets step k's fixture gradients (none for a parameter PyTorch gave grad None).</summary>
    private static void SetGradients(Optimizer optimizer, Tensor[] parameters, int step)
    {
        optimizer.ZeroGrad();
        for (int i = 0; i < parameters.Length; i++)
            if (Steps.Has($"grad.{step}.{i}")) parameters[i].AccumulateGrad(Steps[$"grad.{step}.{i}"].Span);
    }

    [Theory]
    [MemberData(nameof(Configs))]
    public void Parameters_after_each_step_match_PyTorch(string config)
    {
        var parameters = InitialParameters();
        var optimizer = Create(config, parameters);
        for (int k = 0; k < StepCount; k++)
        {
            SetGradients(optimizer, parameters, k);
            optimizer.Step();
            for (int i = 0; i < ParameterCount; i++)
                Fixture.AssertClose(Steps[$"{config}.{k}.{i}"].Span, parameters[i].Span, rtol: 1e-5f, atol: 1e-6f, what: $"{config} step {k} param {i}");
        }
    }

    [Theory]
    [MemberData(nameof(Configs))]
    public void State_dict_has_PyTorchs_names_and_values(string config)
    {
        var parameters = InitialParameters();
        var optimizer = Create(config, parameters);
        for (int k = 0; k < StepCount; k++) { SetGradients(optimizer, parameters, k); optimizer.Step(); }
        var state = optimizer.StateDict();
        Assert.Equal("param_groups.0.lr", state[0].Name);
        int expected = 0;
        foreach (var name in FixtureNames()) if (name.StartsWith(config + ".state.", StringComparison.Ordinal)) expected++;
        Assert.Equal(expected, state.Count - 1);
        foreach (var entry in state.Skip(1))
            Fixture.AssertClose(Steps[$"{config}.{entry.Name}"].Span, entry.Tensor.Span, rtol: 1e-5f, atol: 1e-6f, what: $"{config} {entry.Name}");
    }

    private static IEnumerable<string> FixtureNames()
    {
        var path = Path.Combine(AppContext.BaseDirectory, "Fixtures", "optim_steps.json");
        using var doc = JsonDocument.Parse(File.ReadAllBytes(path));
        return doc.RootElement.GetProperty("tensors").EnumerateObject().Select(p => p.Name).ToList();
    }

    [Theory]
    [MemberData(nameof(Configs))]
    public void Resuming_from_a_state_dict_continues_bit_identically(string config)
    {
        var parameters = InitialParameters();
        var optimizer = Create(config, parameters);
        for (int k = 0; k < 2; k++) { SetGradients(optimizer, parameters, k); optimizer.Step(); }

        var saved = optimizer.StateDict();
        var resumedParameters = parameters.Select(p => { var c = p.Clone(); c.RequiresGrad = true; return c; }).ToArray();
        var resumed = Create(config, resumedParameters);
        resumed.LearningRate = 123f; // restored from the state
        resumed.LoadState(saved);
        Assert.Equal(optimizer.LearningRate, resumed.LearningRate);

        for (int k = 2; k < StepCount; k++)
        {
            SetGradients(optimizer, parameters, k);
            SetGradients(resumed, resumedParameters, k);
            optimizer.Step();
            resumed.Step();
        }
        for (int i = 0; i < ParameterCount; i++) Assert.Equal(parameters[i].ToArray(), resumedParameters[i].ToArray());
    }

    [Fact]
    public void State_dict_is_a_snapshot()
    {
        var parameters = InitialParameters();
        var optimizer = Create("adam", parameters);
        SetGradients(optimizer, parameters, 0);
        optimizer.Step();
        var saved = optimizer.StateDict().ToDictionary(e => e.Name, e => e.Tensor.ToArray());
        SetGradients(optimizer, parameters, 1);
        optimizer.Step();
        var after = optimizer.StateDict().Single(e => e.Name == "state.0.exp_avg").Tensor.ToArray();
        Assert.NotEqual(saved["state.0.exp_avg"], after);
        Assert.Equal(1f, saved["state.0.step"][0]);
    }

    [Fact]
    public void Large_parameters_use_the_vector_path_and_agree_with_the_scalar_tail()
    {
        // The same values at every index: the vector body and the scalar tail must give the same bits.
        var p = new Tensor(new Shape(1000)) { RequiresGrad = true };
        p.Span.Fill(0.37f);
        foreach (var name in Optimizers.Names)
        {
            p.Span.Fill(0.37f);
            var optimizer = Optimizers.Create(name, [p], name == "sgd" ? new OptimizerOptions { Momentum = 0.9, Nesterov = true, WeightDecay = 0.1 } : null);
            for (int k = 0; k < 3; k++)
            {
                optimizer.ZeroGrad();
                var g = new float[1000];
                Array.Fill(g, 0.5f - 0.3f * k);
                p.AccumulateGrad(g);
                optimizer.Step();
            }
            foreach (float v in p.Span) Assert.Equal(p.Span[0], v);
            Assert.NotEqual(0.37f, p.Span[0]);
        }
    }

    [Fact]
    public void Step_skips_parameters_without_a_gradient_and_ZeroGrad_forgets_them()
    {
        var a = Tensor.FromArray([1f, 2f], 2);
        var b = Tensor.FromArray([3f, 4f], 2);
        var optimizer = new SGD([a, b], lr: 0.5f);
        a.AccumulateGrad([1f, 1f]);
        optimizer.Step();
        Assert.Equal([0.5f, 1.5f], a.ToArray());
        Assert.Equal([3f, 4f], b.ToArray());
        optimizer.ZeroGrad();
        Assert.False(a.HasGrad);
        optimizer.Step();
        Assert.Equal([0.5f, 1.5f], a.ToArray());
    }

    [Fact]
    public void Defaults_are_PyTorchs()
    {
        Tensor[] p = [Tensor.Zeros(2)];
        var adam = new Adam(p);
        Assert.Equal((1e-3f, 0.9, 0.999, 1e-8, 0.0, false), (adam.LearningRate, adam.Beta1, adam.Beta2, adam.Eps, adam.WeightDecay, adam.AmsGrad));
        var adamw = new AdamW(p);
        Assert.Equal((1e-3f, 1e-2), (adamw.LearningRate, adamw.WeightDecay));
        var rms = new RMSprop(p);
        Assert.Equal((1e-2f, 0.99, 1e-8, 0.0, 0.0, false), (rms.LearningRate, rms.Alpha, rms.Eps, rms.WeightDecay, rms.Momentum, rms.Centered));
        var adagrad = new Adagrad(p);
        Assert.Equal((1e-2f, 0.0, 0.0, 0.0, 1e-10), (adagrad.LearningRate, adagrad.LrDecay, adagrad.WeightDecay, adagrad.InitialAccumulatorValue, adagrad.Eps));
        var adadelta = new Adadelta(p);
        Assert.Equal((1.0f, 0.9, 1e-6, 0.0), (adadelta.LearningRate, adadelta.Rho, adadelta.Eps, adadelta.WeightDecay));
        var nadam = new NAdam(p);
        Assert.Equal((2e-3f, 0.9, 0.999, 1e-8, 0.0, 4e-3), (nadam.LearningRate, nadam.Beta1, nadam.Beta2, nadam.Eps, nadam.WeightDecay, nadam.MomentumDecay));
        Assert.Equal(0.01f, Optimizers.Create("sgd", p).LearningRate);
    }

    [Fact]
    public void Factory_accepts_names_in_any_case_and_explains_unknown_ones()
    {
        Tensor[] p = [Tensor.Zeros(2)];
        foreach (var name in Optimizers.Names)
        {
            Assert.Equal(name, Optimizers.Create(name, p).Name);
            Assert.Equal(name, Optimizers.Create(name.ToUpperInvariant(), p).Name);
        }
        Assert.IsType<RMSprop>(Optimizers.Create("RMSprop", p));
        var error = Assert.Throws<ArgumentException>(() => Optimizers.Create("lion", p));
        Assert.Contains("'lion'", error.Message);
        Assert.Contains("sgd, adam, adamw, rmsprop, adagrad, adadelta, nadam", error.Message);
        var misplaced = Assert.Throws<ArgumentException>(() => Optimizers.Create("adam", p, new OptimizerOptions { Momentum = 0.9 }));
        Assert.Contains("'momentum'", misplaced.Message);
    }

    [Fact]
    public void Bad_hyperparameters_are_refused()
    {
        Tensor[] p = [Tensor.Zeros(2)];
        Assert.Throws<ArgumentOutOfRangeException>(() => new SGD(p, lr: -1f));
        Assert.Throws<ArgumentException>(() => new SGD(p, lr: 0.1f, nesterov: true));
        Assert.Throws<ArgumentOutOfRangeException>(() => new Adam(p, beta1: 1.0));
        Assert.Throws<ArgumentOutOfRangeException>(() => new RMSprop(p, eps: -1));
        Assert.Throws<ArgumentException>(() => new Adam([]));
    }

    [Fact]
    public void LoadState_refuses_a_state_from_another_optimizer_and_changes_nothing()
    {
        var parameters = InitialParameters();
        var adam = Create("adam", parameters);
        SetGradients(adam, parameters, 0);
        adam.Step();
        var rms = new RMSprop(parameters, lr: 0.5f);
        var error = Assert.Throws<InvalidDataException>(() => rms.LoadState(adam.StateDict()));
        Assert.Contains("rmsprop", error.Message);
        Assert.Equal(0.5f, rms.LearningRate);

        var other = new Adam([Tensor.Zeros(2), Tensor.Zeros(5), Tensor.Zeros(2, 2)]);
        var shape = Assert.Throws<InvalidDataException>(() => other.LoadState(adam.StateDict()));
        Assert.Contains("shape", shape.Message);
    }

    [Fact]
    public void Stepping_allocates_nothing_once_warm()
    {
        var p = new Tensor(new Shape(4096)) { RequiresGrad = true };
        foreach (var name in Optimizers.Names)
        {
            var optimizer = Optimizers.Create(name, [p]);
            p.AccumulateGrad(new float[4096]);
            optimizer.Step();
            Assert.Equal(0, Allocations.Fewest(() => { for (int k = 0; k < 10; k++) optimizer.Step(); }));
        }
    }
}

/// <summary>The Adam update of a large parameter, split across the workers, against the one-thread pass.</summary>
[Collection("Workers.ThreadCount")]
public sealed class AdamKernelThreadingTests
{
    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void A_large_parameter_updates_the_same_on_any_thread_count(bool amsgrad)
    {
        const int n = 150_007; // blocks across the workers plus a scalar tail
        var rng = new Rng(4);
        float[] Random() { var a = new float[n]; for (int i = 0; i < n; i++) a[i] = rng.Normal(); return a; }
        var (p, g, m) = (Random(), Random(), Random());
        var v = Random().Select(Math.Abs).ToArray();
        float[][] Run(int threads)
        {
            var (p1, m1, v1, x1) = ((float[])p.Clone(), (float[])m.Clone(), (float[])v.Clone(), amsgrad ? (float[])v.Clone() : []);
            int saved = Atelier.Kernels.Workers.ThreadCount;
            try
            {
                Atelier.Kernels.Workers.ThreadCount = threads;
                AdamKernel.Run(p1, g, m1, v1, x1, 1e-3f, 3, 0.9, 0.999, 1e-8, 1e-2, decoupledDecay: 0.99f);
            }
            finally
            {
                Atelier.Kernels.Workers.ThreadCount = saved;
            }
            return [p1, m1, v1, x1];
        }
        var one = Run(1);
        var two = Run(2);
        for (int k = 0; k < one.Length; k++) Assert.Equal(one[k], two[k]);
        Assert.NotEqual(p, one[0]);
    }
}
