namespace Atelier.Training;

/// <summary>The known name a mistyped one most likely meant, or none when nothing is close enough to be a typo.</summary>
public static class Suggestion
{
    public static string? Closest(string typed, IEnumerable<string> known)
    {
        // A long string is garbage, not a typo, and the distance table must not grow with it.
        if (typed.Length == 0 || typed.Length > 64) return null;
        string? best = null;
        int bestDistance = int.MaxValue;
        foreach (var name in known)
        {
            // A prefix of one name only ("--out" for --output) is what the user meant.
            int distance = name.StartsWith(typed, StringComparison.Ordinal) && typed.Length >= 3 ? 0 : Distance(typed, name);
            if (distance < bestDistance) (best, bestDistance) = (name, distance);
        }
        // A typo changes a few letters: at most one per three letters typed (and at least one).
        return bestDistance <= Math.Max(1, typed.Length / 3) ? best : null;
    }

    /// <summary>Optimal string alignment distance: insertions, deletions, substitutions and swaps of neighbours cost 1.</summary>
    public static int Distance(string a, string b)
    {
        var d = new int[a.Length + 1, b.Length + 1];
        for (int i = 0; i <= a.Length; i++) d[i, 0] = i;
        for (int j = 0; j <= b.Length; j++) d[0, j] = j;
        for (int i = 1; i <= a.Length; i++)
            for (int j = 1; j <= b.Length; j++)
            {
                d[i, j] = Math.Min(Math.Min(d[i - 1, j] + 1, d[i, j - 1] + 1), d[i - 1, j - 1] + (a[i - 1] == b[j - 1] ? 0 : 1));
                if (i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1]) d[i, j] = Math.Min(d[i, j], d[i - 2, j - 2] + 1);
            }
        return d[a.Length, b.Length];
    }
}
