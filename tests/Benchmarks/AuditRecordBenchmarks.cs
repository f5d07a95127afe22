using System.Diagnostics.Metrics;
using BenchmarkDotNet.Attributes;
using Gateway.Api.Auditing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;

namespace Benchmarks;

/// <summary>
/// The audit trail's share of a request: what the capture middleware does on the request's path
/// (<see cref="AuditQueue.Enqueue"/> into the bounded channel; the single writer's read is
/// included so the channel never fills), and what the writer does per record when it commits a
/// group (<see cref="AuditRecord.Chain"/>: the record plus its SHA-256 over the canonical form,
/// and <see cref="AuditChain.Hash"/> alone). The entry is a typical proxied read.
/// </summary>
[MemoryDiagnoser]
public class AuditRecordBenchmarks
{
    private readonly AuditEntry _entry = new(
        AuditChain.Truncate(DateTimeOffset.UtcNow), AuditSources.Gateway, AuditSources.HttpRequestEvent,
        "0f8fad5bd9cb469fa165708dfc1c5b1d", "4bf92f3577b34da6a3ce929d0e0e4736", "9b2f5c1e-6a4d-4f0e-8f5e-2d7c1a3b4e5f",
        "gateway-web", "127.0.0.1", "GET", "trading-read", "/api/v1/trading/quotes/AAPL", 200, AuditOutcomes.Allowed,
        null, 850, null, null);

    private ServiceProvider _services = null!;
    private AuditQueue _queue = null!;
    private AuditRecord _record = null!;

    [GlobalSetup]
    public void Setup()
    {
        _services = new ServiceCollection().AddMetrics().BuildServiceProvider();
        var options = Options.Create(new AuditOptions());
        _queue = new AuditQueue(options, new AuditMetrics(_services.GetRequiredService<IMeterFactory>()), NullLogger<AuditQueue>.Instance);
        _record = AuditRecord.Chain(_entry, "bench-chain", 1, AuditChain.Genesis);
    }

    [GlobalCleanup]
    public void Cleanup() => _services.Dispose();

    [Benchmark(Baseline = true, Description = "AuditQueue.Enqueue (+ the writer's TryRead)")]
    public bool Enqueue()
    {
        _queue.Enqueue(_entry);
        return _queue.Reader.TryRead(out _);
    }

    [Benchmark(Description = "AuditRecord.Chain (record + SHA-256 hash)")]
    public string Chain() => AuditRecord.Chain(_entry, "bench-chain", 2, _record.Hash).Hash;

    [Benchmark(Description = "AuditChain.Hash (canonical form + SHA-256)")]
    public string Hash() => AuditChain.Hash(_record);
}
