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
    private AuditBenchmarkFile _file = null!;
    private SqliteAuditDbContext _db = null!;
    private string? _sql;

    [GlobalSetup]
    public void Setup()
    {
        _file = new AuditBenchmarkFile();
        _db = new SqliteAuditDbContext(_file.Options);
    }

    [GlobalCleanup]
    public void Cleanup()
    {
        _db.Dispose();
        _file.Dispose();
    }

    [Benchmark(Baseline = true, Description = "before: built from the EF model per group")]
    public string FromModel() => AuditInsert.Sql(_db);

    [Benchmark(Description = "after: built once per store")]
    public string Cached() => _sql ??= AuditInsert.Sql(_db);
}
