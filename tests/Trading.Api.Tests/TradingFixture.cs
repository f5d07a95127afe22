using System.Net.Http.Headers;
using System.Security.Cryptography;
using AspireGateway.Tests;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;

namespace Trading.Api.Tests;

/// <summary>
/// Trading.Api with its real dependencies: a cache server, a database of its own (SQLite, or PostgreSQL when CI names a server), an AES key
/// made for this run, and a token issuer publishing a real JWKS. The market clock is fake so tests
/// move it; token lifetimes run on the real clock.
/// </summary>
public sealed class TradingFixture : IAsyncLifetime
{
    private Dictionary<string, string?> _settings = [];

    public CacheServer Cache { get; } = new();

    public TestTokenIssuer Tokens { get; private set; } = null!;

    public FakeTimeProvider Clock { get; } = new(DateTimeOffset.UtcNow);

    public ServiceFactory<Program> Service { get; private set; } = null!;

    public TestDatabase Database { get; } = new("trading");

    public async Task InitializeAsync()
    {
        Tokens = await TestTokenIssuer.StartAsync();
        _settings = new Dictionary<string, string?>
        {
            ["ConnectionStrings:tradingdb"] = Database.ConnectionString,
            ["Auth:Authority"] = Tokens.Address,
            ["Trading:Encryption:ActiveKeyId"] = "k1",
            ["Trading:Encryption:Keys:k1"] = Convert.ToBase64String(RandomNumberGenerator.GetBytes(32)), // 44 characters of key material
            ["Trading:Matcher:Interval"] = "01:00:00",
        };
        Service = new ServiceFactory<Program>(Cache, _settings, services => services.AddSingleton<TimeProvider>(Clock));
        using var warmUp = Service.CreateClient();
    }

    /// <summary>Another instance on the same database, reaching the cache through <paramref name="cacheConnection"/> (caller disposes it).</summary>
    public ServiceFactory<Program> WithCache(string cacheConnection) =>
        new(Cache, new Dictionary<string, string?>(_settings) { ["ConnectionStrings:cache"] = cacheConnection }, services => services.AddSingleton<TimeProvider>(Clock));

    public HttpClient Client(string? token = null) => Client(Service, token);

    public static HttpClient Client(ServiceFactory<Program> service, string? token = null)
    {
        var client = service.CreateClient();
        if (token is not null)
        {
            client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", token);
        }

        return client;
    }

    public T Get<T>() where T : notnull => Service.Services.GetRequiredService<T>();

    public async Task DisposeAsync()
    {
        await Service.DisposeAsync();
        await Tokens.DisposeAsync();
        Cache.Dispose();
        await Database.DisposeAsync();
    }
}
