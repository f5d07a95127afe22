using BenchmarkDotNet.Attributes;
using Gateway.Api.Auditing;
using Microsoft.EntityFrameworkCore;

namespace Benchmarks;

/// <summary>
/// The bookkeeping statements of one audit group commit, on a real SQLite file, inside a
/// transaction that is rolled back so that every operation finds the same log: lock and read the
/// head, look for leaves beyond it, read the identity cursor, insert two tree nodes, read the newest
/// checkpoint, write the head and move the cursor. Side by side: those statements as EF Core LINQ
/// (how the store ran them before: ExecuteUpdate, SingleAsync, a Take query, the change tracker and
/// SaveChanges) and as the plain SQL of <see cref="AuditSql"/>. The records' own INSERT and the
/// commit's fsync are the same either way and are left out.
/// </summary>
[MemoryDiagnoser]
public class AuditGroupStatementsBenchmarks
{
    private const string Cursor = "identity-events";
    private AuditBenchmarkFile _file = null!;

    [GlobalSetup]
    public void Setup()
    {
        _file = new AuditBenchmarkFile();
        using var db = new SqliteAuditDbContext(_file.Options);
        db.Cursors.Add(new AuditCursor { Name = Cursor, Value = 41 });
        db.Checkpoints.Add(new AuditCheckpoint { TreeSize = 990, LogId = new string('a', 64), RootHash = new string('b', 64), Time = DateTime.UtcNow, Signature = "c2ln" });
        db.SaveChanges();
    }

    [GlobalCleanup]
    public void Cleanup() => _file.Dispose();

    [Benchmark(Baseline = true, Description = "before: EF Core LINQ + SaveChanges")]
    public async Task<long> EfCore()
    {
        await using var db = new SqliteAuditDbContext(_file.Options);
        await using var transaction = await db.Database.BeginTransactionAsync();
        await db.Heads.Where(h => h.Id == AuditLogHead.SingleId).ExecuteUpdateAsync(set => set.SetProperty(h => h.Size, h => h.Size));
        var head = await db.Heads.AsNoTracking().SingleAsync(h => h.Id == AuditLogHead.SingleId);
        var size = head.Size;
        var strays = await db.Records.AsNoTracking().Where(r => r.LeafIndex >= size).OrderBy(r => r.LeafIndex).Take(5_000).ToListAsync();
        var imported = await db.Cursors.AsNoTracking().Where(c => c.Name == Cursor).Select(c => (long?)c.Value).FirstOrDefaultAsync() ?? 0;
        db.Nodes.AddRange(Nodes(size));
        var last = await db.Checkpoints.AsNoTracking().OrderByDescending(c => c.TreeSize).Select(c => new { c.TreeSize, c.Time }).FirstOrDefaultAsync();
        await db.Heads.Where(h => h.Id == AuditLogHead.SingleId)
            .ExecuteUpdateAsync(set => set.SetProperty(h => h.Size, size + 2).SetProperty(h => h.Frontier, string.Empty));
        var cursor = await db.Cursors.FindAsync(Cursor);
        cursor!.Value = imported + 1;
        await db.SaveChangesAsync();
        await transaction.RollbackAsync();
        return strays.Count + (last?.TreeSize ?? 0);
    }

    [Benchmark(Description = "after: plain SQL (AuditSql)")]
    public async Task<long> PlainSql()
    {
        await using var db = new SqliteAuditDbContext(_file.Options);
        await using var transaction = await db.Database.BeginTransactionAsync();
        var frontier = await AuditSql.LockHeadAsync(db);
        var size = frontier.Size;
        var strays = await AuditSql.AnyLeafFromAsync(db, size);
        var imported = await AuditSql.ReadCursorAsync(db, Cursor, lockRow: true);
        await AuditSql.InsertNodesAsync(db, Nodes(size));
        var last = await AuditSql.LastCheckpointAsync(db);
        await AuditSql.SaveHeadAsync(db, frontier);
        await AuditSql.SetCursorAsync(db, Cursor, imported + 1);
        await transaction.RollbackAsync();
        return (strays ? 1 : 0) + (last?.TreeSize ?? 0);
    }

    private static AuditNode[] Nodes(long size) =>
    [
        new() { Level = 0, Position = size, Hash = new string('d', 64) },
        new() { Level = 4, Position = size / 16, Hash = new string('e', 64) },
    ];
}
