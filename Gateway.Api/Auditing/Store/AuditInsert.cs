using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Infrastructure;
using Microsoft.EntityFrameworkCore.Storage;

namespace Gateway.Api.Auditing;

/// <summary>
/// Inserts a group with one parameterized INSERT, prepared once and run per record on the
/// context's own connection and transaction. EF Core's change tracker costs several times more
/// per row, and the writer shares the CPU with the requests it audits. Table and column names
/// come from the EF model, quoted by the provider, so the statement follows the migrations; the
/// store builds the text once (<see cref="Sql"/>), not per group: 21 column-name lookups through
/// EF Core's metadata per group were a steady share of the writer's work.
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

    public static async Task ExecuteAsync(AuditDbContext db, IReadOnlyList<AuditRecord> records, string sql)
    {
        if (records.Count == 0)
        {
            return;
        }

        await using var command = AuditSql.Command(db, sql);
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

    /// <summary>The INSERT from the model's table and column names, quoted by the provider.</summary>
    public static string Sql(AuditDbContext db)
    {
        var entity = db.Model.FindEntityType(typeof(AuditRecord))!;
        var sql = db.GetService<ISqlGenerationHelper>();
        var columns = Columns.Select(c => sql.DelimitIdentifier(entity.FindProperty(c.Property)!.GetColumnName()));
        return $"INSERT INTO {sql.DelimitIdentifier(entity.GetTableName()!)} ({string.Join(", ", columns)}) "
            + $"VALUES ({string.Join(", ", Columns.Select((_, i) => "@p" + i))})";
    }
}
