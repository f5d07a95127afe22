using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using StackExchange.Redis;

namespace Microsoft.Extensions.Hosting;

/// <summary>The shared Redis-protocol cache every service uses (Aspire resource <c>cache</c>).</summary>
public static class CacheExtensions
{
    public const string ConnectionName = "cache";

    /// <summary>
    /// Registers <see cref="IConnectionMultiplexer"/> for the <c>cache</c> connection string and a
    /// readiness check that writes and reads a key, so "healthy" means the cache really works.
    /// </summary>
    public static TBuilder AddSharedCache<TBuilder>(this TBuilder builder) where TBuilder : IHostApplicationBuilder
    {
        builder.AddRedisClient(
            ConnectionName,
            settings => settings.DisableHealthChecks = true,
            options =>
            {
                // Start even while the cache is down, and reconnect by itself when it returns.
                options.AbortOnConnectFail = false;
                options.ConnectTimeout = 2000;
            });

        builder.Services.AddHealthChecks()
            .AddCheck<CacheRoundTripHealthCheck>(ConnectionName, timeout: TimeSpan.FromSeconds(2));
        return builder;
    }
}

internal sealed class CacheRoundTripHealthCheck(IConnectionMultiplexer cache, IHostEnvironment environment) : IHealthCheck
{
    private readonly RedisKey _key = $"health:{environment.ApplicationName}:{Environment.MachineName}:{Environment.ProcessId}";

    public async Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        try
        {
            var database = cache.GetDatabase();
            var written = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds().ToString(System.Globalization.CultureInfo.InvariantCulture);
            await database.StringSetAsync(_key, written, TimeSpan.FromMinutes(1)).WaitAsync(cancellationToken);
            var read = await database.StringGetAsync(_key).WaitAsync(cancellationToken);
            return read == written
                ? HealthCheckResult.Healthy()
                : HealthCheckResult.Unhealthy("The cache returned another value than the one written.");
        }
        catch (Exception ex) when (ex is RedisException or TimeoutException or OperationCanceledException)
        {
            return HealthCheckResult.Unhealthy("The cache did not answer.", ex);
        }
    }
}
