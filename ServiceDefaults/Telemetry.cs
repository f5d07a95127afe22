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
                // Probes hit the health endpoints every few seconds; tracing them is noise.
                .AddAspNetCoreInstrumentation(asp => asp.Filter = context =>
                    !context.Request.Path.StartsWithSegments(HealthExtensions.HealthPath)
                    && !context.Request.Path.StartsWithSegments(HealthExtensions.AlivePath))
                .AddHttpClientInstrumentation());

        if (!string.IsNullOrWhiteSpace(builder.Configuration["OTEL_EXPORTER_OTLP_ENDPOINT"]))
        {
            builder.Services.AddOpenTelemetry().UseOtlpExporter();
        }

        return builder;
    }
}
