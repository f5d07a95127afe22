using System.Diagnostics;
using Microsoft.Data.Sqlite;

namespace Gateway.Api.Tests.Auditing;

/// <summary>The audit file as an auditor (or an attacker) sees it: plain SQL on a connection of its own.</summary>
public static class AuditDatabase
{
    public static readonly TimeSpan Patience = TimeSpan.FromSeconds(30);

    public static SqliteConnection Open(string path, SqliteOpenMode mode = SqliteOpenMode.ReadWrite)
    {
        var connection = new SqliteConnection(new SqliteConnectionStringBuilder
        {
            DataSource = path,
            Mode = mode,
            Pooling = false,
            DefaultTimeout = 30,
        }.ToString());
        connection.Open();
        return connection;
    }

    public static async Task<List<StoredRecord>> ReadAsync(string path, string where = "1 = 1")
    {
        if (!File.Exists(path))
        {
            return [];
        }

        await using var connection = Open(path);
        await using var command = connection.CreateCommand();
        command.CommandText = $"""
            SELECT id, chain_id, seq, source, event, request_id, trace_id, actor, client_id, client_ip,
                   method, route, path, status, outcome, reason, latency_micros, session_id, source_event_id
            FROM audit_records WHERE {where} ORDER BY id
            """;
        var records = new List<StoredRecord>();
        try
        {
            await using var reader = await command.ExecuteReaderAsync();
            while (await reader.ReadAsync())
            {
                records.Add(new StoredRecord(
                    reader.GetInt64(0), reader.GetString(1), reader.GetInt64(2), reader.GetString(3), reader.GetString(4),
                    Text(reader, 5), Text(reader, 6), reader.GetString(7), Text(reader, 8), Text(reader, 9), Text(reader, 10),
                    Text(reader, 11), Text(reader, 12), reader.IsDBNull(13) ? null : reader.GetInt32(13), reader.GetString(14),
                    Text(reader, 15), reader.IsDBNull(16) ? null : reader.GetInt64(16), Text(reader, 17),
                    reader.IsDBNull(18) ? null : reader.GetInt64(18)));
            }
        }
        catch (SqliteException ex) when (ex.Message.Contains("no such table", StringComparison.Ordinal))
        {
            return [];
        }

        return records;
    }

    /// <summary>Reads until <paramref name="done"/> holds (the writer commits in groups), or gives up after <see cref="Patience"/>.</summary>
    public static async Task<List<StoredRecord>> WaitForAsync(string path, Func<List<StoredRecord>, bool> done, string where = "1 = 1")
    {
        var clock = Stopwatch.StartNew();
        while (true)
        {
            var records = await ReadAsync(path, where);
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

    public static async Task<int> ExecuteAsync(string path, string sql)
    {
        await using var connection = Open(path);
        await using var command = connection.CreateCommand();
        command.CommandText = sql;
        return await command.ExecuteNonQueryAsync();
    }

    /// <summary>A consistent copy of a live database, as an export for offline verification would be.</summary>
    public static async Task<string> ExportAsync(string path)
    {
        var copy = Path.Combine(Path.GetDirectoryName(path)!, $"export-{Guid.NewGuid():N}.db");
        await ExecuteAsync(path, $"VACUUM INTO '{copy}'");
        return copy;
    }

    /// <summary>Every byte the database keeps on disk (main file and write-ahead log).</summary>
    public static byte[] RawBytes(string path) =>
        [.. new[] { path, path + "-wal" }.Where(File.Exists).SelectMany(ReadShared)];

    private static byte[] ReadShared(string file)
    {
        using var stream = new FileStream(file, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete);
        using var memory = new MemoryStream();
        stream.CopyTo(memory);
        return memory.ToArray();
    }

    private static string? Text(SqliteDataReader reader, int ordinal) => reader.IsDBNull(ordinal) ? null : reader.GetString(ordinal);
}

public sealed record StoredRecord(
    long Id,
    string ChainId,
    long Seq,
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
