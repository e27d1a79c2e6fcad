using Microsoft.Data.Sqlite;

namespace Atelier.Experiments;

/// <summary>
/// Opens a SQLite file that several processes share (the run store, the study storage): no pooling, a 60 s busy
/// timeout, WAL for writers. Readers never create or change the file.
/// </summary>
internal static class SqliteFiles
{
    /// <param name="path">the file's full path; a writer makes its folder when missing.</param>
    /// <param name="readOnly">open the file as it is, for readers.</param>
    public static SqliteConnection Open(string path, bool readOnly)
    {
        if (!readOnly) Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        var connection = new SqliteConnection(new SqliteConnectionStringBuilder
        {
            DataSource = path,
            Pooling = false,
            Mode = readOnly ? SqliteOpenMode.ReadOnly : SqliteOpenMode.ReadWriteCreate,
            DefaultTimeout = 60,
        }.ToString());
        try
        {
            connection.Open();
            // The busy timeout first: switching to WAL takes a lock that another process may hold for a moment.
            Pragma(connection, "PRAGMA busy_timeout=60000;");
            if (!readOnly) Pragma(connection, "PRAGMA journal_mode=WAL;");
            return connection;
        }
        catch
        {
            connection.Dispose();
            throw;
        }
    }

    private static void Pragma(SqliteConnection connection, string sql)
    {
        using var command = connection.CreateCommand();
        command.CommandText = sql;
        command.ExecuteNonQuery();
    }
}
