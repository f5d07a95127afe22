using Microsoft.Extensions.Options;

namespace Gateway.Api.Auditing;

/// <summary>
/// The one writer: every <see cref="AuditOptions.GroupCommitInterval"/>, or sooner once
/// <see cref="AuditOptions.GroupCommitRecords"/> records wait, it takes what the queue holds and
/// commits it as one group. When the store fails, is slow enough for the queue to be
/// half full, or records already wait on disk, the group is appended to the spill file instead
/// (fsync'd), and the spill is replayed in order, chunk by chunk, once the store answers again.
/// It flushes after the server has stopped (<see cref="StoppedAsync"/>), when no request can
/// still add a record.
/// </summary>
internal sealed class AuditWriter(
    AuditQueue queue,
    AuditStore store,
    AuditSpill spill,
    AuditMetrics metrics,
    IOptions<AuditOptions> options,
    TimeProvider time,
    ILogger<AuditWriter> logger) : IHostedLifecycleService, IDisposable
{
    private const int ReplayChunksPerTick = 20;
    private static readonly TimeSpan Look = TimeSpan.FromMilliseconds(50);
    private readonly CancellationTokenSource _stopping = new();
    private readonly List<AuditEntry> _group = [];
    private Task _loop = Task.CompletedTask;
    private DateTimeOffset _retryAt = DateTimeOffset.MinValue;
    private bool _storeDown;
    private int _stopped;

    private bool StoreDue => !_storeDown || time.GetUtcNow() >= _retryAt;

    public async Task StartAsync(CancellationToken cancellationToken)
    {
        if (spill.ClaimOrphans() is > 0 and var claimed)
        {
            AuditLog.Claimed(logger, claimed, spill.Directory);
        }

        // Before the server takes requests: the schema for the admin endpoints, and older records first.
        try
        {
            await store.EnsureSchemaAsync(cancellationToken);
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            StoreDown(ex);
        }

        await ReplayAsync();
        _loop = WriterThread.Run(RunAsync, "audit-writer", options.Value.WriterNiceness);
    }

    public async Task StoppedAsync(CancellationToken cancellationToken)
    {
        // Once: a host stopped a second time, or after the container disposed this writer, has nothing left to flush.
        if (Interlocked.Exchange(ref _stopped, 1) == 0)
        {
            await _stopping.CancelAsync();
        }

        // Not bounded by the host's token: if the store is slow the last groups go to the spill file.
        await _loop;
    }

    public Task StartingAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task StartedAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task StoppingAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    // A container disposed before the host called StoppedAsync (seen with test hosts) still flushes.
    public void Dispose()
    {
        if (Interlocked.Exchange(ref _stopped, 1) == 0)
        {
            _stopping.Cancel();
        }

        _loop.Wait(TimeSpan.FromSeconds(30));
        _stopping.Dispose();
    }

    private async Task RunAsync()
    {
        var settings = options.Value;
        using var timer = new PeriodicTimer(settings.GroupCommitInterval < Look ? settings.GroupCommitInterval : Look, time);
        long? lastRound = null;
        while (true)
        {
            var stopping = _stopping.IsCancellationRequested;
            // Half a look early counts as due: the timer's ticks are not exact.
            var due = lastRound is not { } last || time.GetElapsedTime(last) + Look / 2 >= settings.GroupCommitInterval;
            if (stopping || due || queue.Count >= settings.GroupCommitRecords)
            {
                lastRound = time.GetTimestamp();
                var persisted = await PersistQueuedAsync();
                await ReplayAsync();
                await CheckpointIfDueAsync();
                if (stopping && (_group.Count == 0 ? queue.IsEmpty : !persisted))
                {
                    break;
                }
            }

            try
            {
                await (stopping ? Task.Delay(10, CancellationToken.None) : timer.WaitForNextTickAsync(_stopping.Token).AsTask());
            }
            catch (OperationCanceledException)
            {
                // Stopping: one more round flushes what is left.
            }
        }

        // The last checkpoint covers everything this process appended, so a stop leaves no unsigned tail.
        await CheckpointIfDueAsync(final: true);
        queue.Complete();
        var lost = _group.Count;
        while (queue.Reader.TryRead(out _))
        {
            lost++;
        }

        if (lost > 0)
        {
            metrics.Dropped(lost, "store_and_spill_unavailable");
            AuditLog.Dropped(logger, lost, spill.Directory);
        }
    }

    private async Task<bool> PersistQueuedAsync()
    {
        var max = options.Value.MaxGroupSize;
        do
        {
            while (_group.Count < max && queue.Reader.TryRead(out var entry))
            {
                _group.Add(entry);
            }

            if (_group.Count == 0)
            {
                return true;
            }

            if (!await PersistGroupAsync())
            {
                return false;
            }

            _group.Clear();
        }
        while (queue.Count >= max);
        return true;
    }

    private async Task<bool> PersistGroupAsync()
    {
        var backlog = queue.Count >= options.Value.QueueCapacity / 2;
        if (!spill.HasPending && !backlog && StoreDue)
        {
            try
            {
                metrics.Committed(await store.AppendAsync(_group, progress: null));
                StoreUp();
                return true;
            }
            catch (Exception ex) when (ex is not OperationCanceledException)
            {
                StoreDown(ex);
            }
        }

        try
        {
            spill.Append(_group);
            metrics.Spilled(_group.Count);
            return true;
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            // Kept in memory and tried again next round; the queue fills up meanwhile.
            AuditLog.SpillFailed(logger, _group.Count, spill.Directory, ex);
            return false;
        }
    }

    private async Task ReplayAsync()
    {
        if (!spill.HasPending || !StoreDue)
        {
            return;
        }

        try
        {
            for (var i = 0; i < ReplayChunksPerTick && spill.Oldest is { } file; i++)
            {
                file.Replayed ??= await store.ReadCursorAsync(file.CursorName, CancellationToken.None);
                if (file.Replayed >= file.Length)
                {
                    spill.RetireOldest();
                    await store.ForgetCursorAsync(file.CursorName);
                    continue;
                }

                var chunk = file.Read(file.Replayed.Value, options.Value.MaxGroupSize);
                metrics.Committed(await store.AppendAsync(chunk.Entries, new AuditCursor { Name = file.CursorName, Value = chunk.EndOffset }));
                file.Replayed = chunk.EndOffset;
                if (chunk.Rejected > 0)
                {
                    spill.Rejected += chunk.Rejected;
                    metrics.Rejected(chunk.Rejected);
                    AuditLog.Rejected(logger, chunk.Rejected, file.Path);
                }
            }

            StoreUp();
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            StoreDown(ex);
        }
    }

    /// <summary>Signs a checkpoint over what this process appended once the interval has passed, even when no more records come.</summary>
    private async Task CheckpointIfDueAsync(bool final = false)
    {
        if (!(final ? store.CheckpointOwed : store.CheckpointDue) || spill.HasPending || !StoreDue)
        {
            return;
        }

        try
        {
            await store.AppendAsync([], progress: null, checkpoint: final);
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            StoreDown(ex);
        }
    }

    /// <summary>What the <c>audit</c> health entry reports.</summary>
    public (bool StoreDown, bool Spilling, long RejectedLines) State => (_storeDown, spill.HasPending, spill.Rejected);

    private void StoreDown(Exception exception)
    {
        _retryAt = time.GetUtcNow() + options.Value.RetryInterval;
        if (!_storeDown)
        {
            _storeDown = true;
            AuditLog.StoreDown(logger, spill.Directory, exception);
        }
    }

    private void StoreUp()
    {
        if (_storeDown)
        {
            _storeDown = false;
            AuditLog.StoreBack(logger);
        }
    }
}
