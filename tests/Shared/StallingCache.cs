using StackExchange.Redis;

namespace AspireGateway.Tests;

/// <summary>
/// A cache that is slow or hung, not one that is down: a <see cref="StallingHop"/> in front of a
/// real cache server. Services reach it through <see cref="ConnectionString"/>, whose short
/// timeouts make a stall a timeout within a second.
/// </summary>
public sealed class StallingCache : IAsyncDisposable
{
    private readonly StallingHop _hop;

    public StallingCache(CacheServer cache, bool stalled = false)
    {
        var target = ConfigurationOptions.Parse(cache.ConnectionString);
        _hop = new StallingHop(target.EndPoints[0], stalled);
        target.EndPoints.Clear();
        target.EndPoints.Add(_hop.EndPoint);
        target.AsyncTimeout = target.SyncTimeout = 1000;
        target.ConnectTimeout = 1000;
        target.AbortOnConnectFail = false;
        ConnectionString = target.ToString();
    }

    public string ConnectionString { get; }

    /// <summary>From now on no byte passes in either direction until <see cref="Resume"/>.</summary>
    public void Stall() => _hop.Stall();

    public void Resume() => _hop.Resume();

    public ValueTask DisposeAsync() => _hop.DisposeAsync();
}
