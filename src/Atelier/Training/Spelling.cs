namespace Atelier.Training;

/// <summary>"Did you mean …?" as a clause for a misspelt name in a file (see <see cref="Suggestion"/>).</summary>
public static class Spelling
{
    /// <summary>" (did you mean 'base'?)", or "" when no known name is near.</summary>
    public static string Suggest(string word, IEnumerable<string> known) =>
        Suggestion.Closest(word.ToLowerInvariant(), known) is { } closest ? $" (did you mean '{closest}'?)" : "";
}
