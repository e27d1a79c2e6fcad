using Atelier.Server;
using Microsoft.AspNetCore.Builder;

namespace Atelier.Tests.Server.Api;

/// <summary>The real server on a free loopback port, and a client for it; stopped when disposed.</summary>
public sealed class RunningServer : IAsyncDisposable
{
    private readonly WebApplication app;

    private RunningServer(WebApplication app, string address)
    {
        this.app = app;
        Address = address;
        Client = new HttpClient { BaseAddress = new Uri(address), Timeout = TimeSpan.FromSeconds(60) };
    }

    public string Address { get; }

    public HttpClient Client { get; }

    public IServiceProvider Services => app.Services;

    public static async Task<RunningServer> StartAsync(ServerOptions options)
    {
        var app = AtelierServer.Build(options with { Port = 0 });
        await app.StartAsync();
        return new RunningServer(app, AtelierServer.Address(app));
    }

    public async ValueTask DisposeAsync()
    {
        Client.Dispose();
        await app.StopAsync();
        await app.DisposeAsync();
    }
}
