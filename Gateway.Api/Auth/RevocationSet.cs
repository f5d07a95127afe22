using System.Collections.Concurrent;
using StackExchange.Redis;

namespace Gateway.Api.Auth;

/// <summary>
/// The sessions that ended (identity's protocol: key <c>revoked:sid:{sid}</c> with a TTL as long as
/// the session's tokens can live, plus a <c>revocations</c> pub/sub notice). Kept in process memory
/// so that checking a token costs a dictionary lookup, not a cache round trip; fed by the channel
/// within milliseconds on every replica, and reconciled from the keys on start, on reconnect and
/// every <see cref="ReconcileInterval"/> so a missed notice is repaired.
/// </summary>
internal sealed partial class RevocationSet(IConnectionMultiplexer cache, TimeProvider time, ILogger<RevocationSet> logger, SecurityMetrics? metrics = null) : BackgroundService
{
    public static readonly TimeSpan ReconcileInterval = TimeSpan.FromSeconds(30);

    // How long after the last successful reconcile the set is still trusted while the cache is unreachable.
    private static readonly TimeSpan TrustWindow = TimeSpan.FromSeconds(60);

    private readonly ConcurrentDictionary<string, DateTimeOffset> _revoked = new(StringComparer.Ordinal);
    private static readonly TimeSpan StartupWait = TimeSpan.FromSeconds(5);
    private long _lastReconciledTicks;
    private int _subscribed;

    /// <summary>False when the set may be missing revocations: the cache cannot be reached and the last reconcile is old.</summary>
    public bool IsCurrent => cache.IsConnected && time.GetUtcNow() - new DateTimeOffset(Interlocked.Read(ref _lastReconciledTicks), TimeSpan.Zero) < TrustWindow;

    public bool IsRevoked(string? sessionId) =>
        sessionId is not null && _revoked.TryGetValue(sessionId, out var until) && until > time.GetUtcNow();

    public void Add(string sessionId, TimeSpan ttl)
    {
        var until = time.GetUtcNow() + ttl;
        if (_revoked.TryAdd(sessionId, until))
        {
            metrics?.RevocationApplied();
        }
        else
        {
            _revoked[sessionId] = until;
        }
    }

    public async Task ReconcileAsync(CancellationToken cancellationToken)
    {
        var database = cache.GetDatabase();
        foreach (var server in cache.GetServers().Where(s => s.IsConnected && !s.IsReplica))
        {
            await foreach (var key in server.KeysAsync(pattern: RevocationProtocol.KeyPrefix + "*", pageSize: 1000).WithCancellation(cancellationToken))
            {
                var ttl = await database.KeyTimeToLiveAsync(key);
                Add(key.ToString()[RevocationProtocol.KeyPrefix.Length..], ttl ?? TimeSpan.FromMinutes(10));
            }
        }

        var now = time.GetUtcNow();
        foreach (var (sid, until) in _revoked)
        {
            if (until <= now)
            {
                _revoked.TryRemove(sid, out _);
            }
        }

        Interlocked.Exchange(ref _lastReconciledTicks, now.UtcTicks);
    }

    /// <summary>
    /// Subscribes and loads the current set before the gateway serves its first request, so that a
    /// fresh replica neither refuses writes nor accepts a revoked token while it catches up.
    /// </summary>
    public override async Task StartAsync(CancellationToken cancellationToken)
    {
        cache.ConnectionRestored += (_, _) => _ = CatchUpAsync(CancellationToken.None);
        using var bounded = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        bounded.CancelAfter(StartupWait);
        await CatchUpAsync(bounded.Token);
        await base.StartAsync(cancellationToken);
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(ReconcileInterval, time);
        while (await timer.WaitForNextTickAsync(stoppingToken))
        {
            await CatchUpAsync(stoppingToken);
        }
    }

    private async Task CatchUpAsync(CancellationToken cancellationToken)
    {
        try
        {
            if (Interlocked.Exchange(ref _subscribed, 1) == 0)
            {
                await cache.GetSubscriber().SubscribeAsync(RedisChannel.Literal(RevocationProtocol.Channel), (_, message) =>
                {
                    if (!message.IsNullOrEmpty)
                    {
                        Add(message.ToString(), TimeSpan.FromMinutes(10));
                    }
                });
            }
        }
        catch (Exception ex) when (ex.IsCacheFailure())
        {
            Interlocked.Exchange(ref _subscribed, 0); // try again on the next reconnect or tick
            LogReconcileFailed(logger, ex);
            return;
        }

        await SafeReconcileAsync(cancellationToken);
    }

    private async Task SafeReconcileAsync(CancellationToken cancellationToken)
    {
        try
        {
            await ReconcileAsync(cancellationToken);
        }
        catch (Exception ex) when (ex.IsCacheFailure())
        {
            LogReconcileFailed(logger, ex);
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Could not reconcile revoked sessions from the cache; writes are refused until it succeeds")]
    private static partial void LogReconcileFailed(ILogger logger, Exception exception);
}

internal static class RevocationExtensions
{
    public static IHostApplicationBuilder AddRevocation(this IHostApplicationBuilder builder)
    {
        builder.Services.AddSingleton<RevocationSet>();
        builder.Services.AddHostedService(services => services.GetRequiredService<RevocationSet>());
        return builder;
    }
}
