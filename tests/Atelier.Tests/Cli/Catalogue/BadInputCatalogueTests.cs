using Microsoft.Data.Sqlite;
using Atelier.Tests.Data;

namespace Atelier.Tests.Cli.Catalogue;

/// <summary>
/// Every case of <see cref="BadInputCases"/> through the CLI in-process: a non-zero exit, one line of error, no stack
/// trace, and nothing left behind that claims a run happened (no run folder, no run-store row).
/// </summary>
[Collection("console")]
public sealed class BadInputCatalogueTests
{
    [Fact]
    public void The_catalogue_holds_at_least_a_hundred_cases() => Assert.True(BadInputCases.All().Count >= 100);

    [Theory]
    [MemberData(nameof(BadInputCases.All), MemberType = typeof(BadInputCases))]
    public void A_bad_input_gets_one_sentence_a_non_zero_exit_and_leaves_no_run(string name, string? fragment, string[] args)
    {
        var ws = BadInputWorkspace.Instance;
        string output = TestData.TempDirectory();
        string[] expanded = args.Select(a => a.Replace("{ws}", ws.Root).Replace("{out}", output).Replace("{ckpt}", ws.GoodCheckpoint)
            .Replace("{run}", ws.GoodRun).Replace("{img}", ws.GoodImage)).ToArray();
        int storeRowsBefore = Rows(ws.Path("runs/atelier.db"));

        var r = InProcessCli.Run(expanded);

        Assert.True(r.ExitCode != 0, $"{name}: exit 0\n{r.Output}");
        var lines = r.Stderr.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.True(lines.Length == 1, $"{name}: expected one error line, got:\n{r.Stderr}");
        Assert.StartsWith("error: ", lines[0]);
        if (fragment is not null) Assert.True(lines[0].Contains(fragment, StringComparison.Ordinal), $"{name}: '{fragment}' not in: {lines[0]}");
        Assert.DoesNotContain("   at ", r.Output);
        Assert.DoesNotContain("Exception", r.Output);
        Assert.Empty(Directory.GetFiles(output, "options.json", SearchOption.AllDirectories));
        Assert.Empty(Directory.GetFiles(output, "run.json", SearchOption.AllDirectories));
        Assert.Equal(0, Rows(Path.Combine(output, "atelier.db")));
        Assert.Equal(storeRowsBefore, Rows(ws.Path("runs/atelier.db")));
    }

    private static int Rows(string store)
    {
        if (!File.Exists(store)) return 0;
        using var db = new SqliteConnection($"Data Source={store};Mode=ReadOnly;Pooling=False");
        db.Open();
        using var cmd = db.CreateCommand();
        cmd.CommandText = "SELECT COUNT(*) FROM runs";
        return Convert.ToInt32(cmd.ExecuteScalar(), System.Globalization.CultureInfo.InvariantCulture);
    }
}
