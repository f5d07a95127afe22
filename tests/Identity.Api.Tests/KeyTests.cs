using System.IdentityModel.Tokens.Jwt;
using System.Net;
using AspireGateway.Tests;
using Identity.Api.Keys;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;

namespace Identity.Api.Tests;

[Collection(IdentityCollection.Name)]
public sealed class KeyTests(IdentityFixture fixture) : IAsyncLifetime
{
    private readonly List<TestDatabase> _databases = [];

    [Fact]
    public async Task RotationPublishesTheNextKeyBeforeItSignsAndKeepsTheOldOneForLiveTokens()
    {
        var clock = new FakeTimeProvider(DateTimeOffset.UtcNow);
        await using var service = fixture.WithSettings(new Dictionary<string, string?> { ["ConnectionStrings:identitydb"] = FreshDatabase().ConnectionString }, keyClock: clock);
        using var api = new IdentityClient(service.CreateClient());
        var rotation = service.Services.GetRequiredService<KeyRotationService>();
        var (first, email, password) = await api.NewUserAsync();
        var firstKid = Kid(first.AccessToken);
        Assert.Equal([firstKid], await JwksKidsAsync(api));

        // 30-day rotation, announced one day ahead: just past day 29 the successor is published...
        clock.Advance(TimeSpan.FromDays(29) + TimeSpan.FromMinutes(1));
        await rotation.RefreshAsync(CancellationToken.None);
        var published = await JwksKidsAsync(api);
        Assert.Equal(2, published.Count);
        Assert.Equal(firstKid, Kid((await api.LoginOkAsync(email, password)).AccessToken));

        // ...and it signs from day 30, while tokens of the old key still validate.
        clock.Advance(TimeSpan.FromDays(1));
        await rotation.RefreshAsync(CancellationToken.None);
        var second = await api.LoginOkAsync(email, password);
        var secondKid = Kid(second.AccessToken);
        Assert.NotEqual(firstKid, secondKid);
        Assert.Contains(secondKid, published);
        Assert.Equal(HttpStatusCode.OK, await api.StatusAsync(api.GetAsync("/api/v1/auth/me", first.AccessToken)));
        Assert.Equal(HttpStatusCode.OK, await api.StatusAsync(api.RefreshAsync(first.RefreshToken!)));

        // Once no token of the old key can be alive (refresh-token lifetime), it leaves the JWKS.
        clock.Advance(TimeSpan.FromDays(15));
        await rotation.RefreshAsync(CancellationToken.None);
        Assert.Equal([secondKid], await JwksKidsAsync(api));
    }

    [Fact]
    public async Task ReplicasStartingTogetherOnAnEmptyDatabaseStoreOneSigningKeyAndPublishTheSameJwks()
    {
        var database = FreshDatabase();
        var settings = new Dictionary<string, string?> { ["ConnectionStrings:identitydb"] = database.ConnectionString };
        var replicas = new[] { fixture.WithSettings(settings), fixture.WithSettings(settings), fixture.WithSettings(settings) };
        try
        {
            // Creating a client starts the host, and with it the key store's first refresh.
            var clients = await Task.WhenAll(replicas.Select(replica => Task.Run(() => new IdentityClient(replica.CreateClient()))));
            var published = await Task.WhenAll(clients.Select(JwksKidsAsync));

            Assert.Equal(1, await database.CountAsync("""SELECT COUNT(*) FROM "ServerKeys" WHERE "Use" = 'sig'"""));
            Assert.All(published, kids => Assert.Equal(published[0], kids));
            Assert.Single(published[0]);
        }
        finally
        {
            foreach (var replica in replicas)
            {
                await replica.DisposeAsync();
            }
        }
    }

    [Fact]
    public async Task ProductionRefusesToStartWithoutTheKeySecret()
    {
        await using var production = fixture.WithSettings(new Dictionary<string, string?>
        {
            ["environment"] = "Production",
            ["ConnectionStrings:identitydb"] = FreshDatabase().ConnectionString,
        });

        var error = Record.Exception(() => production.Server);

        Assert.NotNull(error);
        Assert.Contains("Identity:Keys:Secret is not configured", error.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task ProductionWithASecretStoresTheSigningKeysEncryptedAndSeedsNoDemoUser()
    {
        var database = FreshDatabase();
        await using var production = fixture.WithSettings(new Dictionary<string, string?>
        {
            ["environment"] = "Production",
            ["ConnectionStrings:identitydb"] = database.ConnectionString,
            ["Identity:Keys:Secret"] = Convert.ToBase64String(System.Security.Cryptography.RandomNumberGenerator.GetBytes(32)),
        });
        using var api = new IdentityClient(production.CreateClient());

        Assert.Equal(HttpStatusCode.Unauthorized, await api.StatusAsync(api.LoginAsync("admin@example.com", fixture.DemoPassword)));
        var (tokens, _, _) = await api.NewUserAsync();
        Assert.Equal(HttpStatusCode.OK, await api.StatusAsync(api.GetAsync("/api/v1/auth/me", tokens.AccessToken)));
        await using var connection = await database.OpenAsync();
        await using var command = TestDatabase.Command(connection, """SELECT DISTINCT "Use" || ':' || "Protection" FROM "ServerKeys" """);
        var protections = new List<string>();
        await using var reader = await command.ExecuteReaderAsync();
        while (await reader.ReadAsync())
        {
            protections.Add(reader.GetString(0));
        }

        Assert.Equal(["sig:aes-gcm"], protections);
    }

    public Task InitializeAsync() => Task.CompletedTask;

    public async Task DisposeAsync()
    {
        foreach (var database in _databases)
        {
            await database.DisposeAsync();
        }
    }

    private TestDatabase FreshDatabase()
    {
        var database = new TestDatabase("identity");
        _databases.Add(database);
        return database;
    }

    private static string Kid(string accessToken) => new JwtSecurityTokenHandler().ReadJwtToken(accessToken).Header.Kid;

    private static async Task<List<string>> JwksKidsAsync(IdentityClient api)
    {
        using var response = await api.GetAsync("/.well-known/jwks", accessToken: null);
        return [.. (await IdentityClient.JsonAsync(response)).GetProperty("keys").EnumerateArray().Select(key => key.GetProperty("kid").GetString()!)];
    }
}
