using System.Collections.Concurrent;
using AspireGateway.Tests;
using Gateway.Api.Proxy;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Polly;
using Polly.CircuitBreaker;

namespace Gateway.Api.Tests;

public sealed class DestinationResilienceTests : IDisposable
{
    private readonly ServiceProvider _services = new ServiceCollection().AddMetrics().BuildServiceProvider();
    private readonly DestinationResilience _resilience;

    public DestinationResilienceTests()
    {
        var options = Options.Create(new ResilienceOptions { MaxRetries = 0, MinimumThroughput = 5, BreakDuration = TimeSpan.FromMinutes(1) });
        _resilience = new DestinationResilience(options, NullLogger<DestinationResilience>.Instance, _services.GetRequiredService<System.Diagnostics.Metrics.IMeterFactory>());
    }

    [Fact]
    public async Task ABreakerOpenedThroughOneSpellingOfADestinationRefusesEverySpellingOfItAndNoOtherDestination()
    {
        for (var i = 0; i < 5; i++)
        {
            Assert.IsType<HttpRequestException>(await SendAsync($"http://LOCALHOST:80/api/v1/orders/{i}?page=2"));
        }

        Assert.IsType<BrokenCircuitException>(await SendAsync("http://localhost/api/v1/quotes"));
        Assert.IsType<BrokenCircuitException>(await SendAsync("http://localhost:80?x=1"));
        Assert.IsType<BrokenCircuitException>(await SendAsync("http://LocalHost:80#top"));
        Assert.Null(await SendAsync("http://localhost:81/api/v1/quotes"));
        Assert.Null(await SendAsync("https://localhost/api/v1/quotes"));
        Assert.Null(await SendAsync("http://127.0.0.1/api/v1/quotes"));
    }

    [Fact]
    public async Task SpellingsOfOneDestinationMetForTheFirstTimeAtTheSameMomentAllGetOneBreaker()
    {
        string[] spellings = ["http://localhost", "http://LOCALHOST", "http://LocalHost:80", "http://localhost:80", "HTTP://localhost", "http://localHOST:80"];
        var found = new ConcurrentBag<object>();
        await Together.RunAsync([.. Enumerable.Range(0, 48).Select(i => (Func<Task>)(() =>
        {
            found.Add(_resilience.For(new Uri($"{spellings[i % spellings.Length]}/api/v1/quotes/{i}")));
            return Task.CompletedTask;
        }))]);

        Assert.Single(found.Distinct(ReferenceEqualityComparer.Instance));
    }

    public void Dispose() => _services.Dispose();

    // The exception the destination's pipeline ended with (null for a 200); a request to localhost:80 fails to connect.
    private async Task<Exception?> SendAsync(string address)
    {
        var uri = new Uri(address);
        var context = ResilienceContextPool.Shared.Get();
        try
        {
            var outcome = await _resilience.For(uri).ExecuteOutcomeAsync(
                static (_, failing) => ValueTask.FromResult(failing
                    ? Outcome.FromException<HttpResponseMessage>(new HttpRequestException("connection refused"))
                    : Outcome.FromResult(new HttpResponseMessage(System.Net.HttpStatusCode.OK))),
                context,
                uri.Port == 80 && uri.Host == "localhost");
            return outcome.Exception;
        }
        finally
        {
            ResilienceContextPool.Shared.Return(context);
        }
    }
}
