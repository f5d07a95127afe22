using BenchmarkDotNet.Attributes;
using Gateway.Api.Auditing;
using Microsoft.EntityFrameworkCore;

namespace Benchmarks;

/// <summary>
/// The records' INSERT of one full audit group (1,000 typical proxied reads, the writer's
/// <see cref="AuditOptions.MaxGroupSize"/>) on a real SQLite file, inside a transaction that is
/// rolled back so that every operation inserts the same leaves. Side by side: one execution of
/// <c>SqliteCommand</c> per record (how the writer ran it before, and still does on PostgreSQL) and
/// the statement bound and stepped on the connection's SQLite handle. The commit's fsync is the
/// same either way and is left out.
/// </summary>
[MemoryDiagnoser]
public class AuditInsertBenchmarks
{
    private AuditBenchmarkFile _file = null!;
    private List<AuditRecord> _records = null!;
    private string _sql = null!;

    [GlobalSetup]
    public void Setup()
    {
        _file = new AuditBenchmarkFile();
        using var db = new SqliteAuditDbContext(_file.Options);
        _sql = AuditInsert.Sql(db);
        var time = AuditLeaf.Truncate(DateTimeOffset.UtcNow);
        _records = [.. Enumerable.Range(0, 1_000).Select(i =>
        {
            var record = AuditRecord.From(new AuditEntry(
                time.AddTicks(i * 1_930), AuditSources.Gateway, AuditSources.HttpRequestEvent, Guid.NewGuid().ToString("N"),
                "4bf92f3577b34da6a3ce929d0e0e4736", "9b2f5c1e-6a4d-4f0e-8f5e-2d7c1a3b4e5f", "gateway-web", "127.0.0.1", "GET",
                "trading-read", "/api/v1/trading/quotes/AAPL", 200, AuditOutcomes.Allowed, null, 850 + i, null, null));
            record.LeafIndex = i;
            record.LeafHash = AuditLeaf.Hash(record);
            return record;
        })];
    }

    [GlobalCleanup]
    public void Cleanup() => _file.Dispose();

    [Benchmark(Baseline = true, Description = "before: SqliteCommand per record")]
    public Task Command() => InsertAsync(AuditInsert.ExecuteCommandAsync);

    [Benchmark(Description = "after: bound and stepped on the SQLite handle")]
    public Task Handle() => InsertAsync(AuditInsert.ExecuteAsync);

    private async Task InsertAsync(Func<AuditDbContext, IReadOnlyList<AuditRecord>, string, Task> insert)
    {
        await using var db = new SqliteAuditDbContext(_file.Options);
        await using var transaction = await db.Database.BeginTransactionAsync();
        await insert(db, _records, _sql);
        await transaction.RollbackAsync();
    }
}
