using Atelier.Tuning;
using Xunit;

namespace Atelier.Tests.Tuning.Storage;

public sealed class StudyStoragesTests : IDisposable
{
    private readonly string folder = Path.Combine(Path.GetTempPath(), "atelier-urls-" + Guid.NewGuid().ToString("N"));

    public void Dispose()
    {
        if (Directory.Exists(folder)) Directory.Delete(folder, recursive: true);
    }

    [Fact]
    public void Urls_open_the_storage_they_name()
    {
        using (var memory = StudyStorages.Open("memory")) Assert.IsType<InMemoryStudyStorage>(memory);
        var absolute = Path.Combine(folder, "a", "tuning.db");
        using (var sqlite = StudyStorages.Open("sqlite:///" + absolute))
            Assert.Equal(absolute, Assert.IsType<SqliteStudyStorage>(sqlite).Path);
        Assert.True(File.Exists(absolute));
        using (var plain = StudyStorages.Open(Path.Combine(folder, "b.db"))) Assert.IsType<SqliteStudyStorage>(plain);
        var relative = Path.GetRelativePath(Environment.CurrentDirectory, Path.Combine(folder, "c.db"));
        using (var rel = StudyStorages.Open("sqlite:///" + relative))
            Assert.Equal(Path.Combine(folder, "c.db"), ((SqliteStudyStorage)rel).Path);
        using (var rel = StudyStorages.Open(relative, readOnly: true)) Assert.Equal("sqlite:///" + Path.Combine(folder, "c.db"), rel.Describe);
        Assert.Throws<FileNotFoundException>(() => StudyStorages.Open("sqlite:///" + Path.Combine(folder, "none.db"), readOnly: true));
        Assert.False(File.Exists(Path.Combine(folder, "none.db")));
    }

    [Fact]
    public void A_file_that_is_not_a_study_storage_is_one_sentence()
    {
        Directory.CreateDirectory(folder);
        var path = Path.Combine(folder, "notes.db");
        File.WriteAllText(path, "these are not the tables you are looking for, not by a long way: plain text in a file");
        var e = Assert.Throws<IOException>(() => StudyStorages.Open(path));
        Assert.StartsWith($"The study storage {path} cannot be used: ", e.Message);
    }

    [Theory]
    [InlineData("mysql://u@h/db")]
    [InlineData("redis://h")]
    [InlineData("sqlite:///")]
    public void An_unknown_url_is_refused_with_the_forms_that_work(string url)
    {
        var e = Assert.Throws<ArgumentException>(() => StudyStorages.Open(url));
        Assert.Equal($"Unknown storage URL '{url}': use a SQLite file (sqlite:///runs/tuning.db) or postgresql://user@host:port/db.", e.Message);
    }

    [Theory]
    [InlineData("postgresql://tune:s3cret@db.lan:5433/atelier", "postgresql://tune@db.lan:5433/atelier")]
    [InlineData("postgres://tune:p%40ss@db/atelier?host=/run/pg", "postgres://tune@db/atelier?host=/run/pg")]
    [InlineData("postgresql://tune@db/atelier?password=x&port=1", "postgresql://tune@db/atelier?port=1")]
    [InlineData("postgresql://db/atelier", "postgresql://db/atelier")]
    [InlineData("sqlite:///runs/tuning.db", "sqlite:///runs/tuning.db")]
    public void Redact_drops_the_password(string url, string redacted) => Assert.Equal(redacted, StudyStorages.Redact(url));

    [Fact]
    public void Postgres_urls_parse_as_libpq_and_sqlalchemy_write_them()
    {
        var b = PostgresStudyStorage.ConnectionString("postgresql+psycopg2://tune:p%40ss@db.lan:5433/atelier");
        Assert.Equal(("db.lan", 5433, "atelier", "tune", "p@ss", 5), (b.Host, b.Port, b.Database, b.Username, b.Password, b.Timeout));
        var socket = PostgresStudyStorage.ConnectionString("postgres://tune@/atelier?host=/var/run/postgresql");
        Assert.Equal(("/var/run/postgresql", 5432), (socket.Host, socket.Port));
        foreach (var bad in new[] { "postgresql://tune:secret@db", "postgresql://tune:secret@db:port/x", "postgresql://tune:secret@/x" })
        {
            var e = Assert.Throws<ArgumentException>(() => PostgresStudyStorage.ConnectionString(bad));
            Assert.DoesNotContain("secret", e.Message);
            Assert.Contains("postgresql://tune@", e.Message);
        }
    }

    [Fact]
    public void An_unreachable_server_is_one_sentence_without_the_password()
    {
        var e = Assert.Throws<IOException>(() => StudyStorages.Open("postgresql://tune:secret@127.0.0.1:1/atelier"));
        Assert.Equal("Cannot reach PostgreSQL at postgresql://tune@127.0.0.1:1/atelier: connection refused. Is the server running?", e.Message);
    }

    [PostgresFact]
    public void The_test_server_is_there_and_a_wrong_database_is_named()
    {
        var url = PostgresTestServer.Require();
        using (var storage = StudyStorages.Open(url)) Assert.IsType<PostgresStudyStorage>(storage);
        var wrong = url[..url.LastIndexOf('/')] + "/no_such_db";
        var e = Assert.Throws<IOException>(() => StudyStorages.Open(wrong));
        Assert.Equal($"PostgreSQL at {wrong} has no database 'no_such_db': create it (createdb no_such_db).", e.Message);
    }

    [PostgresFact]
    public void Two_workers_starting_at_once_make_the_tables_once()
    {
        var url = PostgresTestServer.Require();
        var storages = Enumerable.Range(0, 6).AsParallel().Select(_ => new PostgresStudyStorage(url)).ToList();
        foreach (var s in storages) s.Dispose();
    }
}
