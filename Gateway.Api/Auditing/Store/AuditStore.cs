using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;

namespace Gateway.Api.Auditing;

/// <summary>
/// Appends to the one log that every replica shares. Each append is one transaction that first
/// locks the log's head row, so appends from all processes take turns: leaf indexes are handed
/// out without gaps or collisions, the right edge of the tree is carried forward in that row, and
/// a checkpoint is signed in the same transaction when one is due. After the commit a new
/// checkpoint is also copied outside the store (<see cref="CheckpointCopies"/>).
/// </summary>
internal sealed class AuditStore(
    IDbContextFactory<AuditDbContext> contexts,
    CheckpointSigner signer,
    CheckpointCopies copies,
    IOptions<AuditOptions> options,
    TimeProvider time)
{
    public const string IdentityCursor = "identity-events";

    /// <summary>At most this many leaves written without the head (those of the former chains) are folded in per transaction.</summary>
    private const int CatchUpChunk = 5_000;

    private readonly SemaphoreSlim _migration = new(1, 1);
    private volatile bool _migrated;
    private DateTimeOffset _lastCheckpoint = DateTimeOffset.MinValue;
    private string? _insertSql; // one provider per store, so one text

    /// <summary>This process appended leaves that no checkpoint it knows of covers yet.</summary>
    public bool CheckpointOwed { get; private set; }

    /// <summary>A time-based checkpoint is due for leaves this process appended.</summary>
    public bool CheckpointDue => CheckpointOwed && time.GetUtcNow() - _lastCheckpoint >= options.Value.CheckpointInterval;

    /// <summary>Applies migrations once, the first time the store is used, and brings the head up to every stored leaf.</summary>
    public async Task EnsureSchemaAsync(CancellationToken cancellationToken)
    {
        if (_migrated)
        {
            return;
        }

        await _migration.WaitAsync(cancellationToken);
        try
        {
            if (!_migrated)
            {
                await using (var db = await contexts.CreateDbContextAsync(cancellationToken))
                {
                    await db.MigrateStoreAsync(cancellationToken);
                }

                while (await CatchUpAsync())
                {
                }

                _migrated = true;
            }
        }
        finally
        {
            _migration.Release();
        }
    }

    /// <summary>
    /// Gives <paramref name="entries"/> the next leaf indexes and commits them in one transaction,
    /// together with the cursors they move: identity's last imported event id and, when replaying,
    /// the spill file offset. Identity events at or below the stored id are already in the log and
    /// are skipped. With no entries it only signs a checkpoint, if one is due; with
    /// <paramref name="checkpoint"/> one is signed whenever the tree has grown since the last.
    /// </summary>
    public async Task<int> AppendAsync(IReadOnlyList<AuditEntry> entries, AuditCursor? progress, bool checkpoint = false)
    {
        await EnsureSchemaAsync(CancellationToken.None);
        await using var db = await contexts.CreateDbContextAsync();
        await using var transaction = await db.Database.BeginTransactionAsync();
        var frontier = await AuditSql.LockHeadAsync(db);
        var nodes = new List<AuditNode>();
        if (await AuditSql.AnyLeafFromAsync(db, frontier.Size) && await FoldStrayLeavesAsync(db, frontier, nodes) == CatchUpChunk)
        {
            throw new InvalidOperationException("The audit log is still folding in leaves written before it; the group waits.");
        }

        // Every replica imports identity's events. The head lock already makes appends take turns;
        // on PostgreSQL the cursor row is locked too, so the next importer reads the moved cursor
        // and skips what is recorded.
        long? imported = entries.Any(e => e.SourceEventId is not null) ? await AuditSql.ReadCursorAsync(db, IdentityCursor, lockRow: true) : null;
        var lastImported = imported;
        var records = new List<AuditRecord>(entries.Count);
        foreach (var entry in entries)
        {
            if (entry.SourceEventId is { } eventId)
            {
                if (eventId <= lastImported)
                {
                    continue;
                }

                lastImported = eventId;
            }

            var record = AuditRecord.From(entry);
            var leafHash = AuditLeaf.HashBytes(record);
            record.LeafIndex = frontier.Size;
            record.LeafHash = Convert.ToHexStringLower(leafHash);
            frontier.Append(leafHash, Keep(nodes));
            records.Add(record);
        }

        await AuditInsert.ExecuteAsync(db, records, _insertSql ??= AuditInsert.Sql(db));
        await AuditSql.InsertNodesAsync(db, nodes);
        var signed = await CheckpointIfDueAsync(db, frontier, checkpoint);
        await AuditSql.SaveHeadAsync(db, frontier);
        if (lastImported != imported)
        {
            await AuditSql.SetCursorAsync(db, IdentityCursor, lastImported!.Value);
        }

        if (progress is not null)
        {
            await AuditSql.SetCursorAsync(db, progress.Name, progress.Value);
        }

        await transaction.CommitAsync();

        CheckpointOwed = signed is null && (CheckpointOwed || records.Count > 0);
        if (signed is not null)
        {
            _lastCheckpoint = time.GetUtcNow();
            await copies.PublishAsync(signed);
        }

        return records.Count;
    }

    public async Task<long> ReadCursorAsync(string name, CancellationToken cancellationToken)
    {
        await EnsureSchemaAsync(cancellationToken);
        await using var db = await contexts.CreateDbContextAsync(cancellationToken);
        await db.Database.OpenConnectionAsync(cancellationToken);
        return await AuditSql.ReadCursorAsync(db, name, lockRow: false, cancellationToken);
    }

    public async Task ForgetCursorAsync(string name)
    {
        await using var db = await contexts.CreateDbContextAsync();
        await db.Cursors.Where(c => c.Name == name).ExecuteDeleteAsync();
    }

    /// <summary>One chunk of catch-up in its own transaction; true while more may be left.</summary>
    private async Task<bool> CatchUpAsync()
    {
        await using var db = await contexts.CreateDbContextAsync();
        await using var transaction = await db.Database.BeginTransactionAsync();
        var frontier = await AuditSql.LockHeadAsync(db);
        if (!await AuditSql.AnyLeafFromAsync(db, frontier.Size))
        {
            return false;
        }

        var nodes = new List<AuditNode>();
        var folded = await FoldStrayLeavesAsync(db, frontier, nodes);

        await AuditSql.InsertNodesAsync(db, nodes);
        await AuditSql.SaveHeadAsync(db, frontier);
        await transaction.CommitAsync();
        return folded == CatchUpChunk;
    }

    /// <summary>
    /// Leaves stored beyond the head: the records of the former hash chains, which the migration
    /// numbered as the first leaves. They are hashed from their content (format 1) and folded in.
    /// </summary>
    private static async Task<int> FoldStrayLeavesAsync(AuditDbContext db, MerkleFrontier frontier, List<AuditNode> nodes)
    {
        var size = frontier.Size;
        var strays = await db.Records.AsNoTracking().Where(r => r.LeafIndex >= size).OrderBy(r => r.LeafIndex).Take(CatchUpChunk).ToListAsync();
        foreach (var record in strays)
        {
            if (record.LeafIndex != frontier.Size)
            {
                throw new InvalidOperationException($"The audit log has leaf {record.LeafIndex} but no leaf {frontier.Size}; run the audit verification.");
            }

            frontier.Append(record.LeafHash is { } stored ? Convert.FromHexString(stored) : AuditLeaf.HashBytes(record), Keep(nodes));
        }

        return strays.Count;
    }

    private static Action<Subtree, byte[]> Keep(List<AuditNode> nodes) => (subtree, hash) =>
    {
        if (subtree.Level % AuditNode.Stride == 0)
        {
            nodes.Add(new AuditNode { Level = subtree.Level, Position = subtree.Index, Hash = Convert.ToHexStringLower(hash) });
        }
    };

    /// <summary>Every <see cref="AuditOptions.CheckpointEvery"/> leaves, or once <see cref="AuditOptions.CheckpointInterval"/> has passed since the last.</summary>
    private async Task<AuditCheckpoint?> CheckpointIfDueAsync(AuditDbContext db, MerkleFrontier frontier, bool now)
    {
        var (lastSize, lastTime) = await AuditSql.LastCheckpointAsync(db) ?? (0, DateTimeOffset.MinValue);
        if (frontier.Size <= lastSize)
        {
            return null;
        }

        if (!now && frontier.Size - lastSize < options.Value.CheckpointEvery && time.GetUtcNow() - lastTime < options.Value.CheckpointInterval)
        {
            return null;
        }

        var checkpoint = signer.Sign(frontier.Size, Convert.ToHexStringLower(frontier.Root()), time.GetUtcNow());
        await AuditSql.InsertCheckpointAsync(db, checkpoint);
        return checkpoint;
    }
}
