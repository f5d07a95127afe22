using System.Globalization;
using Gateway.Api.Hardening;
using Microsoft.Extensions.Options;
using Yarp.ReverseProxy.Model;

namespace Gateway.Api.RateLimiting;

/// <summary>
/// Counts each request against its route's policy and answers for it: the <c>RateLimit-Policy</c>
/// and <c>RateLimit</c> headers on every limited response, and a 429 problem with
/// <c>Retry-After</c> once the budget is spent. <c>/health</c> has a policy of its own, generous
/// for a platform's probes and a stop for a flood; <c>/alive</c> costs nothing and is never limited.
/// </summary>
internal sealed class RateLimitingMiddleware(
    RequestDelegate next,
    DistributedRateLimiter limiter,
    IOptionsMonitor<RateLimitingOptions> options)
{
    public const string RouteMetadataKey = "RateLimitPolicy";

    private RateLimitingOptions _lastValid = options.CurrentValue;

    public async Task InvokeAsync(HttpContext context)
    {
        var settings = Current();
        if (!settings.Enabled || IsLiveness(context))
        {
            await next(context);
            return;
        }

        var policy = settings.Resolve(PolicyName(context));
        var decision = await limiter.AcquireAsync(policy, PartitionKey.For(context));
        if (decision.Allowed)
        {
            // Written as the response starts, so answers that reset headers (an upstream failure) still carry them.
            context.Response.OnStarting(static state =>
            {
                var (http, allowed) = ((HttpContext, RateLimitDecision))state;
                allowed.WriteHeaders(http.Response.Headers);
                return Task.CompletedTask;
            }, (context, decision));
            await next(context);
            return;
        }

        context.Response.StatusCode = StatusCodes.Status429TooManyRequests;
        decision.WriteHeaders(context.Response.Headers);
        context.Response.Headers.RetryAfter = Math.Max(1, decision.ResetSeconds).ToString(CultureInfo.InvariantCulture);
        await EdgeProblems.WriteAsync(context, StatusCodes.Status429TooManyRequests,
            string.Create(CultureInfo.InvariantCulture, $"The '{policy.Name}' limit of {decision.Limit} requests per {(long)decision.Window.TotalSeconds} seconds is used up; retry in {Math.Max(1, decision.ResetSeconds)} seconds."),
            "Too many requests");
    }

    private static bool IsLiveness(HttpContext context) =>
        context.GetEndpoint() is not null && context.Request.Path.StartsWithSegments(HealthExtensions.AlivePath);

    private static string? PolicyName(HttpContext context) =>
        context.GetEndpoint()?.Metadata.GetMetadata<RouteModel>()?.Config.Metadata is { } metadata
        && metadata.TryGetValue(RouteMetadataKey, out var name)
            ? name
            : context.GetEndpoint() is not null && context.Request.Path.StartsWithSegments(HealthExtensions.HealthPath) ? RateLimitingOptions.HealthPolicy : null;

    // A reload that fails validation keeps the last valid limits instead of failing every request.
    private RateLimitingOptions Current()
    {
        try
        {
            return _lastValid = options.CurrentValue;
        }
        catch (OptionsValidationException)
        {
            return _lastValid;
        }
    }
}
