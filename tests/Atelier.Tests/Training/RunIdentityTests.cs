using Atelier.Tests.Data;
using Atelier.Training;

namespace Atelier.Tests.Training;

public sealed class RunIdentityTests
{
    [Fact]
    public async Task Of_many_claims_at_once_exactly_one_wins_and_no_reader_ever_sees_the_identity_file_incomplete()
    {
        for (int round = 0; round < 20; round++)
        {
            var folder = new RunFolder(Path.Combine(TestData.TempDirectory(), "run"));
            string store = Path.Combine(Path.GetDirectoryName(folder.Path)!, "atelier.db");
            using var start = new Barrier(6);
            var claims = Enumerable.Range(0, 4).Select(i => Task.Factory.StartNew(() =>
            {
                start.SignalAndWait();
                return folder.TryClaim($"exp{i}", store);
            }, TaskCreationOptions.LongRunning)).ToArray();
            // Readers poll while the claims race: each sees no identity yet, or a whole one.
            var readers = Enumerable.Range(0, 2).Select(_ => Task.Factory.StartNew(() =>
            {
                start.SignalAndWait();
                for (int i = 0; i < 200; i++)
                    if (Directory.Exists(folder.Path) && RunIdentity.Read(folder) is { } seen) Assert.StartsWith("exp", seen.Id);
            }, TaskCreationOptions.LongRunning)).ToArray();
            await Task.WhenAll([.. claims, .. readers]);

            bool[] won = await Task.WhenAll(claims);
            Assert.Single(won, w => w);
            int winner = Array.IndexOf(won, true);
            Assert.Equal($"exp{winner}/run", RunIdentity.Read(folder)!.Id);
            Assert.Equal([RunFolder.IdentityFile], Directory.GetFiles(folder.Path).Select(Path.GetFileName));
        }
    }

    [Fact]
    public void An_empty_identity_file_is_damaged()
    {
        var folder = new RunFolder(Path.Combine(TestData.TempDirectory(), "run"));
        Directory.CreateDirectory(folder.Path);
        File.WriteAllText(folder.File(RunFolder.IdentityFile), "");
        Assert.Contains("run.json is damaged", Assert.Throws<InvalidDataException>(() => RunIdentity.Read(folder)).Message);
    }
}
