using Atelier.Optim;
using Atelier.Tensors;

namespace Atelier.Tests.Optim;

/// <summary>Learning-rate sequences against PyTorch 1.13 (optim_schedules.json, from tests/fixtures/gen_optim.py).</summary>
public sealed class SchedulerTests
{
    private static readonly Fixture Schedules = Fixture.Load("optim_schedules");

    private static SGD NewOptimizer() => new([Tensor.Zeros(1)], lr: 0.1f);

    private static LrScheduler Create(string name, Optimizer o) => name switch
    {
        "step" => new StepLR(o, stepSize: 7, gamma: 0.5),
        "multistep" => new MultiStepLR(o, [5, 12, 12, 20], gamma: 0.3),
        "exponential" => new ExponentialLR(o, gamma: 0.9),
        "cosine" => new CosineAnnealingLR(o, tMax: 10, etaMin: 0.001),
        "cosine_warmup" => CosineAnnealingLR.WithWarmup(o, tMax: 20, warmupSteps: 5),
        "onecycle" => new OneCycleLR(o, maxLr: 0.5, totalSteps: 30),
        "onecycle_linear" => new OneCycleLR(o, maxLr: 0.2, totalSteps: 20, pctStart: 0.25, anneal: AnnealStrategy.Linear, divFactor: 10, finalDivFactor: 100),
        "plateau_min" => new ReduceLROnPlateau(o, PlateauMode.Min, factor: 0.5, patience: 2, cooldown: 1, minLr: 0.01),
        "plateau_max_abs" => new ReduceLROnPlateau(o, PlateauMode.Max, factor: 0.3, patience: 1, threshold: 0.01, thresholdMode: ThresholdMode.Absolute),
        _ => throw new ArgumentException(name),
    };

    public static TheoryData<string> Names() => new("step", "multistep", "exponential", "cosine", "cosine_warmup", "onecycle", "onecycle_linear", "plateau_min", "plateau_max_abs");

    private static void Advance(LrScheduler scheduler, string name, int k)
    {
        if (name.StartsWith("plateau", StringComparison.Ordinal)) scheduler.Step(Schedules[name + ".metrics"].Span[k]);
        else scheduler.Step();
    }

    [Theory]
    [MemberData(nameof(Names))]
    public void Learning_rates_match_PyTorch(string name)
    {
        var expected = Schedules[name];
        var optimizer = NewOptimizer();
        var scheduler = Create(name, optimizer);
        var actual = new float[expected.Size];
        var optimizerRates = new float[expected.Size];
        actual[0] = (float)scheduler.LearningRate;
        optimizerRates[0] = optimizer.LearningRate;
        for (int k = 1; k < expected.Size; k++)
        {
            Advance(scheduler, name, k - 1);
            actual[k] = (float)scheduler.LearningRate;
            optimizerRates[k] = optimizer.LearningRate;
        }
        Fixture.AssertClose(expected.Span, actual, rtol: 1e-6f, atol: 1e-9f, what: name);
        Assert.Equal(actual, optimizerRates);
    }

    [Theory]
    [MemberData(nameof(Names))]
    public void Resuming_from_a_state_dict_continues_identically(string name)
    {
        var optimizer = NewOptimizer();
        var scheduler = Create(name, optimizer);
        for (int k = 0; k < 8; k++) Advance(scheduler, name, k);
        var saved = scheduler.StateDict();

        var resumedOptimizer = NewOptimizer();
        var resumed = Create(name, resumedOptimizer);
        resumed.LoadState(saved);
        Assert.Equal(optimizer.LearningRate, resumedOptimizer.LearningRate);
        int steps = Schedules[name].Size - 1;
        for (int k = 8; k < steps; k++)
        {
            Advance(scheduler, name, k);
            Advance(resumed, name, k);
            Assert.Equal(scheduler.LearningRate, resumed.LearningRate);
            Assert.Equal(optimizer.LearningRate, resumedOptimizer.LearningRate);
        }
    }

    [Fact]
    public void One_cycle_steps_per_batch_and_refuses_to_run_past_its_end()
    {
        var scheduler = new OneCycleLR(NewOptimizer(), maxLr: 1, totalSteps: 3);
        Assert.True(scheduler.StepsPerBatch);
        Assert.False(new StepLR(NewOptimizer(), 2).StepsPerBatch);
        for (int k = 0; k < 3; k++) scheduler.Step(); // the third call, after the last batch, is allowed as in PyTorch
        Assert.Equal(scheduler.MinLr, scheduler.LearningRate, 12);
        var error = Assert.Throws<InvalidOperationException>(() => scheduler.Step());
        Assert.Contains("3 steps", error.Message);
    }

    [Fact]
    public void Plateau_needs_a_metric_and_others_ignore_one()
    {
        var plateau = new ReduceLROnPlateau(NewOptimizer());
        Assert.Throws<InvalidOperationException>(() => plateau.Step());
        var step = new StepLR(NewOptimizer(), stepSize: 1, gamma: 0.5);
        step.Step(42.0);
        Assert.Equal(0.05, step.LearningRate, 7);
        Assert.Throws<ArgumentException>(() => new LinearWarmupLR(new ReduceLROnPlateau(NewOptimizer()), 3));
    }
}
