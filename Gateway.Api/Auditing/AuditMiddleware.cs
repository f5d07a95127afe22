using System.Diagnostics;
using Gateway.Api.Auth;
using Gateway.Api.Hardening;
using Yarp.ReverseProxy.Model;

namespace Gateway.Api.Auditing;

/// <summary>
/// One audit record per request, whatever its fate. It runs just inside the edge hardening, outside
/// the exception handler, status pages, rate limiter and authentication, so it sees the status the
/// client really got; the record is queued, never written, on the request's path.
/// </summary>
internal sealed class AuditMiddleware(RequestDelegate next, AuditQueue queue, TimeProvider time)
{
    public async Task InvokeAsync(HttpContext context)
    {
        var started = time.GetTimestamp();
        var at = time.GetUtcNow();
        // Routing ran before this middleware; the exception handler clears the endpoint later, so keep it now.
        var endpoint = context.GetEndpoint();
        var traceId = Activity.Current?.TraceId.ToHexString();
        var completed = false;
        try
        {
            await next(context);
            completed = true;
        }
        finally
        {
            // An exception that escaped the exception handler still reaches the client as a 500.
            var status = completed ? context.Response.StatusCode : context.RequestAborted.IsCancellationRequested ? 499 : 500;
            var reason = status == StatusCodes.Status401Unauthorized
                ? AuditReasons.ForUnauthenticated(context.Features.Get<EdgeDenial>())
                : AuditReasons.ForStatus(status);
            queue.Enqueue(new AuditEntry(
                AuditChain.Truncate(at),
                AuditSources.Gateway,
                AuditSources.HttpRequestEvent,
                RequestId.Get(context),
                traceId,
                Clip(context.User.Identity?.IsAuthenticated == true ? context.User.FindFirst("sub")?.Value : null, 128) ?? "anonymous",
                Clip(context.User.FindFirst("client_id")?.Value, 128),
                ClientIp(context),
                Clip(context.Request.Method, 16),
                Clip(RouteOf(endpoint), 256),
                Clip((context.Request.PathBase + context.Request.Path).Value, 1024),
                status,
                AuditReasons.OutcomeOf(status),
                reason,
                time.GetElapsedTime(started).Ticks / TimeSpan.TicksPerMicrosecond,
                null,
                null));
        }
    }

    /// <summary>A proxied route by its YARP route id, the gateway's own endpoints by their pattern; never the raw path.</summary>
    private static string? RouteOf(Endpoint? endpoint) =>
        endpoint?.Metadata.GetMetadata<RouteModel>()?.Config.RouteId
        ?? ((endpoint as RouteEndpoint)?.RoutePattern.RawText is { Length: > 1 } pattern ? pattern.TrimEnd('/') : (endpoint as RouteEndpoint)?.RoutePattern.RawText);

    private static string? ClientIp(HttpContext context)
    {
        var address = context.Connection.RemoteIpAddress;
        return address is null ? null : (address.IsIPv4MappedToIPv6 ? address.MapToIPv4() : address).ToString();
    }

    private static string? Clip(string? value, int length) =>
        value is null || value.Length <= length ? value : value[..length];
}

internal static class AuditingMiddlewareExtensions
{
    /// <summary>Place right after <c>UseEdgeHardening()</c>, so every other answer passes through it.</summary>
    public static IApplicationBuilder UseAuditing(this IApplicationBuilder app) =>
        app.ApplicationServices.GetRequiredService<Microsoft.Extensions.Options.IOptions<AuditOptions>>().Value.Enabled
            ? app.UseMiddleware<AuditMiddleware>()
            : app;
}
