using System.Diagnostics;
using Atelier.Experiments;
using Atelier.Tests.Data;
using Atelier.Training;
using Xunit.Abstractions;

namespace Atelier.Tests.Fuzzing;

/// <summary>
/// Mutated experiment files and configurations (see <see cref="YamlMutator"/>) must load or be refused with one
/// InvalidDataException sentence naming the file (an ArgumentException is tolerated: the CLI reports it as a
/// usage error). Anything else — a YamlDotNet exception, a cast, a key lookup, a hang — is a failure, printed with
/// the seed and the mutations to replay it. ATELIER_FUZZ_CASES sets the number of cases (default 3,000; about a second);
/// ATELIER_FUZZ_SEED the first seed.
/// </summary>
public sealed class YamlFuzzTests(ITestOutputHelper output)
{
    private const string FileName = "fuzz.yaml";

    /// <summary>A long run (ATELIER_FUZZ_CASES=100000) stops here and reports how far it got, so it never holds a test run for long.</summary>
    private static readonly TimeSpan Budget = TimeSpan.FromMinutes(3);

    private const string SampleConfig = """
        # A training configuration, as `atelier train --config run.yaml` reads it.
        model: cnn-c
        optimizer: sgd
        lr: 0.01
        momentum: 0.9
        batch-size: 32
        epochs: 20
        augment: true
        rotate: 10
        dropout: default
        val-size: 6000
        """;

    [Fact]
    public void Mutated_yaml_loads_or_is_refused_with_one_sentence()
    {
        var corpus = Directory.GetFiles(Path.Combine(TestData.RepositoryRoot, "experiments"), "*.yaml").Order().Select(File.ReadAllText).Append(SampleConfig).ToList();
        int cases = int.TryParse(Environment.GetEnvironmentVariable("ATELIER_FUZZ_CASES"), out int n) && n > 0 ? n : 3_000;
        int firstSeed = int.TryParse(Environment.GetEnvironmentVariable("ATELIER_FUZZ_SEED"), out int s) ? s : 1;
        string folder = TestData.TempDirectory();

        var failures = new List<string>();
        int loaded = 0, refused = 0, usage = 0, ran = 0;
        var clock = Stopwatch.StartNew();
        for (int i = 0; i < cases && clock.Elapsed < Budget; i++, ran++)
        {
            int seed = firstSeed + i;
            var mutator = new YamlMutator(seed);
            var pick = new Random(seed ^ 0x5bd1e995);
            string source = corpus[pick.Next(corpus.Count)];
            bool asBytes = pick.Next(20) == 0;
            var (text, mutation) = mutator.Mutate(source, corpus[pick.Next(corpus.Count)]);
            string path = FileName;
            if (asBytes)
            {
                // A few cases go through a file, for the byte-level damage only a file can hold (invalid UTF-8).
                byte[] bytes;
                (bytes, string byteMutation) = mutator.MutateBytes(text);
                mutation += "; " + byteMutation;
                path = Path.Combine(folder, FileName);
                File.WriteAllBytes(path, bytes);
            }
            foreach (var (target, load) in Targets(asBytes, path, text))
            {
                var watch = Stopwatch.StartNew();
                try
                {
                    load();
                    loaded++;
                }
                catch (InvalidDataException e) when (e.Message.StartsWith(path, StringComparison.Ordinal) && !e.Message.Contains('\n'))
                {
                    refused++;
                }
                catch (ArgumentException e) when (e is not System.Text.DecoderFallbackException)
                {
                    usage++;
                }
                catch (Exception e)
                {
                    failures.Add($"seed {seed} ({target}): {mutation} → {e.GetType().Name}: {e.Message}\n  input: {YamlMutator.Show(text)}\n  {e.StackTrace?.Split('\n').FirstOrDefault()?.Trim()}");
                }
                if (watch.Elapsed > TimeSpan.FromSeconds(2)) failures.Add($"seed {seed} ({target}): {mutation} took {watch.Elapsed.TotalSeconds:F1} s");
            }
            if (failures.Count >= 20) break;
        }
        output.WriteLine($"{ran:N0} cases ({loaded:N0} loads, {refused:N0} InvalidDataException, {usage:N0} ArgumentException), {failures.Count} failures, {clock.Elapsed.TotalSeconds:F1} s.");
        Assert.True(failures.Count == 0, $"{failures.Count} failures in {ran:N0} cases:\n" + string.Join("\n", failures));
    }

    /// <summary>Each input goes to both loaders, as the CLI would use them.</summary>
    private static IEnumerable<(string Target, Action Load)> Targets(bool fromFile, string path, string text)
    {
        yield return ("experiment", () =>
        {
            var spec = fromFile ? ExperimentSpec.Load(path) : ExperimentSpec.Parse(text, path);
            var runner = new ExperimentRunner(spec, "runs", 0.1);
            foreach (var run in spec.Runs)
            {
                spec.OptionsFor(run, 0.1).Validate();
                Assert.StartsWith(Path.GetFullPath(runner.Folder), runner.FolderOf(run).Path);
            }
        });
        yield return ("config", () =>
        {
            var options = new TrainOptions();
            foreach (var (key, value) in fromFile ? YamlOptions.Read(path) : YamlOptions.Parse(text, path)) TrainOptionTable.Set(options, key, value);
        });
    }
}
