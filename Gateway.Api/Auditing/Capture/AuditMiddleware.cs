using System.Diagnostics;
using Gateway.Api.Auth;
using Gateway.Api.Hardening;
using Yarp.ReverseProxy.Model;

namespace Gateway.Api.Auditing;

/// <summary>
/// One audit record per request, whatever its fate. It runs just inside the edge hardening, outside
/// the exception handler, status pages, rate limiter and authentication, so it sees the status the
/// client really got; the record is queued, never written, on the request's path.
/// <para>
/// On a route whose metadata <c>AuditReceipt</c> names the request's method (placing an order), the
/// record is made when the response starts, and the response carries an <c>Audit-Receipt</c>
/// header naming the log, the record's leaf hash and its time: the hash is known at once, because
/// a leaf's bytes do not depend on its place in the log, so the client gets the receipt without
/// waiting for the commit; the time is where the log finds the record (an index that grows in
/// order, where an index of random hashes would cost every insert a random page). Its latency is
/// then the time to the response's start.
/// </para>
/// </summary>
internal sealed class AuditMiddleware(RequestDelegate next, AuditQueue queue, CheckpointSigner signer, TimeProvider time)
{
    public const string ReceiptHeader = "Audit-Receipt";
    public const string ReceiptMetadata = "AuditReceipt";

    public async Task InvokeAsync(HttpContext context)
    {
        var started = time.GetTimestamp();
        var at = time.GetUtcNow();
        // Routing ran before this middleware; the exception handler clears the endpoint later, so keep it now.
        var endpoint = context.GetEndpoint();
        var traceId = Activity.Current?.TraceId.ToHexString();
        var recorded = 0;
        if (WantsReceipt(endpoint, context.Request.Method))
        {
            context.Response.OnStarting(() =>
            {
                if (Interlocked.Exchange(ref recorded, 1) == 0)
                {
                    var entry = Capture(context, endpoint, context.Response.StatusCode, at, started, traceId);
                    context.Response.Headers[ReceiptHeader] =
                        $"log=\"{signer.LogId}\", leaf_hash=\"{AuditLeaf.Hash(entry)}\", time=\"{AuditLeaf.FormatTime(entry.Time)}\"";
                    queue.Enqueue(entry);
                }

                return Task.CompletedTask;
            });
        }

        var completed = false;
        try
        {
            await next(context);
            completed = true;
        }
        finally
        {
            if (Interlocked.Exchange(ref recorded, 1) == 0)
            {
                // An exception that escaped the exception handler still reaches the client as a 500.
                var status = completed ? context.Response.StatusCode : context.RequestAborted.IsCancellationRequested ? 499 : 500;
                queue.Enqueue(Capture(context, endpoint, status, at, started, traceId));
            }
        }
    }

    private AuditEntry Capture(HttpContext context, Endpoint? endpoint, int status, DateTimeOffset at, long started, string? traceId)
    {
        var reason = AuditReasons.For(status, context.Features.Get<EdgeDenial>());
        var user = context.User;
        var authenticated = user.Identity?.IsAuthenticated == true;
        return new AuditEntry(
            AuditLeaf.Truncate(at),
            AuditSources.Gateway,
            AuditSources.HttpRequestEvent,
            RequestId.Get(context),
            traceId,
            Clip(authenticated ? user.FindFirst("sub")?.Value : null, 128) ?? "anonymous",
            Clip(user.FindFirst("client_id")?.Value, 128),
            ClientIp(context),
            Clip(context.Request.Method, 16),
            Clip(RouteOf(endpoint), 256),
            Clip((context.Request.PathBase + context.Request.Path).Value, 1024),
            status,
            AuditReasons.OutcomeOf(status),
            reason,
            time.GetElapsedTime(started).Ticks / TimeSpan.TicksPerMicrosecond,
            null,
            null,
            Clip(context.Features.Get<DPoPKeyFeature>()?.Thumbprint, 64));
    }

    private static bool WantsReceipt(Endpoint? endpoint, string method) =>
        endpoint?.Metadata.GetMetadata<RouteModel>()?.Config.Metadata?.TryGetValue(ReceiptMetadata, out var methods) == true
        && methods.Split(',', StringSplitOptions.TrimEntries).Contains(method, StringComparer.OrdinalIgnoreCase);

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
