using AspireGateway.Tests;
using Identity.Api.Keys;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Identity;
using Microsoft.AspNetCore.TestHost;
using Microsoft.Extensions.DependencyInjection;

namespace Identity.Api.Tests;

/// <summary>
/// The service with the fixture's settings. Password hashing is cheaper than in production
/// (the suite registers and logs in hundreds of times on two cores) except where a test measures
/// it; the key schedule's clock can be handed to the test.
/// </summary>
public sealed class IdentityFactory(
    CacheServer cache,
    IReadOnlyDictionary<string, string?> settings,
    int? hashIterations = IdentityFactory.TestHashIterations,
    TimeProvider? keyClock = null) : ServiceFactory<Program>(cache, settings)
{
    public const int TestHashIterations = 10_000;

    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        base.ConfigureWebHost(builder);
        builder.ConfigureTestServices(services =>
        {
            if (hashIterations is { } iterations)
            {
                services.Configure<PasswordHasherOptions>(options => options.IterationCount = iterations);
            }

            if (keyClock is not null)
            {
                services.AddKeyedSingleton(KeysExtensions.ClockKey, keyClock);
            }
        });
    }
}
