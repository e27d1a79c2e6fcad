using System.Diagnostics;
using Atelier.Tests.Data;

namespace Atelier.Tests.Cli;

/// <summary>The command line's grammar: generated help, response files, `--`, `--no-` flags, and tab completion in a real bash.</summary>
[Collection("console")]
public sealed class CommandLineGrammarTests
{
    [Fact]
    public void Help_is_generated_from_the_option_table_with_defaults_and_names_the_program_atelier()
    {
        var help = InProcessCli.Run("train", "--help");
        Assert.Equal(0, help.ExitCode);
        Assert.Contains("atelier train [options]", help.Stdout);
        Assert.Contains("--epochs <N>", help.Stdout);
        Assert.Contains("(default: 10)", help.Stdout);
        Assert.Contains("--resume <RUN>", help.Stdout);
        Assert.DoesNotContain("Atelier.Cli", help.Stdout);

        var root = InProcessCli.Run("--help");
        Assert.Equal(0, root.ExitCode);
        foreach (var command in new[] { "train", "evaluate", "predict", "models", "summary", "experiment", "report", "runs", "completion" })
            Assert.Contains(command, root.Stdout);
        Assert.Equal(2, InProcessCli.Run().ExitCode); // no command: the help, and a usage error
        Assert.Equal(InProcessCli.Run("runs", "--help").Stdout, InProcessCli.Run("help", "runs").Stdout);
    }

    [Fact]
    public void A_response_file_holds_options_and_double_dash_ends_them()
    {
        string dir = TestData.TempDirectory();
        string file = Path.Combine(dir, "args.rsp");
        File.WriteAllLines(file, ["--model mlp", "--epochs 1", "--train-size 300 --val-size 100 --test-size 100", "--no-augment"]);
        var r = InProcessCli.Run("train", $"@{file}", "--output", Path.Combine(dir, "runs"));
        Assert.True(r.ExitCode == 0, r.Output);
        Assert.Contains("Training mlp on 300 images", r.Stdout);
        Assert.Contains("\"augment\": \"false\"", File.ReadAllText(Directory.GetFiles(Path.Combine(dir, "runs"), "options.json", SearchOption.AllDirectories).Single()));

        var literal = InProcessCli.Run("summary", "--", "--mlp");
        CliRunner.AssertOneSentenceError(literal, "Unknown model '--mlp'", 2);
    }

    [Theory]
    [InlineData("atelier tr", "train")]
    [InlineData("atelier train --mod", "--model")]
    [InlineData("atelier train --model cnn-w", "cnn-wide")]
    [InlineData("atelier train --optimizer ad", "adamw")]
    [InlineData("atelier runs --status int", "interrupted")]
    public async Task Tab_completion_in_bash_offers_what_can_come_next(string line, string expected)
    {
        string dll = Path.Combine(AppContext.BaseDirectory, "Atelier.Cli.dll");
        string script = $$"""
            atelier() { dotnet '{{dll}}' "$@"; }
            source <(atelier completion bash)
            COMP_LINE='{{line}}'; COMP_POINT=${#COMP_LINE}
            read -ra COMP_WORDS <<< "$COMP_LINE"; COMP_CWORD=$(( ${#COMP_WORDS[@]} - 1 ))
            _atelier_complete
            printf '%s\n' "${COMPREPLY[@]}"
            """;
        var start = new ProcessStartInfo("bash", ["-c", script]) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        using var bash = Process.Start(start)!;
        var stdout = bash.StandardOutput.ReadToEndAsync();
        var stderr = bash.StandardError.ReadToEndAsync();
        await bash.WaitForExitAsync().WaitAsync(TimeSpan.FromMinutes(1));
        var offered = (await stdout).Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.True(offered.Contains(expected), $"'{line}' offered [{string.Join(", ", offered)}]; stderr: {await stderr}");
    }

    [Fact]
    public void The_zsh_script_is_printed_and_an_unknown_shell_refused()
    {
        var zsh = InProcessCli.Run("completion", "zsh");
        Assert.Equal(0, zsh.ExitCode);
        Assert.Contains("compdef _atelier_complete atelier", zsh.Stdout);
        CliRunner.AssertOneSentenceError(InProcessCli.Run("completion", "fish"), "scripts for bash and zsh", 2);
    }
}
