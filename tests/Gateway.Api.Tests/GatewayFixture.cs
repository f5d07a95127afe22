using AspireGateway.Tests;

namespace Gateway.Api.Tests;

/// <summary>The gateway with a real cache, its two clusters pointed at a real stand-in backend.</summary>
public sealed class GatewayFixture : IAsyncLifetime
{
    private readonly CacheServer _cache = new();

    public StubBackend Backend { get; private set; } = null!;

    public ServiceFactory<Program> Gateway { get; private set; } = null!;

    public async Task InitializeAsync()
    {
        Backend = await StubBackend.StartAsync();
        Gateway = CreateGateway(Backend.Address);
    }

    /// <summary>A gateway whose clusters point at <paramref name="backendAddress"/>.</summary>
    public ServiceFactory<Program> CreateGateway(string backendAddress) => new(_cache, new Dictionary<string, string?>
    {
        ["ReverseProxy:Clusters:identity:Destinations:primary:Address"] = backendAddress,
        ["ReverseProxy:Clusters:trading:Destinations:primary:Address"] = backendAddress,
    });

    public async Task DisposeAsync()
    {
        await Gateway.DisposeAsync();
        await Backend.DisposeAsync();
        _cache.Dispose();
    }
}
