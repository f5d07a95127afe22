using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Threading.RateLimiting;
using BenchmarkDotNet.Attributes;
using Garnet;
using Gateway.Api.RateLimiting;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using RedisRateLimiting;
using StackExchange.Redis;

namespace Benchmarks;

/// <summary>
/// One rate-limit decision, as the gateway makes it per request: the local fallback limiter
/// (baseline, no network), the distributed decision (busy users: mostly a permit from this
/// instance's lease, one Lua round trip to an embedded Garnet per lease, through the timeout and
/// breaker pipeline), the bare script call for one permit (what every decision cost before leases,
/// and what an occasional caller's decision still costs), and the RedisRateLimiting package's fixed
/// window on the same server. Keys rotate over 1024 users and the limit is out of reach, so every
/// decision is the allowed path.
/// </summary>
[MemoryDiagnoser]
public class RateLimitDecisionBenchmarks
{
    private const int Users = 1024;
    private readonly RateLimitPolicy _policy = new("read", 1_000_000_000, TimeSpan.FromSeconds(60));
    private readonly string[] _partitions = Enumerable.Range(0, Users).Select(_ => "user:" + Guid.NewGuid()).ToArray();
    private GarnetServer? _garnet;
    private ConnectionMultiplexer? _cache;
    private IHost? _host;
    private DistributedRateLimiter _distributed = null!;
    private LocalRateLimiter _local = null!;
    private PartitionedRateLimiter<string> _library = null!;
    private int _next;

    [GlobalSetup]
    public void Setup()
    {
        var port = FreePort();
        _garnet = new GarnetServer(["--port", port.ToString(CultureInfo.InvariantCulture), "--bind", "127.0.0.1", "--lua", "--lua-transaction-mode", "--memory", "256m", "--index", "64m"]);
        _garnet.Start();
        _cache = ConnectionMultiplexer.Connect($"127.0.0.1:{port}");

        var builder = Host.CreateApplicationBuilder();
        builder.Logging.ClearProviders();
        builder.Services.AddSingleton<IConnectionMultiplexer>(_cache);
        builder.AddDistributedRateLimiting();
        _host = builder.Build();
        _host.Start();
        _distributed = _host.Services.GetRequiredService<DistributedRateLimiter>();
        _local = _host.Services.GetRequiredService<LocalRateLimiter>();

        var cache = _cache;
        _library = PartitionedRateLimiter.Create<string, string>(key => RedisRateLimitPartition.GetFixedWindowRateLimiter(key, _ => new RedisFixedWindowRateLimiterOptions
        {
            ConnectionMultiplexerFactory = () => cache,
            PermitLimit = _policy.PermitLimit,
            Window = _policy.Window,
        }));
    }

    [GlobalCleanup]
    public void Cleanup()
    {
        _library.Dispose();
        _host?.StopAsync().GetAwaiter().GetResult();
        _host?.Dispose();
        _cache?.Dispose();
        _garnet?.Dispose();
    }

    [Benchmark(Baseline = true, Description = "local fallback (FixedWindowRateLimiter)")]
    public bool LocalFallback() => _local.Acquire(_policy, NextPartition()).Allowed;

    [Benchmark(Description = "distributed: leased permits, Lua on Garnet per lease")]
    public async Task<bool> Distributed() => (await _distributed.AcquireAsync(_policy, NextPartition())).Allowed;

    [Benchmark(Description = "bare EVAL of the same script, one permit")]
    public async Task<long> BareScript()
    {
        var result = await _cache!.GetDatabase().ScriptEvaluateAsync(
            DistributedRateLimiter.Script, [DistributedRateLimiter.KeyFor("bare", NextPartition())], [60_000L, _policy.PermitLimit, 1]);
        return (long)((RedisResult[])result!)[0];
    }

    [Benchmark(Description = "RedisRateLimiting 1.2.1 fixed window")]
    public async Task<bool> RedisRateLimitingPackage()
    {
        using var lease = await _library.AcquireAsync(NextPartition());
        return lease.IsAcquired;
    }

    private string NextPartition() => _partitions[(uint)Interlocked.Increment(ref _next) % Users];

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}
