extern alias GatewayApi;

using System.Net;
using System.Net.Http.Json;
using System.Security.Cryptography;
using AspireGateway.Tests;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;

namespace AppHost.Tests;

/// <summary>
/// The gateway configured exactly as the published manifest configures it (every literal setting
/// the deployment gives it), behind a stand-in for Azure Container Apps' ingress: requests arrive
/// from the ingress's address, with the client's address appended to <c>X-Forwarded-For</c> and
/// <c>X-Forwarded-Proto: https</c>, as the platform sends them.
/// </summary>
public sealed class DeployedGatewayTests(DeployedGateway gateway) : IClassFixture<DeployedGateway>
{
    [Fact]
    public async Task TheClientAddressIsTheHopTheIngressAppendedNotOneTheClientWrote()
    {
        var client = DeployedGateway.NewAddress();

        using var response = await gateway.Client.SendAsync(DeployedGateway.ThroughIngress("/.well-known/openid-configuration", client, writtenByTheClient: "203.0.113.66"));
        var echoed = await response.Content.ReadFromJsonAsync<EchoedRequest>();

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal(client.ToString(), echoed!.Header("X-Forwarded-For"));
        Assert.Equal("https", echoed.Header("X-Forwarded-Proto"));
    }

    [Fact]
    public async Task TlsEndedAtTheIngressIsStillHttpsSoTheGatewaySendsHsts()
    {
        using var response = await gateway.Client.SendAsync(DeployedGateway.ThroughIngress("/", DeployedGateway.NewAddress()));

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("max-age=31536000; includeSubDomains", response.Headers.GetValues("Strict-Transport-Security").Single());
    }

    [Fact]
    public async Task EachClientBehindTheIngressHasItsOwnBudgetWhichAForgedHopCannotRenew()
    {
        var (alice, bob) = (DeployedGateway.NewAddress(), DeployedGateway.NewAddress());
        var statuses = new List<HttpStatusCode>();
        for (var i = 0; i < DeployedGateway.AnonymousLimit; i++)
        {
            using var spent = await gateway.Client.SendAsync(DeployedGateway.ThroughIngress("/", alice));
            statuses.Add(spent.StatusCode);
        }

        using var aliceWithAForgedHop = await gateway.Client.SendAsync(DeployedGateway.ThroughIngress("/", alice, writtenByTheClient: DeployedGateway.NewAddress().ToString()));
        using var bobsFirst = await gateway.Client.SendAsync(DeployedGateway.ThroughIngress("/", bob));

        Assert.All(statuses, status => Assert.Equal(HttpStatusCode.OK, status));
        Assert.Equal(HttpStatusCode.TooManyRequests, aliceWithAForgedHop.StatusCode);
        Assert.Equal(HttpStatusCode.OK, bobsFirst.StatusCode);
    }
}

/// <summary>The manifest, a real cache, an echo backend and the gateway they configure.</summary>
public sealed class DeployedGateway : IAsyncLifetime
{
    public const int AnonymousLimit = 3;

    /// <summary>Where every request comes from: the platform's ingress, the only peer the container has.</summary>
    private static readonly IPAddress IngressPeer = IPAddress.Parse("100.100.0.7");

    private readonly PublishedManifest _manifest = new();
    private readonly CacheServer _cache = new();
    private readonly string _auditDatabase = Path.Combine(Path.GetTempPath(), $"deployed-gateway-audit-{Guid.NewGuid():N}.db");
    private StubBackend _backend = null!;
    private GatewayFactory _gateway = null!;

    public HttpClient Client { get; private set; } = null!;

    public async Task InitializeAsync()
    {
        await _manifest.InitializeAsync();
        _backend = await StubBackend.StartAsync();
        var settings = _manifest.Settings("gateway");
        settings["ConnectionStrings:cache"] = _cache.ConnectionString;
        settings["ConnectionStrings:auditdb"] = $"Data Source={_auditDatabase}";
        settings["Gateway:Audit:CheckpointKey"] = Convert.ToBase64String(RandomNumberGenerator.GetBytes(33)); // a secret parameter in the manifest
        settings["Gateway:Audit:CheckpointFile"] = _auditDatabase + ".checkpoint.json";
        settings["ReverseProxy:Clusters:identity:Destinations:primary:Address"] = _backend.Address;
        settings["ReverseProxy:Clusters:trading:Destinations:primary:Address"] = _backend.Address;
        settings["Auth:Authority"] = _backend.Address;
        settings["Gateway:RateLimiting:Policies:default:PermitLimit"] = AnonymousLimit.ToString(System.Globalization.CultureInfo.InvariantCulture);
        settings["Gateway:RateLimiting:DecisionTimeout"] = "00:00:02";
        _gateway = new GatewayFactory(settings);
        Client = new HttpClient(_gateway.Server.CreateHandler(context => context.Connection.RemoteIpAddress = IngressPeer))
        {
            BaseAddress = _gateway.Server.BaseAddress,
        };
    }

    /// <summary>A request as the ingress forwards it: the client's address appended to what the client sent.</summary>
    public static HttpRequestMessage ThroughIngress(string path, IPAddress client, string? writtenByTheClient = null)
    {
        var request = new HttpRequestMessage(HttpMethod.Get, path);
        request.Headers.Add("X-Forwarded-For", writtenByTheClient is null ? client.ToString() : $"{writtenByTheClient}, {client}");
        request.Headers.Add("X-Forwarded-Proto", "https");
        return request;
    }

    /// <summary>An address no other test uses.</summary>
    public static IPAddress NewAddress() => new([10, .. RandomNumberGenerator.GetBytes(3)]);

    public async Task DisposeAsync()
    {
        Client?.Dispose();
        if (_gateway is not null)
        {
            await _gateway.DisposeAsync();
        }

        if (_backend is not null)
        {
            await _backend.DisposeAsync();
        }

        _cache.Dispose();
        await _manifest.DisposeAsync();
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        foreach (var file in new[] { _auditDatabase, _auditDatabase + "-wal", _auditDatabase + "-shm", _auditDatabase + ".checkpoint.json" })
        {
            File.Delete(file);
        }
    }

    /// <summary>Production, as deployed; settings go through UseSetting so that they are read as Program.cs runs.</summary>
    private sealed class GatewayFactory(IReadOnlyDictionary<string, string?> settings) : WebApplicationFactory<GatewayApi::Program>
    {
        protected override void ConfigureWebHost(IWebHostBuilder builder)
        {
            builder.UseEnvironment("Production");
            foreach (var (key, value) in settings)
            {
                builder.UseSetting(key, value);
            }
        }
    }
}
