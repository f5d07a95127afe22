using AspireGateway.Tests;
using Identity.Api.Keys;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Identity;
using Microsoft.AspNetCore.TestHost;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Identity.Api.Tests;

/// <summary>
/// The service with the fixture's settings. Password hashing is cheaper than in production
/// (the suite registers and logs in hundreds of times on two cores) except where a test measures
/// it; the service's clock, or only the key schedule's, can be handed to the test.
/// </summary>
public sealed class IdentityFactory(
    CacheServer cache,
    IReadOnlyDictionary<string, string?> settings,
    int? hashIterations = IdentityFactory.TestHashIterations,
    TimeProvider? keyClock = null,
    CapturedLogs? logs = null,
    TimeProvider? clock = null,
    Action<IServiceCollection>? services = null) : ServiceFactory<Program>(cache, settings)
{
    public const int TestHashIterations = 10_000;

    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        base.ConfigureWebHost(builder);
        if (logs is not null)
        {
            // A provider-specific rule outranks appsettings' category levels: this one sees every
            // category from Information up, OpenIddict included (shipped at Warning). OpenIddict's own
            // Debug/Trace lines print whole tokens by design; the service never ships them on.
            builder.ConfigureLogging(logging => logging.AddProvider(logs).AddFilter<CapturedLogs>(null, LogLevel.Information));
        }

        builder.ConfigureTestServices(collection =>
        {
            services?.Invoke(collection);
            if (hashIterations is { } iterations)
            {
                collection.Configure<PasswordHasherOptions>(options => options.IterationCount = iterations);
            }

            if (clock is not null)
            {
                collection.AddSingleton(clock);
            }

            if (keyClock is not null)
            {
                collection.AddKeyedSingleton(KeysExtensions.ClockKey, keyClock);
            }
        });
    }
}
