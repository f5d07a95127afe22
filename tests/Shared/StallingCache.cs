using System.Net;
using System.Net.Sockets;
using StackExchange.Redis;

namespace AspireGateway.Tests;

/// <summary>
/// A TCP hop in front of a real cache server that can stop passing bytes while every connection
/// stays open: a cache that is slow or hung, not one that is down (a dead cache refuses
/// connections; this one accepts them and never answers). Services reach it through
/// <see cref="ConnectionString"/>, whose short timeouts make a stall a timeout within a second.
/// </summary>
public sealed class StallingCache : IAsyncDisposable
{
    private readonly TcpListener _listener = new(IPAddress.Loopback, 0);
    private readonly CancellationTokenSource _stopping = new();
    private readonly EndPoint _target;
    private readonly Task _accepting;
    private volatile TaskCompletionSource _flowing = Flowing();

    public StallingCache(CacheServer cache, bool stalled = false)
    {
        var target = ConfigurationOptions.Parse(cache.ConnectionString);
        _target = target.EndPoints[0];
        _listener.Start();
        target.EndPoints.Clear();
        target.EndPoints.Add(_listener.LocalEndpoint);
        target.AsyncTimeout = target.SyncTimeout = 1000;
        target.ConnectTimeout = 1000;
        target.AbortOnConnectFail = false;
        ConnectionString = target.ToString();
        if (stalled)
        {
            Stall();
        }

        _accepting = AcceptAsync();
    }

    public string ConnectionString { get; }

    /// <summary>From now on no byte passes in either direction until <see cref="Resume"/>.</summary>
    public void Stall()
    {
        if (_flowing.Task.IsCompleted)
        {
            _flowing = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        }
    }

    public void Resume() => _flowing.TrySetResult();

    public async ValueTask DisposeAsync()
    {
        await _stopping.CancelAsync();
        _listener.Stop();
        await _accepting;
        _stopping.Dispose();
    }

    private static TaskCompletionSource Flowing()
    {
        var flowing = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        flowing.SetResult();
        return flowing;
    }

    private async Task AcceptAsync()
    {
        var connections = new List<Task>();
        try
        {
            while (true)
            {
                var client = await _listener.AcceptTcpClientAsync(_stopping.Token);
                connections.Add(RelayAsync(client));
            }
        }
        catch (OperationCanceledException)
        {
        }

        await Task.WhenAll(connections);
    }

    private async Task RelayAsync(TcpClient client)
    {
        using var _ = client;
        using var server = new TcpClient();
        try
        {
            var (host, port) = _target switch
            {
                DnsEndPoint named => (named.Host, named.Port),
                IPEndPoint address => (address.Address.ToString(), address.Port),
                _ => throw new NotSupportedException(_target.ToString()),
            };
            await server.ConnectAsync(host, port, _stopping.Token);
            await Task.WhenAny(PumpAsync(client.GetStream(), server.GetStream()), PumpAsync(server.GetStream(), client.GetStream()));
        }
        catch (Exception ex) when (ex is IOException or SocketException or OperationCanceledException or ObjectDisposedException)
        {
        }
    }

    private async Task PumpAsync(Stream from, Stream to)
    {
        var buffer = new byte[16 * 1024];
        try
        {
            int read;
            while ((read = await from.ReadAsync(buffer, _stopping.Token)) > 0)
            {
                await _flowing.Task.WaitAsync(_stopping.Token);
                await to.WriteAsync(buffer.AsMemory(0, read), _stopping.Token);
            }
        }
        catch (Exception ex) when (ex is IOException or SocketException or OperationCanceledException or ObjectDisposedException)
        {
        }
    }
}
