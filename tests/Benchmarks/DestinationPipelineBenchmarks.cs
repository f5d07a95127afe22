using System.Collections.Concurrent;
using System.Diagnostics.Metrics;
using BenchmarkDotNet.Attributes;
using Gateway.Api.Proxy;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Polly;

namespace Benchmarks;

/// <summary>
/// Finding the resilience pipeline of a forwarded request's destination, once per request: the
/// address as the proxy builds it (a new <see cref="Uri"/> per request, made here as well), looked
/// up by its normalized scheme and authority (<see cref="Uri.GetLeftPart"/>, a new string each
/// time; before) and by its spelling, without a string (<see cref="DestinationResilience.For"/>).
/// </summary>
[MemoryDiagnoser]
public class DestinationPipelineBenchmarks
{
    private const string Address = "http://127.0.0.1:5071/api/v1/trading/quotes/AAPL";
    private readonly ConcurrentDictionary<string, ResiliencePipeline<HttpResponseMessage>> _byAuthority = new(StringComparer.Ordinal);
    private ServiceProvider _services = null!;
    private DestinationResilience _resilience = null!;

    [GlobalSetup]
    public void Setup()
    {
        _services = new ServiceCollection().AddMetrics().BuildServiceProvider();
        _resilience = new DestinationResilience(Options.Create(new ResilienceOptions()), NullLogger<DestinationResilience>.Instance, _services.GetRequiredService<IMeterFactory>());
        var uri = new Uri(Address);
        _byAuthority[uri.GetLeftPart(UriPartial.Authority)] = _resilience.For(uri);
    }

    [GlobalCleanup]
    public void Cleanup() => _services.Dispose();

    [Benchmark(Baseline = true, Description = "before: GetLeftPart + lookup")]
    public ResiliencePipeline<HttpResponseMessage> ByAuthority() => _byAuthority[new Uri(Address).GetLeftPart(UriPartial.Authority)];

    [Benchmark(Description = "DestinationResilience.For (lookup by spelling)")]
    public ResiliencePipeline<HttpResponseMessage> BySpelling() => _resilience.For(new Uri(Address));

    [Benchmark(Description = "new Uri alone (what both include)")]
    public Uri UriAlone() => new(Address);
}
