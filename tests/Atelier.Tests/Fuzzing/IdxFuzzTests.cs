using Atelier.Data;
using Atelier.Tests.Data;

namespace Atelier.Tests.Fuzzing;

/// <summary>
/// Mutated IDX files, gzipped and raw, in an otherwise valid small dataset folder, loaded as a user's --data folder
/// would be: only <see cref="DataFileException"/> may come out.
/// </summary>
public sealed class IdxFuzzTests
{
    [Fact]
    public void Mutated_idx_files_give_only_data_file_errors()
    {
        var originals = new Dictionary<string, byte[]>
        {
            [IdxFolder.TrainImages] = TestData.ImagesIdx(6, 4, 3),
            [IdxFolder.TrainLabels] = TestData.LabelsIdx(TestData.Labels(6, 3)),
            [IdxFolder.TestImages] = TestData.ImagesIdx(3, 4, 3),
            [IdxFolder.TestLabels] = TestData.LabelsIdx(TestData.Labels(3, 3)),
        };
        var names = originals.Keys.ToArray();
        var gzipped = originals.ToDictionary(p => p.Key, p => TestData.Gzip(p.Value));
        string raw = FuzzFolder.Create(), gz = FuzzFolder.Create();
        foreach (var name in names)
        {
            File.WriteAllBytes(Path.Combine(raw, name), originals[name]);
            File.WriteAllBytes(Path.Combine(gz, name + ".gz"), gzipped[name]);
        }

        FuzzRun.Run("IdxReader (file and folder load)", (random, log) =>
        {
            var mutator = new Mutator(random);
            string name = names[random.Next(names.Length)];
            string other = names[random.Next(names.Length)];
            bool gzip = random.Next(2) == 0;
            // Gzipped: mutate the .gz bytes, or (as often) the content before compressing, so the IDX checks are reached.
            bool mutateContent = gzip && random.Next(2) == 0;
            bool wholeFolder = random.Next(4) == 0;
            log.Add($"{name}{(gzip ? ".gz" : "")}{(mutateContent ? " content" : "")}{(wholeFolder ? " in its folder" : "")}");
            var seeds = gzip && !mutateContent ? gzipped : originals;
            var mutated = mutator.MutateSeveral(seeds[name], seeds[other], log, fieldArea: gzip && !mutateContent ? 24 : 16);
            if (mutateContent) mutated = TestData.Gzip(mutated);
            string dir = gzip ? gz : raw;
            string path = Path.Combine(dir, gzip ? name + ".gz" : name);
            File.WriteAllBytes(path, mutated);
            try
            {
                // Both readers on every file: an images file read as labels must be refused as cleanly.
                if (wholeFolder) FashionMnist.LoadAny(dir);
                else if (random.Next(2) == 0) IdxReader.ReadImages(path);
                else IdxReader.ReadLabels(path);
            }
            finally
            {
                File.WriteAllBytes(path, gzip ? gzipped[name] : originals[name]);
            }
        }, e => e is DataFileException);
    }
}
