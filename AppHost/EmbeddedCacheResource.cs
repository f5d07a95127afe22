using Garnet;

namespace AppHost;

/// <summary>A Redis-protocol server (Microsoft Garnet) running inside the AppHost process.</summary>
internal sealed class EmbeddedCacheResource(string name, int port) : Resource(name), IResourceWithConnectionString
{
    public int Port { get; } = port;

    public string ConnectionString => $"127.0.0.1:{Port}";

    public ReferenceExpression ConnectionStringExpression => ReferenceExpression.Create($"{ConnectionString}");
}

/// <summary>
/// Owns the Garnet server of an <see cref="EmbeddedCacheResource"/>: started before the services,
/// stoppable from the dashboard (to watch the services turn unhealthy), disposed with the AppHost.
/// Garnet speaks RESP, Lua and pub/sub but has no streams: nothing in the solution uses streams.
/// </summary>
internal sealed class EmbeddedCacheServer(EmbeddedCacheResource resource) : IDisposable
{
    public const string StopCommand = "cache-stop";
    public const string StartCommand = "cache-start";

    private readonly SemaphoreSlim _gate = new(1, 1);
    private GarnetServer? _server;

    public async Task StartAsync(ResourceNotificationService notifications)
    {
        await _gate.WaitAsync().ConfigureAwait(false);
        try
        {
            if (_server is null)
            {
                _server = new GarnetServer(
                [
                    "--port", resource.Port.ToString(System.Globalization.CultureInfo.InvariantCulture),
                    "--bind", "127.0.0.1",
                    "--lua",
                    // Garnet runs scripts concurrently unless told otherwise; every script here
                    // (rate limits, login throttle) relies on Redis's rule that a script is atomic.
                    "--lua-transaction-mode",
                    // Development data only: small in-memory log and index, nothing written to disk.
                    "--memory", "256m",
                    "--index", "16m",
                ]);
                _server.Start();
            }
        }
        finally
        {
            _gate.Release();
        }

        await notifications.PublishUpdateAsync(resource, state => state with
        {
            State = KnownResourceStates.Running,
            StartTimeStamp = DateTime.UtcNow,
            StopTimeStamp = null,
        }).ConfigureAwait(false);
    }

    public async Task StopAsync(ResourceNotificationService notifications)
    {
        await _gate.WaitAsync().ConfigureAwait(false);
        try
        {
            _server?.Dispose();
            _server = null;
        }
        finally
        {
            _gate.Release();
        }

        await notifications.PublishUpdateAsync(resource, state => state with
        {
            State = KnownResourceStates.Exited,
            StopTimeStamp = DateTime.UtcNow,
        }).ConfigureAwait(false);
    }

    public void Dispose()
    {
        _server?.Dispose();
        _gate.Dispose();
    }
}
