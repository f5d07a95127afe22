using System.Security.Cryptography;
using AspireGateway.Tests;
using Microsoft.Extensions.DependencyInjection;

namespace Identity.Api.Tests;

/// <summary>
/// Identity.Api with its real dependencies: a cache server, a database of its own (SQLite, or
/// PostgreSQL when CI names a server), a random
/// demo password, an issuer and two confidential clients. <see cref="WithSettings"/> starts another
/// instance on the same database and cache, as a redeploy or a second replica would.
/// </summary>
public sealed class IdentityFixture : IAsyncLifetime
{
    /// <summary>Another host than the test server's, as the gateway's is in the AppHost.</summary>
    public const string Issuer = "http://gateway.example:5100/";
    public const string PartnerClientId = "partner-app";
    public const string AuditClientId = "audit-service";

    public IdentityFixture()
    {
        Settings = new Dictionary<string, string?>
        {
            ["ConnectionStrings:identitydb"] = Database.ConnectionString,
            ["Identity:Issuer"] = Issuer,
            ["Identity:DemoUsers:Password"] = DemoPassword,
            ["Identity:Clients:0:ClientId"] = PartnerClientId,
            ["Identity:Clients:0:ClientSecret"] = PartnerSecret,
            ["Identity:Clients:0:Scopes"] = "trading:read trading:write",
            ["Identity:Clients:1:ClientId"] = AuditClientId,
            ["Identity:Clients:1:ClientSecret"] = AuditSecret,
            ["Identity:Clients:1:Scopes"] = "audit:read",
        };
        Service = new IdentityFactory(Cache, Settings);
    }

    public CacheServer Cache { get; } = new();

    public TestDatabase Database { get; } = new("identity");

    /// <summary>Random per run: no password is written in the tests either.</summary>
    public string DemoPassword { get; } = Convert.ToBase64String(RandomNumberGenerator.GetBytes(12));

    public string PartnerSecret { get; } = Convert.ToBase64String(RandomNumberGenerator.GetBytes(24));

    public string AuditSecret { get; } = Convert.ToBase64String(RandomNumberGenerator.GetBytes(24));

    public Dictionary<string, string?> Settings { get; }

    public IdentityFactory Service { get; }

    public HttpClient CreateClient() => Service.CreateClient();

    public IdentityClient Api() => new(Service.CreateClient());

    /// <summary>A new instance with other settings, on the same database (caller disposes it).</summary>
    public IdentityFactory WithSettings(
        IReadOnlyDictionary<string, string?> overrides, int? hashIterations = IdentityFactory.TestHashIterations,
        TimeProvider? keyClock = null, CapturedLogs? logs = null, TimeProvider? clock = null, Action<IServiceCollection>? services = null) =>
        new(Cache, Settings.Concat(overrides).GroupBy(pair => pair.Key).ToDictionary(group => group.Key, group => group.Last().Value), hashIterations, keyClock, logs, clock, services);

    /// <summary>Clears failed-login counts straight in the database, as an admin unlock would.</summary>
    public Task ResetLockoutAsync(string email) =>
        Database.ExecuteAsync("""UPDATE "AspNetUsers" SET "AccessFailedCount" = 0, "LockoutEnd" = NULL WHERE "NormalizedEmail" = @email""", ("@email", email.ToUpperInvariant()));

    public Task InitializeAsync()
    {
        _ = Service.Server;
        return Task.CompletedTask;
    }

    public async Task DisposeAsync()
    {
        await Service.DisposeAsync();
        Cache.Dispose();
        await Database.DisposeAsync();
    }
}

[CollectionDefinition(Name)]
public sealed class IdentityCollection : ICollectionFixture<IdentityFixture>
{
    public const string Name = "identity";
}
