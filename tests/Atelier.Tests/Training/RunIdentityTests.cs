using Atelier.Tests.Data;
using Atelier.Training;

namespace Atelier.Tests.Training;

public sealed class RunIdentityTests
{
    [Fact]
    public async Task A_claim_in_progress_is_waited_for_and_an_empty_identity_file_that_stays_empty_is_damaged()
    {
        var folder = new RunFolder(Path.Combine(TestData.TempDirectory(), "run"));
        Directory.CreateDirectory(folder.Path);
        string path = folder.File(RunFolder.IdentityFile);
        // What TryClaim does in two steps: the file appears empty, and its text follows a moment later.
        File.WriteAllText(path, "");
        var writer = Task.Run(async () =>
        {
            await Task.Delay(20);
            File.WriteAllText(path, """{"id":"exp/run","experiment":"exp","store":"../atelier.db"}""");
        });
        Assert.Equal("exp/run", RunIdentity.Read(folder)!.Id);
        await writer;

        File.WriteAllText(path, "");
        Assert.Contains("run.json is damaged", Assert.Throws<InvalidDataException>(() => RunIdentity.Read(folder)).Message);
    }
}
