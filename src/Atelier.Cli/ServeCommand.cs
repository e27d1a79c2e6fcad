using System.Globalization;
using Atelier.Server;
using Microsoft.Extensions.DependencyInjection;

namespace Atelier.Cli;

/// <summary>
/// `atelier serve [--runs DIR] [--port 5000] [--host 127.0.0.1] [--token T] [--model CHECKPOINT|RUN ...]`: the
/// dashboard and the prediction API until Ctrl+C or SIGTERM.
/// </summary>
public static class ServeCommand
{
    private static readonly IReadOnlyList<CliOption> Options =
    [
        CliOption.Value("runs", "DIR", "the runs folder to show (its atelier.db and run folders; default: runs)"),
        CliOption.Value("port", "N", "the port to listen on (default 5000; 0: any free port)"),
        CliOption.Value("host", "ADDRESS", "the address to listen on (default 127.0.0.1, this machine only; another needs --token)"),
        CliOption.Value("storage", "URL", "where the tuning studies live (default: RUNS/tuning.db when it exists)"),
        CliOption.Value("token", "SECRET", "a secret every request must carry (Authorization: Bearer SECRET, or ?token=SECRET)"),
        new("model", "a checkpoint or run to predict with (repeat for several; default: the best finished run)", Placeholder: "CHECKPOINT|RUN", Repeatable: true),
    ];

    public static CliCommand Definition { get; } = new("serve", "a live dashboard of runs and experiments, and a prediction API, on a local web server", "", Options, Run);

    public static int Run(ParsedArguments parsed)
    {
        if (parsed.Positional.Count > 0) throw new UsageException($"`atelier serve` takes no argument, got '{parsed.Positional[0]}'; give a runs folder with --runs.");
        int port = 5000;
        if (parsed.Value("port") is { } p && (!int.TryParse(p, NumberStyles.Integer, CultureInfo.InvariantCulture, out port) || port is < 0 or > 65535))
            throw new UsageException($"--port must be a whole number from 0 to 65535, got '{p}'.");
        string runs = parsed.Value("runs") ?? "runs";
        if (runs.Trim().Length == 0) throw new UsageException("--runs needs a folder, got an empty value.");
        if (File.Exists(runs)) throw new UsageException($"--runs: '{runs}' is a file, not a runs folder.");
        string host = parsed.Value("host") ?? "127.0.0.1";
        if (host.Trim().Length == 0) throw new UsageException("--host needs an address, got an empty value.");
        string? token = parsed.Value("token");
        if (token is { Length: 0 }) throw new UsageException("--token needs a secret, got an empty value.");
        string? storage = parsed.Value("storage");
        // The server only reads studies; with no tuning.db yet, it shows none (start it again after the first `atelier tune`).
        using var studies = storage is not null || File.Exists(Path.Combine(runs, TuneStorage.DefaultFile)) ? TuneStorage.Open(storage, runs, readOnly: true) : null;
        var options = new ServerOptions { Runs = runs, Port = port, Host = host, Token = token, Models = parsed.All("model"), Studies = studies };

        var app = AtelierServer.Build(options);
        using var signals = new StopSignals();
        try
        {
            app.StartAsync(signals.Token).GetAwaiter().GetResult();
        }
        catch (IOException e)
        {
            throw new IOException($"Cannot listen on {host}:{port} (--host, --port): {e.Message.TrimEnd('.')}; is another server using that port?", e);
        }
        if (!options.IsLoopback) Terminal.Error($"warning: listening on {host}, reachable from other machines; every request must carry the token.");
        Console.WriteLine($"Atelier is serving {Path.GetFullPath(runs)} on {AtelierServer.Address(app)} (Ctrl+C stops it).");
        var models = app.Services.GetRequiredService<Atelier.Server.Prediction.ServedModels>();
        Console.WriteLine(models.Ready
            ? $"Predicting with {string.Join(", ", models.All.Select(m => $"{m.Name} ({m.Checkpoint.ModelName})"))}; POST images to {AtelierServer.Address(app)}/api/v1/predict."
            : $"Not predicting: {models.Unavailable}");
        Console.Out.Flush();
        try
        {
            signals.Token.WaitHandle.WaitOne();
        }
        finally
        {
            app.StopAsync().GetAwaiter().GetResult();
            app.DisposeAsync().AsTask().GetAwaiter().GetResult();
        }
        return 0;
    }
}
