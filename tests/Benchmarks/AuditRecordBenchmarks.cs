using System.Diagnostics.Metrics;
using System.Security.Cryptography;
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
/// group. Side by side: the former hash chain's work per record (the record, its format-1
/// canonical form and SHA-256, as hex) and the log's (the record, its leaf hash over the format-2
/// form, and the leaf folded into the tree's right edge, which adds one node hash per leaf on
/// average). The entry is a typical proxied read.
/// </summary>
[MemoryDiagnoser]
public class AuditRecordBenchmarks
{
    private readonly AuditEntry _entry = new(
        AuditLeaf.Truncate(DateTimeOffset.UtcNow), AuditSources.Gateway, AuditSources.HttpRequestEvent,
        "0f8fad5bd9cb469fa165708dfc1c5b1d", "4bf92f3577b34da6a3ce929d0e0e4736", "9b2f5c1e-6a4d-4f0e-8f5e-2d7c1a3b4e5f",
        "gateway-web", "127.0.0.1", "GET", "trading-read", "/api/v1/trading/quotes/AAPL", 200, AuditOutcomes.Allowed,
        null, 850, null, null);

    private readonly string _previous = new('0', 64);
    private ServiceProvider _services = null!;
    private AuditQueue _queue = null!;
    private MerkleFrontier _frontier = null!;

    [GlobalSetup]
    public void Setup()
    {
        _services = new ServiceCollection().AddMetrics().BuildServiceProvider();
        var options = Options.Create(new AuditOptions());
        _queue = new AuditQueue(options, new AuditMetrics(_services.GetRequiredService<IMeterFactory>()), NullLogger<AuditQueue>.Instance);
        _frontier = MerkleFrontier.Empty();
    }

    [GlobalCleanup]
    public void Cleanup() => _services.Dispose();

    [Benchmark(Description = "AuditQueue.Enqueue (+ the writer's TryRead)")]
    public bool Enqueue()
    {
        _queue.Enqueue(_entry);
        return _queue.Reader.TryRead(out _);
    }

    [Benchmark(Baseline = true, Description = "before: chain record (format 1 + SHA-256)")]
    public string ChainRecord()
    {
        var record = AuditRecord.From(_entry);
        (record.Format, record.ChainId, record.Seq, record.PrevHash) = (AuditLeaf.ChainFormat, "bench-chain", 2, _previous);
        return Convert.ToHexStringLower(SHA256.HashData(AuditLeaf.Canonical(record).WrittenSpan));
    }

    [Benchmark(Description = "after: leaf (format 2 leaf hash + tree append)")]
    public long Leaf()
    {
        var record = AuditRecord.From(_entry);
        var leafHash = AuditLeaf.HashBytes(record);
        record.LeafHash = Convert.ToHexStringLower(leafHash);
        _frontier.Append(leafHash);
        return _frontier.Size;
    }
}
