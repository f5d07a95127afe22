using System.Globalization;
using Garnet;

namespace AspireGateway.Tests;

/// <summary>
/// A Garnet server of a test's own, in the test process, on a loopback port: a test that stops
/// the cache (and starts it again on the same port) touches no other test.
/// </summary>
public static class OwnCache
{
    public static GarnetServer Start(int port, bool lua = false)
    {
        string[] args = ["--port", port.ToString(CultureInfo.InvariantCulture), "--bind", "127.0.0.1", "--memory", "64m", "--index", "16m"];
        var server = new GarnetServer(lua ? [.. args, "--lua", "--lua-transaction-mode"] : args);
        server.Start();
        return server;
    }

    /// <summary>The connection string of the server on <paramref name="port"/>.</summary>
    public static string Address(int port) => $"127.0.0.1:{port}";
}
