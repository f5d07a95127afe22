using AspireGateway.Tests;

namespace Gateway.Api.Tests.Docs;

/// <summary>
/// The gateway listening on a real loopback port (Kestrel, so a browser can reach it), its trading
/// and identity clusters pointed at stand-ins that serve OpenAPI documents.
/// </summary>
public sealed class DocsFixture : IAsyncLifetime
{
    public CacheServer Cache { get; } = new();

    public TestTokenIssuer Tokens { get; private set; } = null!;

    public OpenApiBackend Trading { get; private set; } = null!;

    public OpenApiBackend Identity { get; private set; } = null!;

    public ServiceFactory<Program> Gateway { get; private set; } = null!;

    /// <summary>The gateway's base address, e.g. <c>http://127.0.0.1:41234/</c>.</summary>
    public Uri Address => Gateway.ClientOptions.BaseAddress;

    public async Task InitializeAsync()
    {
        Tokens = await TestTokenIssuer.StartAsync();
        Trading = await OpenApiBackend.StartAsync(OpenApiBackend.TradingDocument);
        Identity = await OpenApiBackend.StartAsync(OpenApiBackend.IdentityDocument);
        Gateway = CreateGateway(Trading.Address, Identity.Address);
        Gateway.UseKestrel(0);
        Gateway.StartServer();
    }

    /// <summary>A gateway (in memory unless a test asks for Kestrel) with its clusters at these addresses.</summary>
    public ServiceFactory<Program> CreateGateway(string tradingAddress, string identityAddress, IReadOnlyDictionary<string, string?>? settings = null)
    {
        var all = new Dictionary<string, string?>
        {
            ["ReverseProxy:Clusters:trading:Destinations:primary:Address"] = tradingAddress,
            ["ReverseProxy:Clusters:identity:Destinations:primary:Address"] = identityAddress,
            ["Auth:Authority"] = Tokens.Address,
        };
        foreach (var (key, value) in settings ?? new Dictionary<string, string?>())
        {
            all[key] = value;
        }

        return new ServiceFactory<Program>(Cache, all);
    }

    public HttpClient CreateClient() => Gateway.CreateClient();

    public async Task DisposeAsync()
    {
        await Gateway.DisposeAsync();
        await Trading.DisposeAsync();
        await Identity.DisposeAsync();
        await Tokens.DisposeAsync();
        Cache.Dispose();
    }
}

[CollectionDefinition(Name)]
public sealed class DocsGroup : ICollectionFixture<DocsFixture>
{
    public const string Name = "docs";
}
