using Atelier.Tuning;

namespace Atelier.Cli;

/// <summary>The study storage a tuning command names: --storage URL, or OUTPUT/tuning.db beside the run store.</summary>
internal static class TuneStorage
{
    public static IStudyStorage Open(string? url, string output, bool readOnly) =>
        StudyStorages.Open(url ?? Path.Combine(output, DefaultFile), readOnly);

    public const string DefaultFile = "tuning.db";
}
