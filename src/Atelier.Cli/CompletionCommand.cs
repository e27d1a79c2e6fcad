namespace Atelier.Cli;

/// <summary>
/// `atelier completion bash|zsh`: a script that makes the shell ask `atelier` itself what can come next (commands,
/// options, model names...), through System.CommandLine's [suggest] directive. Enable with
/// `source <(atelier completion bash)` in ~/.bashrc, or `source <(atelier completion zsh)` in ~/.zshrc.
/// </summary>
public static class CompletionCommand
{
    public static CliCommand Definition { get; } = new("completion", "prints a tab-completion script: `source <(atelier completion bash)` (or zsh)", "bash|zsh", [], Run);

    public static int Run(ParsedArguments parsed)
    {
        if (parsed.Positional is not [var shell]) throw new UsageException("Usage: atelier completion bash|zsh (then `source <(atelier completion bash)` in ~/.bashrc).");
        Console.Write(shell switch
        {
            "bash" => Bash,
            "zsh" => Zsh,
            _ => throw new UsageException($"No completion script for '{shell}': there are scripts for bash and zsh."),
        });
        return 0;
    }

    // The line without its first word ("atelier"), and the cursor moved with it, is what the directive expects.
    private const string Bash = """
        # atelier tab completion for bash: source <(atelier completion bash)
        _atelier_complete() {
            local line="${COMP_LINE#* }"
            local position=$(( COMP_POINT - ${#COMP_LINE} + ${#line} ))
            local IFS=$'\n'
            COMPREPLY=( $(compgen -W "$(atelier "[suggest:${position}]" "${line}" 2>/dev/null)" -- "${COMP_WORDS[COMP_CWORD]}") )
        }
        complete -o default -F _atelier_complete atelier

        """;

    private const string Zsh = """
        # atelier tab completion for zsh: source <(atelier completion zsh)
        _atelier_complete() {
            local line="${BUFFER#* }"
            local position=$(( CURSOR - ${#BUFFER} + ${#line} ))
            local -a suggestions
            suggestions=("${(@f)$(atelier "[suggest:${position}]" "${line}" 2>/dev/null)}")
            compadd -- "${suggestions[@]}"
        }
        compdef _atelier_complete atelier

        """;
}
