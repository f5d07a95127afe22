namespace Gateway.Api.Hardening;

internal static class HardeningExtensions
{
    public static IHostApplicationBuilder AddEdgeHardening(this IHostApplicationBuilder builder)
    {
        builder.Services.AddOptions<EdgeOptions>().BindConfiguration(EdgeOptions.Section).ValidateDataAnnotations().ValidateOnStart();
        builder.Services.AddCors();
        builder.Services.AddSingleton<Microsoft.Extensions.Options.IConfigureOptions<Microsoft.AspNetCore.Cors.Infrastructure.CorsOptions>, CorsFromEdgeOptions>();
        builder.Services.AddRequestTimeouts();
        // Kestrel refuses a header byte above 0x7F with a bare 400 before any middleware runs: no
        // security headers, no request id, no problem. Read as Latin-1, such a request reaches the
        // pipeline, where the request-id rule replaces a malformed X-Request-Id and a route refuses
        // any other such value it would have to forward (RouteRules).
        builder.Services.Configure<Microsoft.AspNetCore.Server.Kestrel.Core.KestrelServerOptions>(
            kestrel => kestrel.RequestHeaderEncodingSelector = static _ => System.Text.Encoding.Latin1);
        // ASPNETCORE_FORWARDEDHEADERS_ENABLED (which Aspire sets in every deployed project) makes ASP.NET Core
        // run its own forwarded-headers middleware ahead of this pipeline, trusting any peer: together with
        // the gateway's, two hops would be believed, the second one written by the client. Only the
        // gateway's rule (ClientAddress) applies.
        builder.Services.PostConfigure<ForwardedHeadersOptions>(static options => options.ForwardedHeaders = Microsoft.AspNetCore.HttpOverrides.ForwardedHeaders.None);
        return builder;
    }

    /// <summary>Client address and scheme, request id, client-header stripping and the response security headers.</summary>
    public static IApplicationBuilder UseEdgeHardening(this IApplicationBuilder app)
    {
        var edge = app.ApplicationServices.GetRequiredService<Microsoft.Extensions.Options.IOptions<EdgeOptions>>().Value;
        return app.UseForwardedHeaders(ClientAddress.ForwardedHeaders(edge)).Use(static (context, next) =>
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
}
