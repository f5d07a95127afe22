using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Diagnostics.HealthChecks;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace Microsoft.Extensions.Hosting;

/// <summary>
/// <c>/alive</c> answers while the process runs; <c>/health</c> answers 200 only when the service's
/// dependencies answer too, from a report at most a few seconds old (<see cref="ReadinessCache"/>).
/// Both are anonymous (Azure Container Apps probes them), so the body carries only the overall
/// status: which dependency failed is for logs and traces, not callers.
/// </summary>
public static class HealthExtensions
{
    public const string HealthPath = "/health";
    public const string AlivePath = "/alive";
    public const string LiveTag = "live";

    public static TBuilder AddDefaultHealthChecks<TBuilder>(this TBuilder builder) where TBuilder : IHostApplicationBuilder
    {
        builder.Services.AddHealthChecks()
            .AddCheck("self", () => HealthCheckResult.Healthy(), [LiveTag]);
        builder.Services.TryAddSingleton(TimeProvider.System);
        builder.Services.AddSingleton<ReadinessCache>();
        return builder;
    }

    internal static void MapHealthEndpoints(this WebApplication app)
    {
        app.MapGet(HealthPath, static async (ReadinessCache readiness, HttpContext context) =>
        {
            var report = await readiness.GetAsync().WaitAsync(context.RequestAborted);
            context.Response.StatusCode = report.Status == HealthStatus.Unhealthy ? StatusCodes.Status503ServiceUnavailable : StatusCodes.Status200OK;
            await WriteStatusOnly(context, report);
        }).DisableHttpMetrics().ExcludeFromDescription();
        app.MapHealthChecks(AlivePath, new HealthCheckOptions
        {
            Predicate = check => check.Tags.Contains(LiveTag),
            ResponseWriter = WriteStatusOnly,
        }).DisableHttpMetrics();
    }

    // Degraded stays 200 (the service still answers), Unhealthy is 503: the framework default.
    private static Task WriteStatusOnly(HttpContext context, HealthReport report)
    {
        context.Response.ContentType = "application/json";
        context.Response.Headers.CacheControl = "no-store";
        var status = report.Status switch
        {
            HealthStatus.Healthy => "healthy",
            HealthStatus.Degraded => "degraded",
            _ => "unhealthy",
        };
        return context.Response.WriteAsync(JsonSerializer.Serialize(new { status }), context.RequestAborted);
    }
}
