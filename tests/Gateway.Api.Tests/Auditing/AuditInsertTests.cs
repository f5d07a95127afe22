using AspireGateway.Tests;
using Gateway.Api.Auditing;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Hosting;

namespace Gateway.Api.Tests.Auditing;

/// <summary>
/// The records' INSERT. On SQLite the writer binds values on the connection's own handle instead
/// of through <c>SqliteCommand</c>; what it stores must be what the command stored, value for value
/// and type for type, or EF Core's queries (the receipt lookup by time, the admin filters) and the
/// offline verifier would read the log differently from how it was written.
/// </summary>
public sealed class AuditInsertTests
{
    private static readonly string[] Columns =
    [
        "leaf_index", "leaf_hash", "format", "time", "source", "event", "request_id", "trace_id", "actor", "client_id",
        "client_ip", "method", "route", "path", "status", "outcome", "reason", "latency_micros", "session_id",
        "source_event_id", "key_thumbprint",
    ];

    [Fact]
    public async Task TheWritersInsertStoresEveryValueAsTheProvidersCommandDoes()
    {
        await using var viaWriter = new TestDatabase("gateway-audit-insert");
        await using var viaCommand = new TestDatabase("gateway-audit-insert");

        await InsertAsync(viaWriter, (db, records, sql) => AuditInsert.ExecuteAsync(db, records, sql));
        await InsertAsync(viaCommand, AuditInsert.ExecuteCommandAsync);

        var stored = await StoredAsync(viaWriter);
        Assert.Equal(Records().Count, stored.Count);
        Assert.Equal(await StoredAsync(viaCommand), stored);
    }

    [Fact]
    public async Task RecordsTheWriterInsertedReadBackThroughEfCoreAndAreFoundByTheirTime()
    {
        await using var database = new TestDatabase("gateway-audit-insert");
        await InsertAsync(database, (db, records, sql) => AuditInsert.ExecuteAsync(db, records, sql));

        await using var db = AuditDatabase.Context(database);
        var read = await db.Records.AsNoTracking().OrderBy(r => r.LeafIndex).ToListAsync();
        Assert.Equal(Records().Select(Fields), read.Select(Fields));
        foreach (var record in Records())
        {
            // The receipt lookup: an equality on the indexed time column, compared by the provider.
            Assert.Contains(record.LeafIndex, await db.Records.Where(r => r.Time == record.Time).Select(r => r.LeafIndex).ToListAsync());
        }
    }

    private static async Task InsertAsync(TestDatabase database, Func<AuditDbContext, IReadOnlyList<AuditRecord>, string, Task> insert)
    {
        await using var db = AuditDatabase.Context(database);
        await db.MigrateStoreAsync(CancellationToken.None);
        await using var transaction = await db.Database.BeginTransactionAsync();
        await insert(db, Records(), AuditInsert.Sql(db));
        await transaction.CommitAsync();
    }

    /// <summary>Every column as the engine holds it: SQLite's typed literal (<c>quote</c>), PostgreSQL's text.</summary>
    private static async Task<List<string>> StoredAsync(TestDatabase database)
    {
        var values = database.File is null
            ? string.Join(" || '|' || ", Columns.Select(c => $"coalesce(\"{c}\"::text, 'NULL')"))
            : string.Join(" || '|' || ", Columns.Select(c => $"quote(\"{c}\")"));
        await using var connection = await database.OpenAsync();
        await using var command = TestDatabase.Command(connection, $"SELECT {values} FROM audit_records ORDER BY leaf_index");
        await using var reader = await command.ExecuteReaderAsync();
        var rows = new List<string>();
        while (await reader.ReadAsync())
        {
            rows.Add(reader.GetString(0));
        }

        return rows;
    }

    private static string Fields(AuditRecord r) => string.Join("|",
        r.LeafIndex, r.LeafHash, r.Format, r.Time.ToString("O"), r.Time.Kind, r.Source, r.Event, r.RequestId, r.TraceId, r.Actor,
        r.ClientId, r.ClientIp, r.Method, r.Route, r.Path, r.Status, r.Outcome, r.Reason, r.LatencyMicros, r.SessionId,
        r.SourceEventId, r.KeyThumbprint);

    /// <summary>Nulls, empty text, text past the writer's first buffer, characters of 2 to 4 UTF-8 bytes, whole seconds and single microseconds.</summary>
    private static List<AuditRecord> Records()
    {
        var second = new DateTime(2026, 12, 3, 10, 0, 0, DateTimeKind.Utc);
        return
        [
            Record(0, second, r => { }),
            Record(1, second.AddTicks(10), r => (r.Path, r.Actor, r.Reason) = (string.Concat(Enumerable.Repeat("/€ü", 400)), "ädmin 🔑", string.Empty)),
            Record(2, second.AddTicks(9_999_990), r => (r.Status, r.LatencyMicros, r.SourceEventId, r.SessionId) = (null, null, long.MaxValue, "sid-1")),
            Record(3, second.AddSeconds(59.5), r => (r.ClientId, r.ClientIp, r.Method, r.Route, r.RequestId, r.TraceId, r.KeyThumbprint) = (null, null, null, null, null, null, new string('k', 43))),
        ];
    }

    private static AuditRecord Record(long leaf, DateTime time, Action<AuditRecord> vary)
    {
        var record = AuditRecord.From(new AuditEntry(
            time, AuditSources.Gateway, AuditSources.HttpRequestEvent, "req-" + leaf, "4bf92f3577b34da6a3ce929d0e0e4736",
            "trader-" + leaf, "gateway-web", "127.0.0.1", "GET", "trading-read", "/api/v1/trading/quotes/AAPL", 200,
            AuditOutcomes.Allowed, null, 850 + leaf, null, null));
        vary(record);
        record.LeafIndex = leaf;
        record.LeafHash = AuditLeaf.Hash(record);
        return record;
    }
}
