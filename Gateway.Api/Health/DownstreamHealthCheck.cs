using Microsoft.Extensions.Diagnostics.HealthChecks;
using Yarp.ReverseProxy;

namespace Gateway.Api.Health;

internal static class DownstreamHealthExtensions
{
    public const string HttpClientName = "downstream-health";

    /// <summary>The gateway is ready only when every proxied service answers its own <c>/health</c>.</summary>
    public static IHostApplicationBuilder AddDownstreamHealth(this IHostApplicationBuilder builder)
    {
        // No resilience handler: a health probe reports what it sees now, it does not retry.
        // RemoveAllResilienceHandlers is marked experimental (EXTEXP0001) but is the documented way out of the defaults.
#pragma warning disable EXTEXP0001
        builder.Services.AddHttpClient(HttpClientName, client => client.Timeout = TimeSpan.FromSeconds(2))
            .RemoveAllResilienceHandlers();
#pragma warning restore EXTEXP0001
        builder.Services.AddHealthChecks()
            .AddCheck<DownstreamHealthCheck>("downstream", timeout: TimeSpan.FromSeconds(3));
        return builder;
    }
}

/// <summary>
/// Asks every destination of every YARP cluster for its <c>/health</c>; a cluster whose every
/// destination is down by the proxy's own probes is down too, so that the gateway is never ready
/// while a route would answer 503.
/// </summary>
internal sealed class DownstreamHealthCheck(IProxyStateLookup proxyState, IHttpClientFactory clients) : IHealthCheck
{
    public async Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        var client = clients.CreateClient(DownstreamHealthExtensions.HttpClientName);
        var probes = proxyState.GetClusters()
            .SelectMany(cluster => cluster.Destinations.Values.Select(destination => (cluster.ClusterId, destination.Model.Config.Address)))
            .Select(async target => (target.ClusterId, Healthy: await IsHealthyAsync(client, target.Address, cancellationToken).ConfigureAwait(false)))
            .ToList();
        if (probes.Count == 0)
        {
            return HealthCheckResult.Unhealthy("No downstream destination is configured.");
        }

        var results = await Task.WhenAll(probes).ConfigureAwait(false);
        var down = results.Where(r => !r.Healthy).Select(r => r.ClusterId)
            .Concat(proxyState.GetClusters().Where(c => c.DestinationsState.AvailableDestinations.Count == 0).Select(c => c.ClusterId))
            .Distinct().ToList();
        return down.Count == 0
            ? HealthCheckResult.Healthy()
            : HealthCheckResult.Unhealthy($"Unhealthy clusters: {string.Join(", ", down)}");
    }

    private static async Task<bool> IsHealthyAsync(HttpClient client, string address, CancellationToken cancellationToken)
    {
        try
        {
            using var response = await client.GetAsync(new Uri(new Uri(address), "/health"), cancellationToken).ConfigureAwait(false);
            return response.IsSuccessStatusCode;
        }
        catch (Exception ex) when (ex is HttpRequestException or TaskCanceledException)
        {
            return false;
        }
    }
}
