using System.Globalization;
using System.Text;
using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Infrastructure;
using Microsoft.EntityFrameworkCore.Storage;
using SQLitePCL;

namespace Gateway.Api.Auditing;

/// <summary>
/// Inserts a group with one parameterized INSERT, prepared once and run per record on the
/// context's own connection and transaction. EF Core's change tracker costs several times more
/// per row, and the writer shares the CPU with the requests it audits. Table and column names
/// come from the EF model, quoted by the provider, so the statement follows the migrations; the
/// store builds the text once (<see cref="Sql"/>), not per group.
/// <para>
/// On SQLite the statement runs on the connection's own SQLite handle, bound by position
/// (<see cref="SqliteRows"/>): through <c>SqliteCommand</c> every record also paid for a data
/// reader, a binder object per parameter, and a lookup of each parameter's name in the statement.
/// The values are bound exactly as <c>SqliteCommand</c> binds them, so EF Core reads and queries
/// the rows as its own. PostgreSQL keeps the command.
/// </para>
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

        if (db.Database.GetDbConnection() is SqliteConnection { Handle: { } handle })
        {
            SqliteRows.Insert(handle, sql, records);
            return;
        }

        await ExecuteCommandAsync(db, records, sql);
    }

    /// <summary>Through the provider's command, one execution per record (PostgreSQL; SQLite before its own path).</summary>
    public static async Task ExecuteCommandAsync(AuditDbContext db, IReadOnlyList<AuditRecord> records, string sql)
    {
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

    /// <summary>The INSERT from the model's table and column names, quoted by the provider; parameters <c>@p0</c>… in column order.</summary>
    public static string Sql(AuditDbContext db)
    {
        var entity = db.Model.FindEntityType(typeof(AuditRecord))!;
        var sql = db.GetService<ISqlGenerationHelper>();
        var columns = Columns.Select(c => sql.DelimitIdentifier(entity.FindProperty(c.Property)!.GetColumnName()));
        return $"INSERT INTO {sql.DelimitIdentifier(entity.GetTableName()!)} ({string.Join(", ", columns)}) "
            + $"VALUES ({string.Join(", ", Columns.Select((_, i) => "@p" + i))})";
    }

    /// <summary>
    /// The INSERT on the SQLite handle itself: prepared once per group, each record's values bound
    /// by position (<c>@p0</c> is parameter 1: SQLite numbers named parameters in order of first
    /// appearance), stepped and reset. It runs inside the transaction the context has open.
    /// </summary>
    private static class SqliteRows
    {
        // Microsoft.Data.Sqlite's text form of a DateTime parameter; EF Core's SQLite mapping writes and compares the same.
        private const string TimeFormat = @"yyyy\-MM\-dd HH\:mm\:ss.FFFFFFF";

        /// <remarks>
        /// No retry on <c>SQLITE_BUSY</c>: the transaction took SQLite's write lock with its first
        /// statement (the head lock), and in WAL mode nothing else can take it from a writer.
        /// </remarks>
        public static void Insert(sqlite3 handle, string sql, IReadOnlyList<AuditRecord> records)
        {
            Check(raw.sqlite3_prepare_v2(handle, sql, out var statement), handle);
            using (statement)
            {
                if (raw.sqlite3_bind_parameter_count(statement) != Columns.Length)
                {
                    throw new InvalidOperationException("The audit INSERT does not have one parameter per column.");
                }

                var text = new byte[1024];
                foreach (var record in records)
                {
                    for (var i = 0; i < Columns.Length; i++)
                    {
                        Check(Bind(statement, i + 1, Columns[i].Value(record), ref text), handle);
                    }

                    var done = raw.sqlite3_step(statement);
                    raw.sqlite3_reset(statement);
                    if (done != raw.SQLITE_DONE)
                    {
                        Check(done, handle);
                    }
                }
            }
        }

        private static int Bind(sqlite3_stmt statement, int index, object? value, ref byte[] text) => value switch
        {
            null => raw.sqlite3_bind_null(statement, index),
            long number => raw.sqlite3_bind_int64(statement, index, number),
            int number => raw.sqlite3_bind_int64(statement, index, number),
            // An empty span has no address, and SQLite would take it for NULL.
            "" => raw.sqlite3_bind_text(statement, index, string.Empty),
            string s => raw.sqlite3_bind_text(statement, index, Utf8(s, ref text)),
            DateTime time => raw.sqlite3_bind_text(statement, index, Utf8(time, ref text)),
            _ => throw new InvalidOperationException($"The audit INSERT cannot bind a {value.GetType().Name}."),
        };

        private static ReadOnlySpan<byte> Utf8(string value, ref byte[] buffer)
        {
            if (Encoding.UTF8.GetMaxByteCount(value.Length) > buffer.Length)
            {
                buffer = new byte[Encoding.UTF8.GetMaxByteCount(value.Length)];
            }

            return buffer.AsSpan(0, Encoding.UTF8.GetBytes(value, buffer));
        }

        private static ReadOnlySpan<byte> Utf8(DateTime value, ref byte[] buffer)
        {
            value.TryFormat(buffer, out var length, TimeFormat, CultureInfo.InvariantCulture);
            return buffer.AsSpan(0, length);
        }

        private static void Check(int rc, sqlite3 handle)
        {
            if (rc != raw.SQLITE_OK)
            {
                SqliteException.ThrowExceptionForRC(rc, handle);
            }
        }
    }
}
