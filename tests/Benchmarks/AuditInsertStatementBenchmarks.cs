using BenchmarkDotNet.Attributes;
using Gateway.Api.Auditing;
using Microsoft.EntityFrameworkCore;

namespace Benchmarks;

/// <summary>
/// What each audit group pays for the text of its records' INSERT: before, the table and the 21
/// column names looked up in EF Core's model and quoted by the provider on every group; now, the
/// text the store built on its first group. A real SQLite context; the statement is not run.
/// </summary>
[MemoryDiagnoser]
public class AuditInsertStatementBenchmarks
{
    private string _folder = null!;
    private SqliteAuditDbContext _db = null!;
    private string? _sql;

    [GlobalSetup]
    public void Setup()
    {
        _folder = Directory.CreateTempSubdirectory("audit-insert-bench-").FullName;
        var options = new DbContextOptionsBuilder<SqliteAuditDbContext>()
            .UseSqlite($"Data Source={Path.Combine(_folder, "audit.db")}").Options;
        _db = new SqliteAuditDbContext(options);
    }

    [GlobalCleanup]
    public void Cleanup()
    {
        _db.Dispose();
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        Directory.Delete(_folder, recursive: true);
    }

    [Benchmark(Baseline = true, Description = "before: built from the EF model per group")]
    public string FromModel() => AuditInsert.Sql(_db);

    [Benchmark(Description = "after: built once per store")]
    public string Cached() => _sql ??= AuditInsert.Sql(_db);
}
