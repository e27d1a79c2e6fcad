using Atelier.Experiments;
using Atelier.Reports;
using Atelier.Server;
using Atelier.Tests.Data;
using Atelier.Training;

namespace Atelier.Tests.Server.Api;

/// <summary>
/// A runs folder built once for the API tests: a finished plain run, a finished experiment run ("optimizers/adam",
/// evaluated with flip TTA), and a failed run whose id, experiment and message are HTML, so that they must stay data.
/// The real server runs over it on a loopback port.
/// </summary>
public sealed class ApiWorkspace : IAsyncLifetime
{
    public const string Experiment = "optimizers";
    public const string ExperimentRunId = "optimizers/adam";
    public const string HtmlRunId = "<script>alert(1)</script>";
    public const string HtmlExperiment = "<b>bold</b>";

    public string Root { get; } = TestData.TempDirectory();

    public string Runs => Path.Combine(Root, "runs");

    /// <summary>The plain run's store id (a time-stamped folder name).</summary>
    public string PlainRunId { get; private set; } = "";

    public RunningServer Server { get; private set; } = null!;

    public async Task InitializeAsync()
    {
        var plain = new TrainOptions { Model = "mlp", Epochs = 1, TrainSize = 600, ValSize = 100, TestSize = 200, Augment = false, Output = Runs, Name = "plain" };
        var result = new TrainingRun(plain, new Quiet()).Run(DataSplits.Create(TestData.FashionTrain, TestData.FashionTest, plain), CancellationToken.None);
        var adam = new TrainOptions
        {
            Model = "mlp", Epochs = 2, TrainSize = 300, ValSize = 100, TestSize = 100, Augment = false, Optimizer = "adam", Tta = "flip", Output = Runs, Experiment = Experiment,
        };
        new TrainingRun(adam, new Quiet()) { StorePath = Path.Combine(Runs, "atelier.db") }.RunIn(DataSplits.Create(TestData.FashionTrain, TestData.FashionTest, adam),
            new RunFolder(Path.Combine(Runs, Experiment, "adam")), CancellationToken.None);
        using (var store = new RunStore(Path.Combine(Runs, "atelier.db")))
        {
            PlainRunId = store.Runs().Single(r => r.Folder == result.Folder.Path).Id;
            store.StartRun(HtmlRunId, "mlp", Path.Combine(Root, "no-such-folder"), HtmlExperiment, []);
            store.EndRun(HtmlRunId, "failed", "<img src=x onerror=alert(1)>");
        }
        Server = await RunningServer.StartAsync(Options);
    }

    /// <summary>The options the shared server runs with: loopback, any port, the best run's model.</summary>
    public ServerOptions Options => new() { Runs = Runs, Port = 0 };

    public Checkpoint LoadCheckpoint(string runId) =>
        Checkpoint.Load(Checkpoint.Resolve(new RunCatalog(Options).Find(runId)!.Folder, Runs));

    public async Task DisposeAsync() => await Server.DisposeAsync();

    private sealed class Quiet : ITrainingObserver;
}

[CollectionDefinition(Name)]
public sealed class ApiCollection : ICollectionFixture<ApiWorkspace>
{
    public const string Name = "server api";
}
