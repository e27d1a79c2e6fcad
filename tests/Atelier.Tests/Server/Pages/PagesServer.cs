using Atelier.Server;
using Atelier.Tests.Data;
using Atelier.Training;
using Microsoft.AspNetCore.Builder;

namespace Atelier.Tests.Server.Pages;

[CollectionDefinition("pages server")]
public sealed class PagesServerCollection : ICollectionFixture<PagesServer>;

/// <summary>
/// The real server (Kestrel on a free loopback port) over a temp runs folder holding tiny trained runs: one of its own,
/// two of an experiment (ids with '/'), and one whose experiment name is an HTML-injection attempt.
/// </summary>
public sealed class PagesServer : IAsyncLifetime
{
    public const string Injection = "<img src=x onerror=alert(1)>";

    public string Runs { get; } = Path.Combine(TestData.TempDirectory(), "runs");
    public string Address { get; private set; } = "";
    public HttpClient Client { get; private set; } = new();
    public RunCatalog Catalog { get; }

    public string Single { get; private set; } = "";
    public string SweepA { get; private set; } = "";
    public string SweepB { get; private set; } = "";
    /// <summary>A run named with --name &lt;script&gt;… (the folder name sanitises it) in an experiment named the same (which reaches the id as it is).</summary>
    public string Hostile { get; private set; } = "";

    private WebApplication? app;

    public PagesServer() => Catalog = new RunCatalog(new ServerOptions { Runs = Runs });

    public async Task InitializeAsync()
    {
        Single = Train("single", null, epochs: 2);
        SweepA = Train("a", "sweep", epochs: 2, lr: 0.01);
        SweepB = Train("b", "sweep", epochs: 2, lr: 0.003);
        Hostile = Train(Injection, Injection, epochs: 1);
        app = AtelierServer.Build(new ServerOptions { Runs = Runs, Port = 0 });
        await app.StartAsync();
        Address = AtelierServer.Address(app);
        Client = new HttpClient { BaseAddress = new Uri(Address), Timeout = TimeSpan.FromSeconds(60) };
    }

    public async Task DisposeAsync()
    {
        Client.Dispose();
        if (app is not null) await app.DisposeAsync();
    }

    public static TrainOptions Options(string name, string? experiment, int epochs, string runs, double lr = 0.003) => new()
    {
        Model = "mlp", Epochs = epochs, TrainSize = 600, ValSize = 100, TestSize = 200, Augment = false, LearningRate = (float)lr,
        Output = runs, Name = name, Experiment = experiment,
    };

    /// <summary>Trains a run into the served folder and returns its store id.</summary>
    public string Train(string name, string? experiment, int epochs, double lr = 0.003, ITrainingObserver? observer = null)
    {
        var options = Options(name, experiment, epochs, Runs, lr);
        var data = DataSplits.Create(TestData.FashionTrain, TestData.FashionTest, options);
        var folder = new TrainingRun(options, observer ?? new Quiet()).Run(data, CancellationToken.None).Folder;
        return RunIdentity.Read(folder)!.Id;
    }

    public sealed class Quiet : ITrainingObserver;
}
