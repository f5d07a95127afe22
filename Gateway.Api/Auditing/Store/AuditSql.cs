using System.Data.Common;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Storage;

namespace Gateway.Api.Auditing;

/// <summary>
/// The statements of a group commit, as plain SQL on the context's own connection and transaction.
/// Each runs once per group; through EF Core's query pipeline every group also paid for LINQ
/// translation and expression trees, and a fresh gateway compiled some 3,000 EF Core methods for
/// them while the requests it audits waited for the same core. The text is the same on SQLite and
/// PostgreSQL: the columns are the snake_case names the model gives every property (and that
/// auditors read with plain SQL), quoted because some are keywords, and both engines know
/// <c>RETURNING</c> and <c>ON CONFLICT</c>.
/// </summary>
internal static class AuditSql
{
    /// <summary>
    /// Takes the head row for this transaction and reads it in the same statement: an UPDATE that
    /// changes nothing is a row lock on PostgreSQL and the write lock on SQLite.
    /// </summary>
    public static async Task<MerkleFrontier> LockHeadAsync(AuditDbContext db)
    {
        await using var command = Command(db, """UPDATE audit_log SET "size" = "size" WHERE "id" = @id RETURNING "size", "frontier" """, ("@id", AuditLogHead.SingleId));
        await using var reader = await command.ExecuteReaderAsync();
        if (!await reader.ReadAsync())
        {
            throw new InvalidOperationException("The audit log has no head row; run the migrations.");
        }

        return MerkleFrontier.Parse(reader.GetInt64(0), reader.GetString(1));
    }

    public static async Task SaveHeadAsync(AuditDbContext db, MerkleFrontier frontier)
    {
        await using var command = Command(db, """UPDATE audit_log SET "size" = @size, "frontier" = @frontier WHERE "id" = @id""",
            ("@size", frontier.Size), ("@frontier", frontier.ToString()), ("@id", AuditLogHead.SingleId));
        await command.ExecuteNonQueryAsync();
    }

    /// <summary>Whether any record is stored at or beyond <paramref name="size"/>, that is, not yet folded into the head.</summary>
    public static async Task<bool> AnyLeafFromAsync(AuditDbContext db, long size)
    {
        await using var command = Command(db, """SELECT 1 FROM audit_records WHERE "leaf_index" >= @size LIMIT 1""", ("@size", size));
        return await command.ExecuteScalarAsync() is not null;
    }

    /// <summary>The cursor's value, 0 when it was never set; with <paramref name="lockRow"/>, its row is locked on PostgreSQL.</summary>
    public static async Task<long> ReadCursorAsync(AuditDbContext db, string name, bool lockRow, CancellationToken cancellationToken = default)
    {
        var forUpdate = lockRow && db.Database.IsNpgsql() ? " FOR UPDATE" : string.Empty;
        await using var command = Command(db, """SELECT "value" FROM audit_cursors WHERE "name" = @name""" + forUpdate, ("@name", name));
        return await command.ExecuteScalarAsync(cancellationToken) is { } value and not DBNull ? Convert.ToInt64(value, System.Globalization.CultureInfo.InvariantCulture) : 0;
    }

    public static async Task SetCursorAsync(AuditDbContext db, string name, long value)
    {
        await using var command = Command(db,
            """INSERT INTO audit_cursors ("name", "value") VALUES (@name, @value) ON CONFLICT ("name") DO UPDATE SET "value" = excluded."value" """,
            ("@name", name), ("@value", value));
        await command.ExecuteNonQueryAsync();
    }

    public static async Task InsertNodesAsync(AuditDbContext db, IReadOnlyList<AuditNode> nodes)
    {
        if (nodes.Count == 0)
        {
            return;
        }

        await using var command = Command(db, """INSERT INTO audit_nodes ("level", "position", "hash") VALUES (@level, @position, @hash)""",
            ("@level", 0), ("@position", 0L), ("@hash", string.Empty));
        foreach (var node in nodes)
        {
            (command.Parameters[0].Value, command.Parameters[1].Value, command.Parameters[2].Value) = (node.Level, node.Position, node.Hash);
            await command.ExecuteNonQueryAsync();
        }
    }

    /// <summary>The size and time of the newest checkpoint, or null before the first.</summary>
    public static async Task<(long TreeSize, DateTimeOffset Time)?> LastCheckpointAsync(AuditDbContext db)
    {
        await using var command = Command(db, """SELECT "tree_size", "time" FROM audit_checkpoints ORDER BY "tree_size" DESC LIMIT 1""");
        await using var reader = await command.ExecuteReaderAsync();
        return await reader.ReadAsync()
            ? (reader.GetInt64(0), new DateTimeOffset(DateTime.SpecifyKind(reader.GetDateTime(1), DateTimeKind.Utc)))
            : null;
    }

    public static async Task InsertCheckpointAsync(AuditDbContext db, AuditCheckpoint checkpoint)
    {
        await using var command = Command(db,
            """INSERT INTO audit_checkpoints ("tree_size", "log_id", "root_hash", "time", "signature") VALUES (@size, @log, @root, @time, @signature)""",
            ("@size", checkpoint.TreeSize), ("@log", checkpoint.LogId), ("@root", checkpoint.RootHash), ("@time", checkpoint.Time), ("@signature", checkpoint.Signature));
        await command.ExecuteNonQueryAsync();
    }

    /// <summary>A command on the context's connection, in its transaction, with its command timeout.</summary>
    public static DbCommand Command(AuditDbContext db, string text, params (string Name, object Value)[] parameters)
    {
        var command = db.Database.GetDbConnection().CreateCommand();
        command.Transaction = db.Database.CurrentTransaction?.GetDbTransaction();
        command.CommandTimeout = db.Database.GetCommandTimeout() ?? command.CommandTimeout;
        command.CommandText = text;
        foreach (var (name, value) in parameters)
        {
            var parameter = command.CreateParameter();
            parameter.ParameterName = name;
            parameter.Value = value;
            command.Parameters.Add(parameter);
        }

        return command;
    }
}
