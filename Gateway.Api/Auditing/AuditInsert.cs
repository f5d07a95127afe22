using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Infrastructure;
using Microsoft.EntityFrameworkCore.Storage;

namespace Gateway.Api.Auditing;

/// <summary>
/// Inserts a group with parameterized multi-row INSERTs of <see cref="RowsPerStatement"/> records,
/// each statement prepared once per group and run on the context's own connection and
/// transaction. EF Core's change tracker costs several times more per row, and the writer shares
/// the CPU with the requests it audits. Table and column names come from the EF model, quoted by
/// the provider, so the statement follows the migrations.
/// </summary>
internal static class AuditInsert
{
    private static readonly (string Property, Func<AuditRecord, object?> Value)[] Columns =
    [
        (nameof(AuditRecord.ChainId), r => r.ChainId),
        (nameof(AuditRecord.Seq), r => r.Seq),
        (nameof(AuditRecord.Format), r => r.Format),
        (nameof(AuditRecord.Time), r => r.Time),
        (nameof(AuditRecord.Source), r => r.Source),
        (nameof(AuditRecord.Event), r => r.Event),
        (nameof(AuditRecord.RequestId), r => r.RequestId),
        (nameof(AuditRecord.TraceId), r => r.TraceId),
        (nameof(AuditRecord.Actor), r => r.Actor),
        (nameof(AuditRecord.ClientId), r => r.ClientId),
        (nameof(AuditRecord.ClientIp), r => r.ClientIp),
        (nameof(AuditRecord.Method), r => r.Method),
        (nameof(AuditRecord.Route), r => r.Route),
        (nameof(AuditRecord.Path), r => r.Path),
        (nameof(AuditRecord.Status), r => r.Status),
        (nameof(AuditRecord.Outcome), r => r.Outcome),
        (nameof(AuditRecord.Reason), r => r.Reason),
        (nameof(AuditRecord.LatencyMicros), r => r.LatencyMicros),
        (nameof(AuditRecord.SessionId), r => r.SessionId),
        (nameof(AuditRecord.SourceEventId), r => r.SourceEventId),
        (nameof(AuditRecord.PrevHash), r => r.PrevHash),
        (nameof(AuditRecord.Hash), r => r.Hash),
    ];

    /// <summary>22 columns x 32 rows: far below SQLite's 32,766 parameters per statement.</summary>
    public const int RowsPerStatement = 32;

    public static async Task ExecuteAsync(AuditDbContext db, IReadOnlyList<AuditRecord> records)
    {
        var full = records.Count / RowsPerStatement * RowsPerStatement;
        if (full > 0)
        {
            await InsertAsync(db, records, 0, full, RowsPerStatement);
        }

        if (records.Count > full)
        {
            await InsertAsync(db, records, full, records.Count - full, records.Count - full);
        }
    }

    // Runs one statement of `rows` rows as many times as `count` records need.
    private static async Task InsertAsync(AuditDbContext db, IReadOnlyList<AuditRecord> records, int start, int count, int rows)
    {
        var entity = db.Model.FindEntityType(typeof(AuditRecord))!;
        var sql = db.GetService<ISqlGenerationHelper>();
        var columns = Columns.Select(c => sql.DelimitIdentifier(entity.FindProperty(c.Property)!.GetColumnName()));
        await using var command = db.Database.GetDbConnection().CreateCommand();
        command.Transaction = db.Database.CurrentTransaction?.GetDbTransaction();
        command.CommandTimeout = db.Database.GetCommandTimeout() ?? command.CommandTimeout;
        var values = Enumerable.Range(0, rows).Select(row => "(" + string.Join(", ", Columns.Select((_, i) => $"@p{row}_{i}")) + ")");
        command.CommandText = $"INSERT INTO {sql.DelimitIdentifier(entity.GetTableName()!)} ({string.Join(", ", columns)}) VALUES {string.Join(", ", values)}";
        var parameters = new System.Data.Common.DbParameter[rows * Columns.Length];
        for (var p = 0; p < parameters.Length; p++)
        {
            parameters[p] = command.CreateParameter();
            parameters[p].ParameterName = $"@p{p / Columns.Length}_{p % Columns.Length}";
            command.Parameters.Add(parameters[p]);
        }

        for (var offset = start; offset < start + count; offset += rows)
        {
            for (var p = 0; p < parameters.Length; p++)
            {
                parameters[p].Value = Columns[p % Columns.Length].Value(records[offset + (p / Columns.Length)]) ?? DBNull.Value;
            }

            await command.ExecuteNonQueryAsync();
        }
    }
}
