namespace Gateway.Api.Hardening;

internal static class HardeningExtensions
{
    public static IHostApplicationBuilder AddEdgeHardening(this IHostApplicationBuilder builder)
    {
        builder.Services.AddOptions<EdgeOptions>().BindConfiguration(EdgeOptions.Section);
        builder.Services.AddCors();
        builder.Services.AddSingleton<Microsoft.Extensions.Options.IConfigureOptions<Microsoft.AspNetCore.Cors.Infrastructure.CorsOptions>, CorsFromEdgeOptions>();
        builder.Services.AddRequestTimeouts();
        // Kestrel refuses a header byte above 0x7F with a bare 400 before any middleware runs: no
        // security headers, no request id, no problem. Read as Latin-1, such a request reaches the
        // pipeline, where the request-id rule replaces a malformed X-Request-Id and a route refuses
        // any other such value it would have to forward (RouteRules).
        builder.Services.Configure<Microsoft.AspNetCore.Server.Kestrel.Core.KestrelServerOptions>(
            kestrel => kestrel.RequestHeaderEncodingSelector = static _ => System.Text.Encoding.Latin1);
        builder.Services.AddOptions<ForwardedHeadersOptions>().Configure<Microsoft.Extensions.Options.IOptions<EdgeOptions>>((forwarded, edge) =>
        {
            // X-Forwarded-For is believed only from the configured proxies, and only their last hop.
            // Empty lists would mean "trust everyone" to the middleware, so no proxies means no processing.
            forwarded.ForwardedHeaders = edge.Value.TrustedProxies.Length == 0
                ? Microsoft.AspNetCore.HttpOverrides.ForwardedHeaders.None
                : Microsoft.AspNetCore.HttpOverrides.ForwardedHeaders.XForwardedFor | Microsoft.AspNetCore.HttpOverrides.ForwardedHeaders.XForwardedProto;
            forwarded.KnownProxies.Clear();
            forwarded.KnownIPNetworks.Clear();
            foreach (var proxy in edge.Value.TrustedProxies)
            {
                if (System.Net.IPNetwork.TryParse(proxy.Contains('/', StringComparison.Ordinal) ? proxy : $"{proxy}/{(proxy.Contains(':', StringComparison.Ordinal) ? 128 : 32)}", out var network))
                {
                    forwarded.KnownIPNetworks.Add(network);
                }
            }
        });
        return builder;
    }

    /// <summary>Request id, client-header stripping and the response security headers.</summary>
    public static IApplicationBuilder UseEdgeHardening(this IApplicationBuilder app) => app.UseForwardedHeaders().Use(static (context, next) =>
    {
        var requestId = RequestId.Assign(context);
        HeaderStripping.RemoveClientSuppliedIdentity(context.Request.Headers);
        context.Response.OnStarting(static state =>
        {
            var (http, id) = ((HttpContext, string))state;
            SecurityHeaders.Apply(http);
            http.Response.Headers[RequestId.Header] = id;
            return Task.CompletedTask;
        }, (context, requestId));
        return next(context);
    });
}
