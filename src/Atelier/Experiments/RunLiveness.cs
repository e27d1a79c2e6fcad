using System.Diagnostics;

namespace Atelier.Experiments;

/// <summary>
/// Tells a live run from a dead one. A run records its host, process id, process start time and a heartbeat
/// (every <see cref="HeartbeatInterval"/>). On the same host the process itself is asked, which is exact and
/// immediate; from another host only the heartbeat can tell, so a run is dead when it has missed several beats.
/// </summary>
public static class RunLiveness
{
    public static readonly TimeSpan HeartbeatInterval = TimeSpan.FromSeconds(10);

    /// <summary>A run on another host is taken for dead after this long without a heartbeat.</summary>
    public static readonly TimeSpan DeadAfter = TimeSpan.FromSeconds(60);

    public static string Host => Environment.MachineName;

    /// <summary>When this process started (UTC), recorded beside its id so that a reused process id is not taken for the run.</summary>
    public static DateTime ThisProcessStarted { get; } = Process.GetCurrentProcess().StartTime.ToUniversalTime();

    public static bool IsAlive(string? host, int? processId, DateTime? processStarted, DateTime? heartbeat, DateTime now)
    {
        if (host == Host && processId is int pid) return ProcessRuns(pid, processStarted);
        return heartbeat is DateTime beat && now - beat < DeadAfter;
    }

    private static bool ProcessRuns(int pid, DateTime? started)
    {
        try
        {
            using var process = Process.GetProcessById(pid);
            if (process.HasExited) return false;
            // The same id given to a later process is not the run: its start time differs.
            return started is not DateTime expected || Math.Abs((process.StartTime.ToUniversalTime() - expected).TotalSeconds) < 2;
        }
        catch (Exception e) when (e is ArgumentException or InvalidOperationException or System.ComponentModel.Win32Exception)
        {
            return false;
        }
    }
}
