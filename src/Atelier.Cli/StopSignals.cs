using System.Runtime.InteropServices;

namespace Atelier.Cli;

/// <summary>
/// Ctrl+C (SIGINT) and SIGTERM (what `kill`, systemd and container runtimes send) both ask a command to stop at the
/// next batch, so the run is saved and marked interrupted. A second signal is not caught: it ends the process at once.
/// </summary>
public sealed class StopSignals : IDisposable
{
    private readonly CancellationTokenSource cancel = new();
    private readonly PosixSignalRegistration[] registrations;

    public StopSignals()
    {
        registrations = [PosixSignalRegistration.Create(PosixSignal.SIGINT, OnSignal), PosixSignalRegistration.Create(PosixSignal.SIGTERM, OnSignal)];
    }

    public CancellationToken Token => cancel.Token;

    /// <summary>The first signal received, if any.</summary>
    public PosixSignal? Received { get; private set; }

    /// <summary>The shell's convention: 128 + the signal's number (130 for SIGINT, 143 for SIGTERM).</summary>
    public int ExitCode => Received == PosixSignal.SIGTERM ? 143 : CommandLine.Interrupted;

    private void OnSignal(PosixSignalContext context)
    {
        if (Received is not null) return; // the second one takes its default course: the process ends
        Received = context.Signal;
        context.Cancel = true;
        cancel.Cancel();
    }

    public void Dispose()
    {
        foreach (var r in registrations) r.Dispose();
        cancel.Dispose();
    }
}
