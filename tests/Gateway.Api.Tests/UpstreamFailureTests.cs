using System.Diagnostics;
using System.Net;
using AspireGateway.Tests;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;

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

    private static readonly Uri Accounts = new("/api/v1/trading/accounts", UriKind.Relative);

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

    [Fact]
    public async Task ADestinationThatStopsAnsweringIs503AtOnceWithoutWaitingForTheRouteTimeoutAndIsServedAgainOnceItAnswers()
    {
        await using var hop = new StallingHop(new IPEndPoint(IPAddress.Loopback, new Uri(fixture.Backend.Address).Port));
        // Probed every second here (5 s by default), so that the test is short.
        await using var gateway = fixture.CreateGateway($"http://127.0.0.1:{hop.EndPoint.Port}", new Dictionary<string, string?>
        {
            ["ReverseProxy:Clusters:trading:HealthCheck:Active:Interval"] = "00:00:01",
            ["ReverseProxy:Clusters:trading:HealthCheck:Active:Timeout"] = "00:00:00.500",
        });
        using var client = GatewayFixture.Client(gateway, fixture.Tokens.Trader());
        var routeTimeout = RouteTimeout(gateway, "trading-read");
        using var whileAnswering = await client.GetAsync(Accounts);

        // The service hangs: connections are accepted, nothing is answered (a proxy in front of a dead process).
        hop.Stall();
        var stalled = Stopwatch.StartNew();
        var firstKnownDown = await Poll.UntilAsync(() => client.GetAsync(Accounts), HttpStatusCode.ServiceUnavailable, TimeSpan.FromSeconds(30), TimeSpan.FromMilliseconds(200));
        var untilKnownDown = stalled.Elapsed;
        var knownDown = new List<(HttpResponseMessage Response, TimeSpan Took)>();
        for (var i = 0; i < 3; i++)
        {
            var took = Stopwatch.StartNew();
            var response = await client.GetAsync(Accounts);
            knownDown.Add((response, took.Elapsed));
        }

        hop.Resume();
        var afterRecovery = await Poll.UntilAsync(() => client.GetAsync(Accounts), HttpStatusCode.OK, TimeSpan.FromSeconds(30), TimeSpan.FromMilliseconds(200));

        Assert.Equal(HttpStatusCode.OK, whileAnswering.StatusCode);
        Assert.Equal(HttpStatusCode.ServiceUnavailable, firstKnownDown);
        Assert.True(untilKnownDown < routeTimeout, $"known down after {untilKnownDown}, the route timeout is {routeTimeout}");
        Assert.All(knownDown, answer =>
        {
            Assert.Equal(HttpStatusCode.ServiceUnavailable, answer.Response.StatusCode);
            Assert.NotNull(answer.Response.Headers.RetryAfter);
            Assert.Equal("application/problem+json", answer.Response.Content.Headers.ContentType?.MediaType);
            Assert.True(answer.Took < routeTimeout / 3, $"answered after {answer.Took}, the route timeout is {routeTimeout}");
        });
        Assert.Equal(HttpStatusCode.OK, afterRecovery);
        knownDown.ForEach(answer => answer.Response.Dispose());
    }

    [Fact]
    public async Task AnAttemptPastItsBudgetIs504BeforeTheRouteTimeoutAndSuchTimeoutsOpenTheBreaker()
    {
        await using var stub = await StubBackend.StartAsync();
        await using var gateway = fixture.CreateGateway(stub.Address, new Dictionary<string, string?>
        {
            ["Gateway:Resilience:MinimumThroughput"] = "3",
            ["Gateway:Resilience:AttemptTimeout"] = "00:00:01",
        });
        using var client = GatewayFixture.Client(gateway, fixture.Tokens.Trader());
        var routeTimeout = RouteTimeout(gateway, "trading-read");

        // The service is alive (its probes pass) but this operation never answers.
        var slow = new List<(HttpStatusCode Status, TimeSpan Took)>();
        for (var i = 0; i < 3; i++)
        {
            var took = Stopwatch.StartNew();
            using var response = await client.GetAsync(new Uri("/api/v1/trading/__slow-60000", UriKind.Relative));
            slow.Add((response.StatusCode, took.Elapsed));
        }

        using var afterwards = await client.GetAsync(Accounts);

        Assert.All(slow, answer =>
        {
            Assert.Equal(HttpStatusCode.GatewayTimeout, answer.Status);
            Assert.True(answer.Took < routeTimeout / 3, $"answered after {answer.Took}, the route timeout is {routeTimeout}");
        });
        Assert.Equal(HttpStatusCode.ServiceUnavailable, afterwards.StatusCode);
        Assert.NotNull(afterwards.Headers.RetryAfter);
    }

    private static TimeSpan RouteTimeout(ServiceFactory<Program> gateway, string route) =>
        TimeSpan.Parse(gateway.Services.GetRequiredService<IConfiguration>()[$"ReverseProxy:Routes:{route}:Timeout"]!, System.Globalization.CultureInfo.InvariantCulture);
}
