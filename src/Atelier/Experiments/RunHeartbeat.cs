namespace Atelier.Experiments;

/// <summary>
/// Beats a running run's heartbeat in the store every <see cref="RunLiveness.HeartbeatInterval"/>, on its own
/// connection and timer, so a long epoch still shows the run alive to readers on other hosts.
/// </summary>
public sealed class RunHeartbeat : IDisposable
{
    private readonly RunStore store;
    private readonly Timer timer;
    private readonly Lock gate = new();
    private bool disposed;

    public RunHeartbeat(string storePath, string runId)
    {
        store = new RunStore(storePath);
        timer = new Timer(_ => Beat(runId), null, RunLiveness.HeartbeatInterval, RunLiveness.HeartbeatInterval);
    }

    private void Beat(string runId)
    {
        lock (gate)
        {
            if (disposed) return;
            // A missed beat (the store busy for a minute) only makes the run look older; it must never stop the training.
            try { store.Beat(runId); }
            catch (Exception e) when (e is Microsoft.Data.Sqlite.SqliteException or InvalidOperationException or IOException) { }
        }
    }

    public void Dispose()
    {
        lock (gate)
        {
            if (disposed) return;
            disposed = true;
        }
        timer.Dispose();
        store.Dispose();
    }
}
