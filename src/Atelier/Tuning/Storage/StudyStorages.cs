namespace Atelier.Tuning;

/// <summary>Opens a study storage from the URL a user gives (`atelier tune --storage`), after Optuna's storage URLs.</summary>
public static class StudyStorages
{
    /// <summary>
    /// sqlite:///relative/path.db, sqlite:////absolute/path.db or a plain file path: <see cref="SqliteStudyStorage"/>;
    /// postgresql://user[:password]@host[:port]/db: <see cref="PostgresStudyStorage"/>; "memory":
    /// <see cref="InMemoryStudyStorage"/>. ArgumentException for anything else.
    /// </summary>
    public static IStudyStorage Open(string url, bool readOnly = false)
    {
        ArgumentNullException.ThrowIfNull(url);
        var trimmed = url.Trim();
        if (trimmed.Equals("memory", StringComparison.OrdinalIgnoreCase) || trimmed.Equals("memory://", StringComparison.OrdinalIgnoreCase)) return new InMemoryStudyStorage();
        if (trimmed.StartsWith("sqlite:///", StringComparison.OrdinalIgnoreCase))
        {
            // SQLAlchemy: three slashes and a relative path, four for an absolute one.
            var path = trimmed["sqlite:///".Length..];
            if (path.Length == 0) throw Unknown(url);
            return new SqliteStudyStorage(path, readOnly);
        }
        var scheme = trimmed.IndexOf("://", StringComparison.Ordinal) is var i and > 0 ? trimmed[..i].ToLowerInvariant() : null;
        if (scheme is not null && (scheme is "postgres" || scheme.StartsWith("postgresql", StringComparison.Ordinal))) return new PostgresStudyStorage(trimmed, readOnly);
        if (scheme is null && trimmed.Length > 0 && !trimmed.Contains(':', StringComparison.Ordinal) || scheme is null && Path.IsPathRooted(trimmed) && trimmed.Length > 0)
            return new SqliteStudyStorage(trimmed, readOnly);
        throw Unknown(url);
    }

    private static ArgumentException Unknown(string url) =>
        new($"Unknown storage URL '{Redact(url)}': use a SQLite file (sqlite:///runs/tuning.db) or postgresql://user@host:port/db.");

    /// <summary>The URL without its password, for messages: postgresql://tune:secret@db/atelier → postgresql://tune@db/atelier.</summary>
    public static string Redact(string url)
    {
        var schemeEnd = url.IndexOf("://", StringComparison.Ordinal);
        if (schemeEnd < 0) return url;
        var start = schemeEnd + 3;
        var end = url.IndexOfAny(['/', '?'], start);
        if (end < 0) end = url.Length;
        var at = end > start ? url.LastIndexOf('@', end - 1, end - start) : -1;
        if (at >= 0 && url.IndexOf(':', start, at - start) is var colon and >= 0) url = url[..colon] + url[at..];
        var query = url.IndexOf('?', StringComparison.Ordinal);
        if (query >= 0)
        {
            var parts = url[(query + 1)..].Split('&').Where(p => !p.StartsWith("password=", StringComparison.OrdinalIgnoreCase));
            url = url[..query] + (parts.Any() ? "?" + string.Join('&', parts) : "");
        }
        return url;
    }
}
