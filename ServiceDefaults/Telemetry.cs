using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using OpenTelemetry;
using OpenTelemetry.Metrics;
using OpenTelemetry.Trace;

namespace Microsoft.Extensions.Hosting;

/// <summary>OpenTelemetry logs, metrics and traces; exported over OTLP when an endpoint is configured.</summary>
public static class TelemetryExtensions
{
    /// <summary>Meter and activity source names every service registers under.</summary>
    public const string SourcePrefix = "AspireGateway.";

    /// <summary>
    /// Paths of the system talking to itself every few seconds (probes, the gateway's pull of the
    /// identity service's security events): traced neither as a server nor as a client request,
    /// so a user's request is what the dashboard's trace view shows.
    /// </summary>
    public static readonly string[] BackgroundPaths = [HealthExtensions.HealthPath, HealthExtensions.AlivePath, "/internal/security-events"];

    public static TBuilder ConfigureOpenTelemetry<TBuilder>(this TBuilder builder) where TBuilder : IHostApplicationBuilder
    {
        builder.Logging.AddOpenTelemetry(logging =>
        {
            logging.IncludeFormattedMessage = true;
            logging.IncludeScopes = true;
        });

        builder.Services.AddOpenTelemetry()
            .WithMetrics(metrics => metrics
                .AddAspNetCoreInstrumentation()
                .AddHttpClientInstrumentation()
                .AddRuntimeInstrumentation()
                .AddMeter(SourcePrefix + "*"))
            .WithTracing(tracing => tracing
                .AddSource(builder.Environment.ApplicationName)
                .AddSource(SourcePrefix + "*")
                .AddAspNetCoreInstrumentation(asp => asp.Filter = context => !IsBackground(context.Request.Path.Value))
                .AddHttpClientInstrumentation(http => http.FilterHttpRequestMessage = request => !IsBackground(request.RequestUri?.AbsolutePath)));

        if (!string.IsNullOrWhiteSpace(builder.Configuration["OTEL_EXPORTER_OTLP_ENDPOINT"]))
        {
            builder.Services.AddOpenTelemetry().UseOtlpExporter();
        }

        return builder;
    }

    public static bool IsBackground(string? path) =>
        path is not null && Array.Exists(BackgroundPaths, background =>
            path.StartsWith(background, StringComparison.OrdinalIgnoreCase)
            && (path.Length == background.Length || path[background.Length] == '/'));
}
