using System.Net;
using System.Net.Http.Headers;
using System.Security.Cryptography;
using AspireGateway.Tests;

namespace Gateway.Api.Tests.RateLimiting;

/// <summary>
/// A real cache, token issuer and echo backend, and gateways with small limits so a budget is
/// spent in a handful of requests. Clients come with their own address (as distinct TCP peers
/// would), and every test uses fresh users and addresses, so tests never share a budget.
/// </summary>
public sealed class RateLimitingFixture : IAsyncLifetime
{
    public const int ReadLimit = 5;
    public const int DefaultLimit = 3;
    public const int HealthLimit = 3;

    /// <summary>
    /// Small limits, the users route moved to a new policy with a 2 s window, and a decision
    /// timeout for a test machine shared with parallel builds (in production 250 ms is generous).
    /// </summary>
    public static readonly IReadOnlyDictionary<string, string?> SmallLimits = new Dictionary<string, string?>
    {
        ["Gateway:RateLimiting:DecisionTimeout"] = "00:00:02",
        ["Gateway:RateLimiting:Policies:read:PermitLimit"] = "5",
        ["Gateway:RateLimiting:Policies:default:PermitLimit"] = "3",
        ["Gateway:RateLimiting:Policies:credentials:PermitLimit"] = "2",
        ["Gateway:RateLimiting:Policies:health:PermitLimit"] = "3",
        ["Gateway:RateLimiting:Policies:health:Window"] = "00:01:00",
        ["Gateway:RateLimiting:Policies:burst:PermitLimit"] = "2",
        ["Gateway:RateLimiting:Policies:burst:Window"] = "00:00:02",
        ["ReverseProxy:Routes:users:Metadata:RateLimitPolicy"] = "burst",
    };

    public CacheServer Cache { get; } = new();

    public StubBackend Backend { get; private set; } = null!;

    public TestTokenIssuer Tokens { get; private set; } = null!;

    public ServiceFactory<Program> Gateway { get; private set; } = null!;

    public async Task InitializeAsync()
    {
        Backend = await StubBackend.StartAsync();
        Tokens = await TestTokenIssuer.StartAsync();
        Gateway = CreateGateway(SmallLimits);
    }

    /// <summary>A gateway on this fixture's backend and issuer; later settings win (e.g. another cache).</summary>
    public ServiceFactory<Program> CreateGateway(params IReadOnlyDictionary<string, string?>[] settings) =>
        new(Cache, Settings(settings));

    public Dictionary<string, string?> Settings(params IReadOnlyDictionary<string, string?>[] settings)
    {
        var all = new Dictionary<string, string?>
        {
            ["ReverseProxy:Clusters:identity:Destinations:primary:Address"] = Backend.Address,
            ["ReverseProxy:Clusters:trading:Destinations:primary:Address"] = Backend.Address,
            ["Auth:Authority"] = Tokens.Address,
        };
        foreach (var (key, value) in settings.SelectMany(s => s))
        {
            all[key] = value;
        }

        return all;
    }

    /// <summary>A client whose requests arrive from <paramref name="address"/>, optionally with a bearer token.</summary>
    public static HttpClient Client(ServiceFactory<Program> gateway, IPAddress address, string? token = null)
    {
        var client = new HttpClient(gateway.Server.CreateHandler(context => context.Connection.RemoteIpAddress = address))
        {
            BaseAddress = gateway.Server.BaseAddress,
        };
        if (token is not null)
        {
            client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", token);
        }

        return client;
    }

    public HttpClient Client(IPAddress address, string? token = null) => Client(Gateway, address, token);

    /// <summary>An address no other test uses.</summary>
    public static IPAddress NewAddress() => new([10, .. RandomNumberGenerator.GetBytes(3)]);

    public async Task DisposeAsync()
    {
        await Gateway.DisposeAsync();
        await Backend.DisposeAsync();
        await Tokens.DisposeAsync();
        Cache.Dispose();
    }
}
