using Gateway.Api.Auditing;
using Microsoft.EntityFrameworkCore;

namespace Benchmarks;

/// <summary>A real, migrated SQLite audit store in a folder of its own, removed with its pooled connections.</summary>
internal sealed class AuditBenchmarkFile : IDisposable
{
    private readonly string _folder = Directory.CreateTempSubdirectory("audit-bench-").FullName;

    public AuditBenchmarkFile()
    {
        Options = new DbContextOptionsBuilder<SqliteAuditDbContext>()
            .UseSqlite($"Data Source={Path.Combine(_folder, "audit.db")}").Options;
        using var db = new SqliteAuditDbContext(Options);
        db.Database.Migrate();
    }

    public DbContextOptions<SqliteAuditDbContext> Options { get; }

    public void Dispose()
    {
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        Directory.Delete(_folder, recursive: true);
    }
}
