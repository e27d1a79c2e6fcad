using System.Text;

namespace Atelier.Tuning;

/// <summary>
/// Optuna 3.1's HyperbandPruner: floor(log_eta(maxResource / minResource)) + 1 brackets, bracket s running successive
/// halving with minEarlyStoppingRate s; a trial's bracket comes from crc32("{study}_{number}") modulo the brackets'
/// total budget (bracket s weighs ceil(n eta^(n-1-s) / (n-s))), exactly as Optuna hashes it, so every worker agrees.
/// A trial's peers are the trials of its bracket. With maxResource null ("auto"), it is the largest last step of the
/// complete trials plus one, and nothing is pruned before a trial completes (Optuna fixes it then; this recomputes).
/// </summary>
public sealed class HyperbandPruner : IPruner
{
    public HyperbandPruner(int minResource = 1, int? maxResource = null, int reductionFactor = 3, int bootstrapCount = 0)
    {
        if (minResource < 1) throw new ArgumentOutOfRangeException(nameof(minResource), minResource, "The minimum resource is at least 1.");
        if (maxResource is { } mx && mx < minResource) throw new ArgumentOutOfRangeException(nameof(maxResource), maxResource, "The maximum resource is at least the minimum.");
        if (reductionFactor < 2) throw new ArgumentOutOfRangeException(nameof(reductionFactor), reductionFactor, "The reduction factor is at least 2.");
        MinResource = minResource;
        MaxResource = maxResource;
        ReductionFactor = reductionFactor;
        BootstrapCount = bootstrapCount;
    }

    public int MinResource { get; }
    public int? MaxResource { get; }
    public int ReductionFactor { get; }
    public int BootstrapCount { get; }

    public bool Prune(StudyView study, FrozenTrial trial)
    {
        int? max = MaxResource;
        if (max is null)
        {
            var steps = study.Trials.Where(t => t.State == TrialState.Complete && t.LastStep is not null).Select(t => t.LastStep!.Value).ToList();
            if (steps.Count == 0) return false;
            max = steps.Max() + 1;
        }
        int brackets = Brackets(max.Value);
        int bracket = Bracket(study.Study.Name, trial.Number, brackets);
        var peers = study.Trials.Where(t => Bracket(study.Study.Name, t.Number, brackets) == bracket).ToList();
        var sha = new SuccessiveHalvingPruner(MinResource, ReductionFactor, bracket, BootstrapCount);
        return sha.Prune(peers, study.Direction, trial);
    }

    public int Brackets(int maxResource) => (int)Math.Floor(Math.Log((double)maxResource / MinResource, ReductionFactor) + 1e-12) + 1;

    private long Budget(int brackets, int s0)
    {
        int s = brackets - 1 - s0;
        return (long)Math.Ceiling(brackets * Math.Pow(ReductionFactor, s) / (s + 1));
    }

    /// <summary>The bracket of trial <paramref name="number"/> in study <paramref name="studyName"/> (Optuna's _get_bracket_id).</summary>
    public int Bracket(string studyName, int number, int brackets)
    {
        long total = 0;
        for (int b = 0; b < brackets; b++) total += Budget(brackets, b);
        long n = Crc32(Encoding.UTF8.GetBytes($"{studyName}_{number}")) % total;
        for (int b = 0; b < brackets; b++)
        {
            n -= Budget(brackets, b);
            if (n < 0) return b;
        }
        return brackets - 1;
    }

    /// <summary>zlib's CRC-32, as Python's binascii.crc32.</summary>
    internal static uint Crc32(byte[] data)
    {
        uint crc = 0xFFFFFFFF;
        foreach (byte b in data)
        {
            crc ^= b;
            for (int k = 0; k < 8; k++) crc = (crc & 1) != 0 ? (crc >> 1) ^ 0xEDB88320 : crc >> 1;
        }
        return ~crc;
    }
}
