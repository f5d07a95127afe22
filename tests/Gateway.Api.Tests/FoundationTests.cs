using System.Net;
using System.Net.Http.Json;
using AspireGateway.Tests;

namespace Gateway.Api.Tests;

public sealed class FoundationTests(GatewayFixture fixture) : IClassFixture<GatewayFixture>
{
    [Theory]
    [InlineData("/api/v1/auth/me")]
    [InlineData("/api/v1/trading/accounts")]
    public async Task ApiRoutesAreProxiedToTheirBackendWithPathIntact(string path)
    {
        using var client = fixture.Client(fixture.Tokens.Trader());

        var echoed = await client.GetFromJsonAsync<EchoedRequest>(new Uri(path, UriKind.Relative));

        Assert.Equal(path, echoed?.Path);
    }

    [Fact]
    public async Task RootDescribesTheServiceAndWhereItsDocsLive()
    {
        using var client = fixture.Gateway.CreateClient();

        var info = await client.GetFromJsonAsync<ServiceInfoBody>(new Uri("/", UriKind.Relative));

        Assert.Equal("aspire-gateway", info?.Service);
        Assert.Equal("/api/docs", info?.Docs);
    }

    [Fact]
    public async Task HealthIsHealthyWhenCacheAndBackendsAnswer()
    {
        using var client = fixture.Gateway.CreateClient();

        using var response = await client.GetAsync(new Uri("/health", UriKind.Relative));

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("{\"status\":\"healthy\"}", await response.Content.ReadAsStringAsync());
    }

    [Fact]
    public async Task HealthIs503WithoutDetailWhenABackendDoesNotAnswer()
    {
        await using var gateway = fixture.CreateGateway($"http://127.0.0.1:{Ports.FreeLoopback()}");
        using var client = gateway.CreateClient();

        using var response = await client.GetAsync(new Uri("/health", UriKind.Relative));

        Assert.Equal(HttpStatusCode.ServiceUnavailable, response.StatusCode);
        Assert.Equal("{\"status\":\"unhealthy\"}", await response.Content.ReadAsStringAsync());
    }

    [Fact]
    public async Task UnknownPathIsAProblemDocumentWithEveryContractField()
    {
        using var client = fixture.Gateway.CreateClient();

        using var response = await client.GetAsync(new Uri("/no/such/path", UriKind.Relative));

        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        var problem = await response.Content.ReadFromJsonAsync<ProblemBody>();
        Assert.Equal(404, problem?.Status);
        Assert.False(string.IsNullOrEmpty(problem?.Type));
        Assert.False(string.IsNullOrEmpty(problem?.Title));
        Assert.False(string.IsNullOrEmpty(problem?.Detail));
        Assert.False(string.IsNullOrEmpty(problem?.TraceId));
    }

    private sealed record ServiceInfoBody(string Service, string Version, string Status, string Docs);

    private sealed record ProblemBody(string Type, string Title, int Status, string Detail, string TraceId);
}
