using System.Security.Cryptography;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;

namespace Gateway.Api.Auditing;

/// <summary>
/// Appends to this process's chain. One chain per writer (see <see cref="AuditOptions.ChainId"/>):
/// replicas never coordinate and a cache outage cannot stop auditing. Should two writers share a
/// configured chain id, the unique (chain_id, seq) index fails the second commit, whose group is
/// spilled and appended again after the head is re-read: interleaved, never forked.
/// </summary>
internal sealed class AuditStore(IDbContextFactory<AuditDbContext> contexts, IOptions<AuditOptions> options, TimeProvider time)
{
    public const string IdentityCursor = "identity-events";

    private readonly SemaphoreSlim _migration = new(1, 1);
    private volatile bool _migrated;
    private (long Seq, string Hash)? _head;

    public string ChainId { get; } = options.Value.ChainId is { Length: > 0 } configured
        ? configured
        : $"{Environment.MachineName}-{time.GetUtcNow():yyyyMMdd'T'HHmmss'Z'}-{Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(3))}";

    /// <summary>Applies migrations once, the first time the store is used.</summary>
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
                await using var db = await contexts.CreateDbContextAsync(cancellationToken);
                await db.MigrateStoreAsync(cancellationToken);

                _migrated = true;
            }
        }
        finally
        {
            _migration.Release();
        }
    }

    /// <summary>
    /// Chains and commits <paramref name="entries"/> in one transaction, together with the cursors
    /// they move: identity's last imported event id and, when replaying, the spill file offset.
    /// Identity events at or below the stored id are already in the store and are skipped.
    /// </summary>
    public async Task<int> AppendAsync(IReadOnlyList<AuditEntry> entries, AuditCursor? progress)
    {
        var committed = false;
        try
        {
            await EnsureSchemaAsync(CancellationToken.None);
            await using var db = await contexts.CreateDbContextAsync();
            var (seq, prev) = _head ??= await LoadHeadAsync(db);
            await using var transaction = await db.Database.BeginTransactionAsync();
            long? imported = entries.Any(e => e.SourceEventId is not null) ? await LockCursorAsync(db, IdentityCursor) : null;
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

                var record = AuditRecord.Chain(entry, ChainId, ++seq, prev);
                prev = record.Hash;
                records.Add(record);
            }

            await AuditInsert.ExecuteAsync(db, records);

            if (lastImported != imported)
            {
                await SetCursorAsync(db, IdentityCursor, lastImported!.Value);
            }

            if (progress is not null)
            {
                await SetCursorAsync(db, progress.Name, progress.Value);
            }

            await db.SaveChangesAsync();
            await transaction.CommitAsync();
            _head = (seq, prev);
            committed = true;
            return records.Count;
        }
        finally
        {
            // After any failure the head is read again from the store, whatever the commit's fate.
            if (!committed)
            {
                _head = null;
            }
        }
    }

    public async Task<long> ReadCursorAsync(string name, CancellationToken cancellationToken)
    {
        await EnsureSchemaAsync(cancellationToken);
        await using var db = await contexts.CreateDbContextAsync(cancellationToken);
        return await ReadCursorAsync(db, name, cancellationToken);
    }

    public async Task ForgetCursorAsync(string name)
    {
        await using var db = await contexts.CreateDbContextAsync();
        await db.Cursors.Where(c => c.Name == name).ExecuteDeleteAsync();
    }

    private async Task<(long, string)> LoadHeadAsync(AuditDbContext db)
    {
        var head = await db.Records.AsNoTracking()
            .Where(r => r.ChainId == ChainId)
            .OrderByDescending(r => r.Seq)
            .Select(r => new { r.Seq, r.Hash })
            .FirstOrDefaultAsync();
        return head is null ? (0, AuditChain.Genesis) : (head.Seq, head.Hash);
    }

    private static async Task<long> ReadCursorAsync(AuditDbContext db, string name, CancellationToken cancellationToken = default) =>
        await db.Cursors.AsNoTracking().Where(c => c.Name == name).Select(c => (long?)c.Value).FirstOrDefaultAsync(cancellationToken) ?? 0;

    /// <summary>
    /// Every replica imports identity's events, so the importers take turns: SQLite's write
    /// transaction already excludes the others, and on PostgreSQL the cursor row is locked until the
    /// group commits. The next importer then reads the moved cursor and skips what is recorded.
    /// </summary>
    private static async Task<long> LockCursorAsync(AuditDbContext db, string name)
    {
        if (!db.Database.IsNpgsql())
        {
            return await ReadCursorAsync(db, name);
        }

        var values = await db.Database.SqlQuery<long>($"SELECT value AS \"Value\" FROM audit_cursors WHERE name = {name} FOR UPDATE").ToListAsync();
        return values is [var value] ? value : 0;
    }

    private static async Task SetCursorAsync(AuditDbContext db, string name, long value)
    {
        var cursor = await db.Cursors.FindAsync(name);
        if (cursor is null)
        {
            db.Cursors.Add(new AuditCursor { Name = name, Value = value });
        }
        else
        {
            cursor.Value = value;
        }
    }
}
