using System.Globalization;
using System.Text;

namespace Atelier.Tests.Fuzzing;

/// <summary>
/// Runs seeded fuzz cases against one parser and fails with every case that escaped with an undocumented exception.
/// ATELIER_FUZZ_CASES sets the number of cases per parser (default <see cref="DefaultCases"/>), ATELIER_FUZZ_SEED the
/// base seed, ATELIER_FUZZ_ONLY one case seed to rerun alone; with ATELIER_FUZZ_REPORT set, a summary line per parser
/// is appended to that file (scripts/fuzz.sh prints them).
/// </summary>
internal static class FuzzRun
{
    public const int DefaultCases = 5000;

    private const int MaxReported = 15;

    /// <param name="runCase">given the case's own Random and a log of what it did; throws what the parser throws.</param>
    /// <param name="documented">true for the exception types the parser documents.</param>
    public static void Run(string parser, Action<Random, List<string>> runCase, Func<Exception, bool> documented)
    {
        int cases = Environment.GetEnvironmentVariable("ATELIER_FUZZ_CASES") is { Length: > 0 } text
            ? int.Parse(text, CultureInfo.InvariantCulture) : DefaultCases;
        int baseSeed = Environment.GetEnvironmentVariable("ATELIER_FUZZ_SEED") is { Length: > 0 } seedText
            ? int.Parse(seedText, CultureInfo.InvariantCulture) : 20261201;
        int? only = Environment.GetEnvironmentVariable("ATELIER_FUZZ_ONLY") is { Length: > 0 } onlyText
            ? int.Parse(onlyText, CultureInfo.InvariantCulture) : null;

        var failures = new List<string>();
        int failed = 0, refused = 0, accepted = 0, ran = 0;
        var clock = System.Diagnostics.Stopwatch.StartNew();
        for (int i = 0; i < (only is null ? cases : 1); i++)
        {
            int seed = only ?? CaseSeed(baseSeed, i);
            var log = new List<string>();
            ran++;
            try
            {
                runCase(new Random(seed), log);
                accepted++;
            }
            catch (Exception e) when (documented(e) && IsOneLine(e.Message))
            {
                refused++;
            }
            catch (Exception e)
            {
                failed++;
                if (failures.Count < MaxReported)
                    failures.Add($"case seed {seed} ({string.Join("; ", log)}): {e.GetType().Name}: {e.Message} [{FirstFrame(e)}]");
            }
        }
        string summary = $"{parser}: {ran} cases, {failed} failures ({refused} refused with the documented exception, {accepted} accepted) in {clock.Elapsed.TotalSeconds:0.0} s";
        if (Environment.GetEnvironmentVariable("ATELIER_FUZZ_REPORT") is { Length: > 0 } report)
            File.AppendAllText(report, summary + Environment.NewLine);
        if (failed > 0)
        {
            var message = new StringBuilder(summary).AppendLine(". Rerun one with ATELIER_FUZZ_ONLY=<case seed>:");
            foreach (var f in failures) message.AppendLine(f);
            Assert.Fail(message.ToString());
        }
    }

    /// <summary>Every case has its own seed, a mix of the base seed and its number, so one can be rerun alone.</summary>
    public static int CaseSeed(int baseSeed, int index)
    {
        // SplitMix64's finaliser: deterministic across processes, unlike HashCode.Combine.
        ulong z = ((ulong)(uint)baseSeed << 32 | (uint)index) + 0x9E3779B97F4A7C15UL;
        z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9UL;
        z = (z ^ (z >> 27)) * 0x94D049BB133111EBUL;
        return (int)((z ^ (z >> 31)) & int.MaxValue);
    }

    private static string FirstFrame(Exception e) =>
        e.StackTrace?.Split('\n', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries).FirstOrDefault() ?? "no stack";

    private static bool IsOneLine(string message) => message.Length > 0 && !message.Contains('\n') && !message.Contains("   at ", StringComparison.Ordinal);
}
