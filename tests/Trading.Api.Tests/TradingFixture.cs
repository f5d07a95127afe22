using System.Net.Http.Headers;
using System.Security.Cryptography;
using AspireGateway.Tests;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;

namespace Trading.Api.Tests;

/// <summary>
/// Trading.Api with its real dependencies: a cache server, a SQLite file of its own, an AES key
/// made for this run, and a token issuer publishing a real JWKS. The market clock is fake so tests
/// move it; token lifetimes run on the real clock.
/// </summary>
public sealed class TradingFixture : IAsyncLifetime
{
    private readonly string _directory = Path.Combine(Path.GetTempPath(), $"trading-tests-{Guid.NewGuid():N}");

    public CacheServer Cache { get; } = new();

    public TestTokenIssuer Tokens { get; private set; } = null!;

    public FakeTimeProvider Clock { get; } = new(DateTimeOffset.UtcNow);

    public ServiceFactory<Program> Service { get; private set; } = null!;

    public string DatabasePath => Path.Combine(_directory, "trading.db");

    public async Task InitializeAsync()
    {
        Directory.CreateDirectory(_directory);
        Tokens = await TestTokenIssuer.StartAsync();
        Service = new ServiceFactory<Program>(Cache, new Dictionary<string, string?>
        {
            ["ConnectionStrings:tradingdb"] = $"Data Source={DatabasePath}",
            ["Auth:Authority"] = Tokens.Address,
            ["Trading:Encryption:ActiveKeyId"] = "k1",
            ["Trading:Encryption:Keys:k1"] = Convert.ToBase64String(RandomNumberGenerator.GetBytes(32)), // 44 characters of key material
            ["Trading:Matcher:Interval"] = "01:00:00",
        }, services => services.AddSingleton<TimeProvider>(Clock));
        using var warmUp = Service.CreateClient();
    }

    public HttpClient Client(string? token = null)
    {
        var client = Service.CreateClient();
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
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        Directory.Delete(_directory, recursive: true);
    }
}
