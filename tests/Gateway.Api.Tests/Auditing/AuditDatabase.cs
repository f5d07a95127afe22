using System.Data.Common;
using System.Diagnostics;
using System.Text;
using AspireGateway.Tests;
using Gateway.Api.Auditing;
using Microsoft.EntityFrameworkCore;
using Npgsql;

namespace Gateway.Api.Tests.Auditing;

/// <summary>The audit store as an auditor (or an attacker) sees it: plain SQL on a connection of its own.</summary>
public static class AuditDatabase
{
    public static readonly TimeSpan Patience = TimeSpan.FromSeconds(30);

    public static async Task<List<StoredRecord>> ReadAsync(TestDatabase database, string where = "1 = 1")
    {
        if (database.File is { } file && !File.Exists(file))
        {
            return [];
        }

        await using var connection = await database.OpenAsync();
        await using var command = TestDatabase.Command(connection, $"""
            SELECT id, leaf_index, leaf_hash, source, event, request_id, trace_id, actor, client_id, client_ip,
                   method, route, path, status, outcome, reason, latency_micros, session_id, source_event_id
            FROM audit_records WHERE {where} ORDER BY id
            """);
        var records = new List<StoredRecord>();
        try
        {
            await using var reader = await command.ExecuteReaderAsync();
            while (await reader.ReadAsync())
            {
                records.Add(new StoredRecord(
                    reader.GetInt64(0), reader.GetInt64(1), Text(reader, 2), reader.GetString(3), reader.GetString(4),
                    Text(reader, 5), Text(reader, 6), reader.GetString(7), Text(reader, 8), Text(reader, 9), Text(reader, 10),
                    Text(reader, 11), Text(reader, 12), reader.IsDBNull(13) ? null : reader.GetInt32(13), reader.GetString(14),
                    Text(reader, 15), reader.IsDBNull(16) ? null : reader.GetInt64(16), Text(reader, 17),
                    reader.IsDBNull(18) ? null : reader.GetInt64(18)));
            }
        }
        catch (DbException ex) when (ex.Message.Contains("no such table", StringComparison.Ordinal) || ex is PostgresException { SqlState: PostgresErrorCodes.UndefinedTable })
        {
            return [];
        }

        return records;
    }

    /// <summary>Reads until <paramref name="done"/> holds (the writer commits in groups), or gives up after <see cref="Patience"/>.</summary>
    public static async Task<List<StoredRecord>> WaitForAsync(TestDatabase database, Func<List<StoredRecord>, bool> done, string where = "1 = 1")
    {
        var clock = Stopwatch.StartNew();
        while (true)
        {
            var records = await ReadAsync(database, where);
            if (done(records) || clock.Elapsed > Patience)
            {
                return records;
            }

            await Task.Delay(100);
        }
    }

    public static async Task WaitUntilAsync(Func<bool> condition)
    {
        var clock = Stopwatch.StartNew();
        while (!condition() && clock.Elapsed < Patience)
        {
            await Task.Delay(50);
        }
    }

    public static Task<int> ExecuteAsync(TestDatabase database, string sql) => database.ExecuteAsync(sql);

    /// <summary>What an attacker with write access runs first: the append-only triggers out of the way.</summary>
    public static string Unlock(TestDatabase database) => database.File is null
        ? "ALTER TABLE audit_records DISABLE TRIGGER USER; ALTER TABLE audit_checkpoints DISABLE TRIGGER USER; ALTER TABLE audit_nodes DISABLE TRIGGER USER;"
        : string.Concat(new[] { "audit_records", "audit_checkpoints", "audit_nodes" }.Select(table => $"DROP TRIGGER IF EXISTS {table}_no_update; DROP TRIGGER IF EXISTS {table}_no_delete;"));

    /// <summary>
    /// Holds the store's write lock until disposed, as a long-running transaction would: an exclusive
    /// transaction on the SQLite file; on PostgreSQL a lock on the table that lets readers through.
    /// </summary>
    public static async Task<IAsyncDisposable> LockAsync(TestDatabase database)
    {
        var connection = await database.OpenAsync(pooled: false);
        await using var command = TestDatabase.Command(connection, database.File is null
            ? "BEGIN; LOCK TABLE audit_records IN EXCLUSIVE MODE;"
            : "BEGIN EXCLUSIVE;");
        await command.ExecuteNonQueryAsync();
        return new Lock(connection);
    }

    /// <summary>Ends the locking transaction and closes its own connection, which no pool keeps.</summary>
    private sealed class Lock(DbConnection connection) : IAsyncDisposable
    {
        public async ValueTask DisposeAsync()
        {
            await using (var rollback = TestDatabase.Command(connection, "ROLLBACK;"))
            {
                await rollback.ExecuteNonQueryAsync();
            }

            await connection.DisposeAsync();
        }
    }

    /// <summary>
    /// A database to verify offline: a consistent copy of the SQLite file, as an export would be;
    /// on PostgreSQL the connection string of the database itself.
    /// </summary>
    public static async Task<string> ExportAsync(TestDatabase database)
    {
        if (database.File is not { } file)
        {
            return database.ConnectionString;
        }

        var copy = Path.Combine(Path.GetDirectoryName(file)!, $"export-{Guid.NewGuid():N}.db");
        await database.ExecuteAsync($"VACUUM INTO '{copy}'");
        return copy;
    }

    /// <summary>A context on the store, for code that reads records the way the gateway does.</summary>
    internal static AuditDbContext Context(TestDatabase database) => database.File is null
        ? new PostgresAuditDbContext(new DbContextOptionsBuilder<PostgresAuditDbContext>().UseNpgsql(database.ConnectionString).Options)
        : new SqliteAuditDbContext(new DbContextOptionsBuilder<SqliteAuditDbContext>().UseSqlite(database.ConnectionString + ";Pooling=False").Options);

    /// <summary>Everything the store keeps: every byte on disk (SQLite file and log), or every row as text.</summary>
    public static async Task<string> StoredTextAsync(TestDatabase database)
    {
        if (database.File is { } file)
        {
            return Encoding.UTF8.GetString([.. new[] { file, file + "-wal" }.Where(File.Exists).SelectMany(ReadShared)]);
        }

        var text = new StringBuilder();
        await using var connection = await database.OpenAsync();
        await using var command = TestDatabase.Command(connection,
            "SELECT row_to_json(r)::text FROM audit_records AS r UNION ALL SELECT row_to_json(c)::text FROM audit_cursors AS c");
        await using var rows = await command.ExecuteReaderAsync();
        while (await rows.ReadAsync())
        {
            text.Append(rows.GetString(0));
        }

        return text.ToString();
    }

    private static byte[] ReadShared(string file)
    {
        using var stream = new FileStream(file, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete);
        using var memory = new MemoryStream();
        stream.CopyTo(memory);
        return memory.ToArray();
    }

    private static string? Text(DbDataReader reader, int ordinal) => reader.IsDBNull(ordinal) ? null : reader.GetString(ordinal);
}

public sealed record StoredRecord(
    long Id,
    long LeafIndex,
    string? LeafHash,
    string Source,
    string Event,
    string? RequestId,
    string? TraceId,
    string Actor,
    string? ClientId,
    string? ClientIp,
    string? Method,
    string? Route,
    string? Path,
    int? Status,
    string Outcome,
    string? Reason,
    long? LatencyMicros,
    string? SessionId,
    long? SourceEventId);
