using System.Net.Http.Headers;
using AspireGateway.Tests;
using Microsoft.Extensions.DependencyInjection;

namespace Gateway.Api.Tests;

/// <summary>
/// The gateway with a real cache, a real token issuer (discovery + JWKS over HTTP) and its two
/// clusters pointed at a real stand-in backend that echoes what reached it.
/// </summary>
public sealed class GatewayFixture : IAsyncLifetime
{
    public CacheServer Cache { get; } = new();

    public StubBackend Backend { get; private set; } = null!;

    public TestTokenIssuer Tokens { get; private set; } = null!;

    public ServiceFactory<Program> Gateway { get; private set; } = null!;

    public async Task InitializeAsync()
    {
        Backend = await StubBackend.StartAsync();
        Tokens = await TestTokenIssuer.StartAsync();
        Gateway = CreateGateway(Backend.Address);
    }

    /// <summary>A gateway whose clusters point at <paramref name="backendAddress"/>, with extra settings.</summary>
    public ServiceFactory<Program> CreateGateway(
        string backendAddress, IReadOnlyDictionary<string, string?>? settings = null, Action<IServiceCollection>? services = null)
    {
        var all = new Dictionary<string, string?>
        {
            ["ReverseProxy:Clusters:identity:Destinations:primary:Address"] = backendAddress,
            ["ReverseProxy:Clusters:trading:Destinations:primary:Address"] = backendAddress,
            ["Auth:Authority"] = Tokens.Address,
        };

        // Tests that are not about rate limits must not trip them (in-process requests share one "unknown" address).
        foreach (var policy in new[] { "credentials", "read", "write", "public-read", "default", "health" })
        {
            all[$"Gateway:RateLimiting:Policies:{policy}:PermitLimit"] = "100000";
            all[$"Gateway:RateLimiting:Policies:{policy}:Window"] = "00:01:00";
        }
        foreach (var (key, value) in settings ?? new Dictionary<string, string?>())
        {
            all[key] = value;
        }

        return new ServiceFactory<Program>(Cache, all, services);
    }

    /// <summary>
    /// A gateway on a real loopback port: Kestrel parses and frames what the in-memory server never
    /// sees (chunked bodies, header bytes). Its clients talk to <see cref="Microsoft.AspNetCore.Mvc.Testing.WebApplicationFactoryClientOptions.BaseAddress"/>.
    /// </summary>
    public ServiceFactory<Program> StartOnKestrel()
    {
        var gateway = CreateGateway(Backend.Address);
        gateway.UseKestrel(0);
        gateway.StartServer();
        return gateway;
    }

    public HttpClient Client(string? token = null) => Client(Gateway, token);

    public static HttpClient Client(ServiceFactory<Program> gateway, string? token = null)
    {
        var client = gateway.CreateClient();
        if (token is not null)
        {
            client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", token);
        }

        return client;
    }

    public async Task DisposeAsync()
    {
        await Gateway.DisposeAsync();
        await Backend.DisposeAsync();
        await Tokens.DisposeAsync();
        Cache.Dispose();
    }
}
