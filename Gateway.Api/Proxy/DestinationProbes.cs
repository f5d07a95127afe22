using System.Net;
using Yarp.ReverseProxy.Configuration;
using Yarp.ReverseProxy.Health;
using Yarp.ReverseProxy.Model;

namespace Gateway.Api.Proxy;

/// <summary>
/// Active health checks for every cluster, unless its configuration says otherwise: each
/// destination's <c>/alive</c> every 5 s with a 2 s budget; after two failures in a row the
/// destination is down and its routes answer 503 at once (<see cref="UpstreamErrors"/>), until one
/// probe passes again. Liveness, not readiness: a service whose cache is down still serves (it is
/// built to), so only a process that no longer answers is taken out.
/// </summary>
internal sealed class DestinationProbes : IProxyConfigFilter
{
    public static readonly TimeSpan Interval = TimeSpan.FromSeconds(5);
    public static readonly TimeSpan Timeout = TimeSpan.FromSeconds(2);

    public ValueTask<ClusterConfig> ConfigureClusterAsync(ClusterConfig cluster, CancellationToken cancel)
    {
        var health = cluster.HealthCheck ?? new HealthCheckConfig();
        var active = health.Active ?? new ActiveHealthCheckConfig();
        return ValueTask.FromResult(cluster with
        {
            HealthCheck = health with
            {
                // YARP's default (HealthyOrPanic) sends traffic to every destination once none is healthy:
                // a cluster of one dead destination would keep hanging its clients.
                AvailableDestinationsPolicy = health.AvailableDestinationsPolicy ?? HealthCheckConstants.AvailableDestinations.HealthyAndUnknown,
                Active = active with
                {
                    Enabled = active.Enabled ?? true,
                    Interval = active.Interval ?? Interval,
                    Timeout = active.Timeout ?? Timeout,
                    Policy = active.Policy ?? HealthCheckConstants.ActivePolicy.ConsecutiveFailures,
                    Path = active.Path ?? HealthExtensions.AlivePath,
                },
            },
        });
    }

    public ValueTask<RouteConfig> ConfigureRouteAsync(RouteConfig route, ClusterConfig? cluster, CancellationToken cancel) =>
        ValueTask.FromResult(route);

    /// <summary>How long a client is told to wait while its route's cluster is down: until the next probe.</summary>
    public static TimeSpan RetryAfter(ClusterModel? cluster) => cluster?.Config.HealthCheck?.Active?.Interval ?? Interval;
}

/// <summary>
/// A probe as YARP makes it (GET of the destination's health address and the cluster's path),
/// marked so that it bypasses the destination's retries and breaker: a probe reports what it sees
/// now, and is not counted as traffic.
/// </summary>
internal sealed class ProbeRequests : IProbingRequestFactory
{
    public static readonly HttpRequestOptionsKey<bool> IsProbe = new("gateway.health-probe");

    public HttpRequestMessage CreateRequest(ClusterModel cluster, DestinationModel destination)
    {
        var address = destination.Config.Health is { Length: > 0 } health ? health : destination.Config.Address;
        var path = cluster.Config.HealthCheck?.Active?.Path ?? HealthExtensions.AlivePath;
        var request = new HttpRequestMessage(HttpMethod.Get, new Uri(address.TrimEnd('/') + path))
        {
            Version = cluster.Config.HttpRequest?.Version ?? HttpVersion.Version20,
            VersionPolicy = cluster.Config.HttpRequest?.VersionPolicy ?? HttpVersionPolicy.RequestVersionOrLower,
        };
        request.Options.Set(IsProbe, true);
        return request;
    }
}
