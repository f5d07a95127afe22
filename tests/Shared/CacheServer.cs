using Garnet;

namespace AspireGateway.Tests;

/// <summary>
/// A real Redis-protocol server for a test run: the Redis named by <c>ConnectionStrings__cache</c>
/// when CI sets it, else an embedded Garnet server on a free loopback port.
/// </summary>
public sealed class CacheServer : IDisposable
{
    private readonly GarnetServer? _embedded;

    public CacheServer()
    {
        var configured = Environment.GetEnvironmentVariable("ConnectionStrings__cache");
        if (!string.IsNullOrWhiteSpace(configured))
        {
            ConnectionString = configured;
            return;
        }

        var port = Ports.FreeLoopback();
        _embedded = new GarnetServer(["--port", port.ToString(System.Globalization.CultureInfo.InvariantCulture), "--bind", "127.0.0.1", "--lua", "--lua-transaction-mode", "--memory", "128m", "--index", "16m"]);
        _embedded.Start();
        ConnectionString = $"127.0.0.1:{port}";
    }

    public string ConnectionString { get; }

    /// <summary>Which kind of server answers, for test output.</summary>
    public string Kind => _embedded is null ? "redis (ConnectionStrings__cache)" : "embedded Garnet";

    public void Dispose() => _embedded?.Dispose();
}
