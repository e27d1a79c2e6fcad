namespace Atelier.Training;

/// <summary>"Did you mean …?" for a misspelt name: the closest known name by edit distance, when it is close enough to be a typo.</summary>
public static class Spelling
{
    /// <summary>" (did you mean 'base'?)", or "" when no known name is near.</summary>
    public static string Suggest(string word, IEnumerable<string> known)
    {
        string lower = word.ToLowerInvariant();
        var best = known.MinBy(k => Distance(k, lower));
        // Half the word's length at most: 'bsae' → 'base', but 'x' is no typo of 'name'.
        int allowed = Math.Clamp(lower.Length / 2, 1, 3);
        return best is not null && Distance(best, lower) <= allowed ? $" (did you mean '{best}'?)" : "";
    }

    private static int Distance(string a, string b)
    {
        // Keys are short; a long garbage key is no typo, and the quadratic table must not grow with it.
        if (Math.Abs(a.Length - b.Length) > 3 || b.Length > 64) return int.MaxValue;
        var d = new int[a.Length + 1, b.Length + 1];
        for (int i = 0; i <= a.Length; i++) d[i, 0] = i;
        for (int j = 0; j <= b.Length; j++) d[0, j] = j;
        for (int i = 1; i <= a.Length; i++)
            for (int j = 1; j <= b.Length; j++)
                d[i, j] = Math.Min(Math.Min(d[i - 1, j] + 1, d[i, j - 1] + 1), d[i - 1, j - 1] + (a[i - 1] == b[j - 1] ? 0 : 1));
        return d[a.Length, b.Length];
    }
}
