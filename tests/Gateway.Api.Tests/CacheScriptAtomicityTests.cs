using AspireGateway.Tests;
using StackExchange.Redis;

namespace Gateway.Api.Tests;

/// <summary>
/// The rate limits and the login throttle read and then write inside one script, which is safe
/// only if the cache runs a script as one step, as Redis does. The embedded Garnet must too.
/// </summary>
public sealed class CacheScriptAtomicityTests : IDisposable
{
    private readonly CacheServer _cache = new();

    [Fact]
    public async Task ThousandsOfReadThenWriteScriptsFromManyConnectionsLoseNoUpdate()
    {
        // Separate connections, as separate gateway replicas and processes have.
        var connections = await Task.WhenAll(Enumerable.Range(0, 32).Select(_ => ConnectionMultiplexer.ConnectAsync(_cache.ConnectionString)));
        var key = "atomicity:" + Guid.NewGuid().ToString("N");
        const string ReadThenWrite = """
            local n = tonumber(redis.call('GET', KEYS[1]) or '0')
            redis.call('SET', KEYS[1], n + 1)
            return n + 1
            """;

        var results = await Task.WhenAll(Enumerable.Range(0, 3000).Select(index => Task.Run(() =>
            connections[index % connections.Length].GetDatabase().ScriptEvaluateAsync(ReadThenWrite, [key]))));

        Assert.Equal(3000, (long)await connections[0].GetDatabase().StringGetAsync(key));
        foreach (var connection in connections)
        {
            await connection.DisposeAsync();
        }

        Assert.Equal(3000, results.Select(result => (long)result).Distinct().Count());
    }

    public void Dispose() => _cache.Dispose();
}
