using StackExchange.Redis;

namespace AspireGateway.Tests;

public static class CacheAssertions
{
    /// <summary>The keys in the cache that match a glob pattern, read with SCAN.</summary>
    public static async Task<IReadOnlyList<string>> KeysAsync(string connectionString, string pattern)
    {
        // Generous timeouts: the embedded cache shares the test process's thread pool with parallel tests.
        var options = ConfigurationOptions.Parse(connectionString);
        options.SyncTimeout = options.AsyncTimeout = 20_000;
        await using var connection = await ConnectionMultiplexer.ConnectAsync(options);
        var server = connection.GetServers()[0];
        var keys = new List<string>();
        await foreach (var key in server.KeysAsync(pattern: pattern))
        {
            keys.Add(key.ToString());
        }

        return keys;
    }
}
