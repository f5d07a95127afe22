using BenchmarkDotNet.Attributes;
using Gateway.Api.Auth;
using Microsoft.Extensions.Logging.Abstractions;

namespace Benchmarks;

/// <summary>
/// The revocation check the gateway makes for every authenticated request
/// (<see cref="RevocationSet.IsRevoked"/>): a lookup in process memory, with 10,000 ended sessions
/// in the set, for a session that is not revoked (every normal request), one that is, and a token
/// without a <c>sid</c>.
/// </summary>
[MemoryDiagnoser]
public class RevocationCheckBenchmarks
{
    private const int Revoked = 10_000;
    private readonly string _liveSession = Guid.NewGuid().ToString("N");
    private string _revokedSession = null!;
    private RevocationSet _set = null!;

    [GlobalSetup]
    public void Setup()
    {
        // IsRevoked and Add never touch the cache; the set is fed here instead of by its channel.
        _set = new RevocationSet(cache: null!, TimeProvider.System, NullLogger<RevocationSet>.Instance);
        for (var i = 0; i < Revoked; i++)
        {
            _set.Add(Guid.NewGuid().ToString("N"), TimeSpan.FromHours(1));
        }

        _revokedSession = Guid.NewGuid().ToString("N");
        _set.Add(_revokedSession, TimeSpan.FromHours(1));
    }

    [Benchmark(Baseline = true, Description = "IsRevoked: live session (miss)")]
    public bool LiveSession() => _set.IsRevoked(_liveSession);

    [Benchmark(Description = "IsRevoked: revoked session (hit)")]
    public bool RevokedSession() => _set.IsRevoked(_revokedSession);

    [Benchmark(Description = "IsRevoked: no sid")]
    public bool NoSession() => _set.IsRevoked(null);
}
