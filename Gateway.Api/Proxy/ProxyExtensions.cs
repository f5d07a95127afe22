using Gateway.Api.RateLimiting;
using Yarp.ReverseProxy.Forwarder;

namespace Gateway.Api.Proxy;

internal static class ProxyExtensions
{
    public const string Section = "ReverseProxy";

    /// <summary>
    /// YARP with routes and clusters from configuration (section <c>ReverseProxy</c>, reloaded on
    /// change); cluster addresses such as <c>https+http://trading</c> resolve through Aspire service
    /// discovery. Each route names its policies: <c>AuthorizationPolicy</c>,
    /// <c>Timeout</c>, <c>MaxRequestBodySize</c>, and in <c>Metadata</c>: <c>RateLimitPolicy</c>,
    /// <c>ContentTypes</c>, <c>RequireIdempotencyKey</c>. Every cluster's destinations are probed
    /// (<see cref="DestinationProbes"/>) and every attempt goes through its destination's pipeline.
    /// </summary>
    public static IHostApplicationBuilder AddGatewayProxy(this IHostApplicationBuilder builder)
    {
        builder.Services.AddOptions<RequestRulesOptions>().BindConfiguration(RequestRulesOptions.Section).ValidateDataAnnotations().ValidateOnStart();
        builder.Services.AddOptions<ResilienceOptions>().BindConfiguration(ResilienceOptions.Section)
            .Validate(o => o.AttemptTimeout > TimeSpan.Zero, $"{ResilienceOptions.Section}:AttemptTimeout must be positive.")
            .ValidateOnStart();
        builder.Services.AddSingleton<DestinationResilience>();
        builder.Services.AddSingleton<IForwarderHttpClientFactory, ResilientForwarderHttpClientFactory>();
        builder.Services.AddReverseProxy()
            .LoadFromConfig(builder.Configuration.GetSection(Section))
            .AddConfigFilter<DestinationProbes>()
            .AddServiceDiscoveryDestinationResolver();
        builder.Services.AddSingleton<Yarp.ReverseProxy.Health.IProbingRequestFactory, ProbeRequests>();
        return builder;
    }

    public static IEndpointRouteBuilder MapGatewayProxy(this IEndpointRouteBuilder routes)
    {
        routes.MapReverseProxy(proxy =>
        {
            proxy.UseMiddleware<RouteRules>();
            proxy.UseLoginThrottle();
            proxy.UseMiddleware<UpstreamErrors>();
        });
        return routes;
    }

    /// <summary><c>GET /</c>: what this service is and where its docs live.</summary>
    public static IEndpointRouteBuilder MapServiceInfo(this IEndpointRouteBuilder routes)
    {
        var version = typeof(ProxyExtensions).Assembly.GetName().Version?.ToString(3) ?? "0.0.0";
        routes.MapGet("/", () => TypedResults.Ok(new ServiceInfo("aspire-gateway", version, "ok", "/api/docs")))
            .WithTags("Gateway");
        return routes;
    }
}

internal sealed record ServiceInfo(string Service, string Version, string Status, string Docs);
