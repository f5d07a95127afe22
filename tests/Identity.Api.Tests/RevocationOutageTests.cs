using System.Globalization;
using System.Net;
using AspireGateway.Tests;
using Garnet;
using Microsoft.Extensions.Time.Testing;
using StackExchange.Redis;

namespace Identity.Api.Tests;

/// <summary>
/// A session that ends while the cache is down. Each test runs its own Garnet on a fixed port (to stop
/// it and start a new one where the service's connection expects it), its own database (so no other
/// instance's republisher settles the entry first) and the service's clock, which drives the retries.
/// </summary>
[Collection(IdentityCollection.Name)]
public sealed class RevocationOutageTests(IdentityFixture fixture) : IAsyncLifetime
{
    private static readonly TimeSpan RetryInterval = TimeSpan.FromSeconds(2);
    private static readonly TimeSpan KeyLifetime = TimeSpan.FromMinutes(5) + TimeSpan.FromSeconds(60);
    private readonly int _port = Ports.FreeLoopback();
    private readonly TestDatabase _database = new("identity");
    private readonly FakeTimeProvider _clock = new(DateTimeOffset.UtcNow);

    private string CacheAddress => OwnCache.Address(_port);

    [Fact]
    public async Task ALogoutDuringACacheOutageIsPublishedOnceTheCacheIsBack()
    {
        var cache = StartCache();
        await using var service = Service();
        using var api = new IdentityClient(service.CreateClient());
        var (tokens, _, _) = await api.NewUserAsync();
        var sid = SessionTests.Sid(tokens.AccessToken);
        cache.Dispose();
        var loggedOutAt = _clock.GetUtcNow();

        Assert.Equal(HttpStatusCode.NoContent, await api.StatusAsync(api.PostAsync("/api/v1/auth/logout", tokens.AccessToken)));

        // Identity's own check needs no cache: the session is revoked in the database at once.
        Assert.Equal(HttpStatusCode.Unauthorized, await api.StatusAsync(api.GetAsync("/api/v1/auth/me", tokens.AccessToken)));
        Assert.Equal(1, await PendingAsync(sid));
        // Three minutes of outage, retried all along, leave the key three minutes to live.
        await TickAsync(TimeSpan.FromMinutes(3));
        Assert.Equal(1, await PendingAsync(sid));

        using var restarted = StartCache();
        await using var observer = await ConnectionMultiplexer.ConnectAsync(CacheAddress);
        var published = new TaskCompletionSource<string>(TaskCreationOptions.RunContinuationsAsynchronously);
        await observer.GetSubscriber().SubscribeAsync(RedisChannel.Literal("revocations"), (_, message) =>
        {
            if (message == sid)
            {
                published.TrySetResult(sid);
            }
        });
        await TickUntilAsync(published.Task);

        Assert.Equal(sid, await published.Task);
        var key = await observer.GetDatabase().StringGetWithExpiryAsync("revoked:sid:" + sid);
        Assert.Equal("1", key.Value);
        var elapsed = _clock.GetUtcNow() - loggedOutAt;
        Assert.InRange(key.Expiry!.Value, KeyLifetime - elapsed - TimeSpan.FromSeconds(10), KeyLifetime - TimeSpan.FromMinutes(3));
        await TickUntilAsync(async () => await PendingAsync(sid) == 0);
    }

    [Fact]
    public async Task ARevocationWhoseTokensHaveAllExpiredIsDroppedUnpublished()
    {
        var cache = StartCache();
        await using var service = Service();
        using var api = new IdentityClient(service.CreateClient());
        var (tokens, _, _) = await api.NewUserAsync();
        var sid = SessionTests.Sid(tokens.AccessToken);
        cache.Dispose();
        Assert.Equal(HttpStatusCode.NoContent, await api.StatusAsync(api.PostAsync("/api/v1/auth/logout", tokens.AccessToken)));
        Assert.Equal(1, await PendingAsync(sid));

        // Still no cache: only the expiry can settle the entry.
        _clock.Advance(KeyLifetime + TimeSpan.FromSeconds(1));

        await TickUntilAsync(async () => await PendingAsync(sid) == 0);
    }

    public Task InitializeAsync() => Task.CompletedTask;

    public async Task DisposeAsync() => await _database.DisposeAsync();

    private IdentityFactory Service() => fixture.WithSettings(
        new Dictionary<string, string?>
        {
            ["ConnectionStrings:cache"] = CacheAddress,
            ["ConnectionStrings:identitydb"] = _database.ConnectionString,
            ["Identity:Revocations:RetryInterval"] = RetryInterval.ToString("c", CultureInfo.InvariantCulture),
        },
        clock: _clock);

    private GarnetServer StartCache() => OwnCache.Start(_port);

    /// <summary>Moves the service's clock one retry interval at a time.</summary>
    private async Task TickAsync(TimeSpan total)
    {
        for (var moved = TimeSpan.Zero; moved < total; moved += RetryInterval)
        {
            _clock.Advance(RetryInterval);
            await Task.Delay(20);
        }
    }

    /// <summary>One retry interval after another until the condition holds; the service's connection comes back meanwhile.</summary>
    private async Task TickUntilAsync(Func<Task<bool>> condition)
    {
        var deadline = DateTime.UtcNow.AddSeconds(60);
        while (!await condition())
        {
            Assert.True(DateTime.UtcNow < deadline, "the pending revocation was not settled in time");
            _clock.Advance(RetryInterval);
            await Task.Delay(250);
        }
    }

    private Task TickUntilAsync(Task published) => TickUntilAsync(() => Task.FromResult(published.IsCompleted));

    private Task<long> PendingAsync(string sid) =>
        _database.CountAsync("""SELECT COUNT(*) FROM "PendingRevocations" WHERE "SessionId" = @sid""", ("@sid", sid));
}
