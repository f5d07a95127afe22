using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Infrastructure;
using Microsoft.EntityFrameworkCore.Storage;

namespace Gateway.Api.Auditing;

/// <summary>
/// Inserts a group with one parameterized INSERT, prepared once and run per record on the
/// context's own connection and transaction. EF Core's change tracker costs several times more
/// per row, and the writer shares the CPU with the requests it audits. Table and column names
/// come from the EF model, quoted by the provider, so the statement follows the migrations.
/// </summary>
internal static class AuditInsert
{
    private static readonly (string Property, Func<AuditRecord, object?> Value)[] Columns =
    [
        (nameof(AuditRecord.LeafIndex), r => r.LeafIndex),
        (nameof(AuditRecord.LeafHash), r => r.LeafHash),
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
        (nameof(AuditRecord.KeyThumbprint), r => r.KeyThumbprint),
    ];

    public static async Task ExecuteAsync(AuditDbContext db, IReadOnlyList<AuditRecord> records)
    {
        if (records.Count == 0)
        {
            return;
        }

        var entity = db.Model.FindEntityType(typeof(AuditRecord))!;
        var sql = db.GetService<ISqlGenerationHelper>();
        var columns = Columns.Select(c => sql.DelimitIdentifier(entity.FindProperty(c.Property)!.GetColumnName()));
        await using var command = AuditSql.Command(db, $"INSERT INTO {sql.DelimitIdentifier(entity.GetTableName()!)} ({string.Join(", ", columns)}) "
            + $"VALUES ({string.Join(", ", Columns.Select((_, i) => "@p" + i))})");
        var parameters = Columns.Select((_, i) =>
        {
            var parameter = command.CreateParameter();
            parameter.ParameterName = "@p" + i;
            command.Parameters.Add(parameter);
            return parameter;
        }).ToArray();

        foreach (var record in records)
        {
            for (var i = 0; i < Columns.Length; i++)
            {
                parameters[i].Value = Columns[i].Value(record) ?? DBNull.Value;
            }

            await command.ExecuteNonQueryAsync();
        }
    }
}
