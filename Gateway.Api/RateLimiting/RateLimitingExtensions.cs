using Microsoft.Extensions.DependencyInjection.Extensions;

namespace Gateway.Api.RateLimiting;

internal static class RateLimitingExtensions
{
    /// <summary>
    /// Distributed rate limiting: per-route policies from <c>Gateway:RateLimiting</c>,
    /// counted in the shared cache (registered by <c>AddSharedCache</c>), with a local fallback,
    /// a health check that reports it, and the <c>AspireGateway.RateLimiting</c> meter.
    /// </summary>
    public static IHostApplicationBuilder AddDistributedRateLimiting(this IHostApplicationBuilder builder)
    {
        builder.Services.AddOptions<RateLimitingOptions>()
            .BindConfiguration(RateLimitingOptions.Section)
            .ValidateDataAnnotations()
            .ValidateOnStart();
        builder.Services.AddMetrics();
        builder.Services.TryAddSingleton(TimeProvider.System);
        builder.Services.AddSingleton<LocalRateLimiter>();
        builder.Services.AddSingleton<BudgetLeases>();
        builder.Services.AddSingleton<DistributedRateLimiter>();
        builder.Services.AddOptions<LoginThrottleOptions>()
            .BindConfiguration(LoginThrottleOptions.Section)
            .ValidateDataAnnotations()
            .ValidateOnStart();
        builder.Services.AddHostedService<RateLimitingWarmUp>();
        builder.Services.AddHealthChecks().AddCheck<RateLimitingHealthCheck>(RateLimitingHealthCheck.Name);
        return builder;
    }

    /// <summary>Hosted services start before the server listens, so the first request finds the script loaded.</summary>
    private sealed class RateLimitingWarmUp(DistributedRateLimiter limiter) : IHostedService
    {
        public Task StartAsync(CancellationToken cancellationToken) => limiter.WarmUpAsync(cancellationToken);

        public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
    }

    /// <summary>After authentication (the key is the token's <c>sub</c>), before authorization.</summary>
    public static IApplicationBuilder UseDistributedRateLimiting(this IApplicationBuilder app) =>
        app.UseMiddleware<RateLimitingMiddleware>();

    /// <summary>In the proxy pipeline, after the route's body rules: only a well-formed login is read.</summary>
    public static IApplicationBuilder UseLoginThrottle(this IApplicationBuilder proxy) =>
        proxy.UseMiddleware<LoginThrottleMiddleware>();
}
