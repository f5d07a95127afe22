using System.Diagnostics;
using System.Net;
using AspireGateway.Tests;

namespace Gateway.Api.Tests;

public sealed class UpstreamFailureTests(GatewayFixture fixture) : IClassFixture<GatewayFixture>
{
    private static readonly Dictionary<string, string?> FastBreaker = new()
    {
        ["Gateway:Resilience:MinimumThroughput"] = "3",
        ["Gateway:Resilience:BreakDuration"] = "00:00:01",
        ["Gateway:Resilience:MaxRetries"] = "0",
        ["ReverseProxy:Routes:trading-read:Timeout"] = "00:00:01",
    };

    [Fact]
    public async Task RepeatedServerErrorsOpenTheBreakerWhichAnswers503AndClosesWhenTheServiceRecovers()
    {
        await using var stub = await StubBackend.StartAsync();
        await using var gateway = fixture.CreateGateway(stub.Address, FastBreaker);
        using var client = GatewayFixture.Client(gateway, fixture.Tokens.Trader());

        for (var i = 0; i < 6; i++)
        {
            (await client.GetAsync(new Uri("/api/v1/trading/__status-500", UriKind.Relative))).Dispose();
        }

        var open = Stopwatch.StartNew();
        using var whileOpen = await client.GetAsync(new Uri("/api/v1/trading/accounts", UriKind.Relative));
        open.Stop();
        Assert.Equal(HttpStatusCode.ServiceUnavailable, whileOpen.StatusCode);
        Assert.NotNull(whileOpen.Headers.RetryAfter);
        Assert.Equal("application/problem+json", whileOpen.Content.Headers.ContentType?.MediaType);

        await Task.Delay(TimeSpan.FromSeconds(1.5));
        using var recovered = await client.GetAsync(new Uri("/api/v1/trading/accounts", UriKind.Relative));
        Assert.Equal(HttpStatusCode.OK, recovered.StatusCode);
    }

    [Fact]
    public async Task ClientErrorsFromTheServiceNeverOpenTheBreaker()
    {
        await using var stub = await StubBackend.StartAsync();
        await using var gateway = fixture.CreateGateway(stub.Address, FastBreaker);
        using var client = GatewayFixture.Client(gateway, fixture.Tokens.Trader());

        for (var i = 0; i < 10; i++)
        {
            using var notFound = await client.GetAsync(new Uri("/api/v1/trading/__status-404", UriKind.Relative));
            Assert.Equal(HttpStatusCode.NotFound, notFound.StatusCode);
        }

        using var after = await client.GetAsync(new Uri("/api/v1/trading/accounts", UriKind.Relative));
        Assert.Equal(HttpStatusCode.OK, after.StatusCode);
    }

    [Fact]
    public async Task ASlowServiceGets504AfterTheRouteTimeout()
    {
        await using var stub = await StubBackend.StartAsync();
        await using var gateway = fixture.CreateGateway(stub.Address, FastBreaker);
        using var client = GatewayFixture.Client(gateway, fixture.Tokens.Trader());

        using var response = await client.GetAsync(new Uri("/api/v1/trading/__slow-3000", UriKind.Relative));

        Assert.Equal(HttpStatusCode.GatewayTimeout, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
    }

    [Fact]
    public async Task AStoppedServiceGets503NotAnotherServerError()
    {
        await using var gateway = fixture.CreateGateway($"http://127.0.0.1:{Ports.FreeLoopback()}", FastBreaker);
        using var client = GatewayFixture.Client(gateway, fixture.Tokens.Trader());

        using var response = await client.GetAsync(new Uri("/api/v1/trading/accounts", UriKind.Relative));

        Assert.Equal(HttpStatusCode.ServiceUnavailable, response.StatusCode);
        Assert.NotNull(response.Headers.RetryAfter);
    }
}
