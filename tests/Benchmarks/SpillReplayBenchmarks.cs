using BenchmarkDotNet.Attributes;
using Gateway.Api.Auditing;

namespace Benchmarks;

/// <summary>
/// What the audit writer pays to replay one spilled group of 1,000 typical records, once the store
/// takes records again or once it has caught up under load. Side by side: the group read back from
/// the spill file, parsed and each line checked against its leaf hash (before, for every file; still
/// for files claimed from ended processes), and the group the writer holds from its own append.
/// Writing the group (JSON and fsync) is the same either way and is left out.
/// </summary>
[MemoryDiagnoser]
public class SpillReplayBenchmarks
{
    private const int Records = 1_000;
    private string _folder = null!;
    private AuditEntry[] _group = null!;
    private SpillFile _claimed = null!;
    private SpillFile _own = null!;

    [GlobalSetup]
    public void Setup()
    {
        _folder = Directory.CreateTempSubdirectory("spill-bench-").FullName;
        var time = AuditLeaf.Truncate(DateTimeOffset.UtcNow);
        _group = [.. Enumerable.Range(0, Records).Select(i => new AuditEntry(
            time.AddTicks(i * 1_930), AuditSources.Gateway, AuditSources.HttpRequestEvent, Guid.NewGuid().ToString("N"),
            "4bf92f3577b34da6a3ce929d0e0e4736", "9b2f5c1e-6a4d-4f0e-8f5e-2d7c1a3b4e5f", "gateway-web", "127.0.0.1", "GET",
            "trading-read", "/api/v1/trading/quotes/AAPL", 200, AuditOutcomes.Allowed, null, 850 + i, null, null))];
        var written = SpillFile.Create(_folder, DateTimeOffset.UtcNow);
        written.Append(_group);
        written.Dispose();
        _claimed = SpillFile.TryClaim(written.Path)!;
    }

    [GlobalCleanup]
    public void Cleanup()
    {
        _claimed.Delete();
        Directory.Delete(_folder, recursive: true);
    }

    [IterationSetup(Target = nameof(Held))]
    public void Spill()
    {
        _own = SpillFile.Create(_folder, DateTimeOffset.UtcNow);
        _own.Append(_group);
    }

    [IterationCleanup(Target = nameof(Held))]
    public void Retire() => _own.Delete();

    [Benchmark(Baseline = true, Description = "before: read back, parsed and checked")]
    public int FromDisk() => _claimed.Read(0, Records).Entries.Count;

    [Benchmark(Description = "after: the group the writer holds")]
    public int Held() => _own.Read(0, Records).Entries.Count;
}
