using System.Threading.Channels;
using Microsoft.Extensions.Options;

namespace Gateway.Api.Auditing;

/// <summary>
/// The bounded channel between requests and the one writer. A request never waits on it: when
/// it is full (the writer is behind even though it spills to disk), the record waits for room
/// on its own task, and the channel lets waiting records in first-come first-served, so order holds.
/// </summary>
internal sealed partial class AuditQueue(IOptions<AuditOptions> options, AuditMetrics metrics, ILogger<AuditQueue> logger)
{
    private readonly Channel<AuditEntry> _channel = Channel.CreateBounded<AuditEntry>(new BoundedChannelOptions(options.Value.QueueCapacity)
    {
        SingleReader = true,
        FullMode = BoundedChannelFullMode.Wait,
    });

    private int _waiting;

    public int Count => _channel.Reader.Count;

    /// <summary>Nothing queued and nothing waiting for room.</summary>
    public bool IsEmpty => _channel.Reader.Count == 0 && Volatile.Read(ref _waiting) == 0;

    public ChannelReader<AuditEntry> Reader => _channel.Reader;

    public void Enqueue(AuditEntry entry)
    {
        if (_channel.Writer.TryWrite(entry))
        {
            metrics.Enqueued(entry.Source);
            return;
        }

        metrics.Overflowed();
        Interlocked.Increment(ref _waiting);
        _ = WaitForRoomAsync(entry);
    }

    /// <summary>For background producers, which may wait.</summary>
    public async ValueTask EnqueueAsync(AuditEntry entry, CancellationToken cancellationToken)
    {
        await _channel.Writer.WriteAsync(entry, cancellationToken);
        metrics.Enqueued(entry.Source);
    }

    public void Complete() => _channel.Writer.TryComplete();

    private async Task WaitForRoomAsync(AuditEntry entry)
    {
        try
        {
            await _channel.Writer.WriteAsync(entry);
            metrics.Enqueued(entry.Source);
        }
        catch (ChannelClosedException)
        {
            metrics.Dropped(1, "queue_closed");
            LogDropped(logger, entry.RequestId);
        }
        finally
        {
            Interlocked.Decrement(ref _waiting);
        }
    }

    [LoggerMessage(Level = LogLevel.Error, Message = "Audit record of request {RequestId} was dropped: it arrived after the audit writer stopped")]
    private static partial void LogDropped(ILogger logger, string? requestId);
}
