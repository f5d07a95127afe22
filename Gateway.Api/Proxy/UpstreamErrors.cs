using System.Globalization;
using Gateway.Api.Hardening;
using Microsoft.AspNetCore.Http.Timeouts;
using Polly.CircuitBreaker;
using Polly.Timeout;
using Yarp.ReverseProxy.Forwarder;
using Yarp.ReverseProxy.Model;

namespace Gateway.Api.Proxy;

/// <summary>
/// Turns a failed forward into the gateway's answers: 504 when the route's timeout or the
/// attempt's budget passed, 503 with <c>Retry-After</c> while every destination of the route is
/// down by its probes, the destination's breaker is open or the destination refuses connections,
/// a 4xx when the client's own body failed, 502 for anything else the upstream did wrong. Never a
/// stack trace.
/// </summary>
internal sealed class UpstreamErrors(RequestDelegate next)
{
    public async Task InvokeAsync(HttpContext context)
    {
        await next(context);
        var error = context.Features.Get<IForwarderErrorFeature>();
        if (error is null || context.Response.HasStarted)
        {
            return;
        }

        var timedOut = context.Features.Get<IHttpRequestTimeoutFeature>()?.RequestTimeoutToken.IsCancellationRequested == true;
        var (status, retryAfter, detail) = error.Exception switch
        {
            _ when error.Error == ForwarderError.NoAvailableDestinations => (StatusCodes.Status503ServiceUnavailable, DestinationProbes.RetryAfter(context.GetRouteModel().Cluster?.Model), "The service behind this route is not answering its health probes; requests are refused until it does."),
            _ when timedOut || error.Error == ForwarderError.RequestTimedOut => (StatusCodes.Status504GatewayTimeout, (TimeSpan?)null, "The service behind this route did not answer in time."),
            TimeoutRejectedException => (StatusCodes.Status504GatewayTimeout, null, "The service behind this route did not answer in time."),
            BrokenCircuitException broken => (StatusCodes.Status503ServiceUnavailable, broken.RetryAfter ?? TimeSpan.FromSeconds(5), "The service behind this route is failing; requests are paused while it recovers."),
            HttpRequestException { InnerException: System.Net.Sockets.SocketException } => (StatusCodes.Status503ServiceUnavailable, TimeSpan.FromSeconds(1), "The service behind this route is not reachable."),
            _ when error.Error == ForwarderError.RequestCanceled => (StatusCodes.Status499ClientClosedRequest, null, "The client closed the request."),
            // The client's own body failed (shorter than declared, too slow): its fault, never a 5xx.
            _ when error.Error == ForwarderError.RequestBodyClient => (ClientBodyStatus(error.Exception), null, "The request body could not be read: it stopped before its declared length or arrived too slowly."),
            _ => (StatusCodes.Status502BadGateway, null, "The service behind this route answered with an error."),
        };

        context.Response.Clear();
        if (retryAfter is { } wait)
        {
            context.Response.Headers.RetryAfter = Math.Max(1, (int)Math.Ceiling(wait.TotalSeconds)).ToString(CultureInfo.InvariantCulture);
        }

        if (status == StatusCodes.Status499ClientClosedRequest)
        {
            context.Response.StatusCode = status;
            return;
        }

        await EdgeProblems.WriteAsync(context, status, detail);
    }

    private static int ClientBodyStatus(Exception? failure)
    {
        for (var inner = failure; inner is not null; inner = inner.InnerException)
        {
            if (inner is BadHttpRequestException bad)
            {
                return bad.StatusCode;
            }
        }

        return StatusCodes.Status400BadRequest;
    }
}
