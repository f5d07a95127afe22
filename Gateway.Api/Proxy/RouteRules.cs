using Gateway.Api.Hardening;
using Microsoft.Extensions.Options;
using Yarp.ReverseProxy.Model;

namespace Gateway.Api.Proxy;

/// <summary>
/// Per-route request rules checked before anything is forwarded (CONTRACT §1, §5): the body's
/// media type (415), its declared size (413) and, where the route requires one, an
/// <c>Idempotency-Key</c> (400). Each answer is a problem document made here, at the edge.
/// </summary>
internal sealed class RouteRules(RequestDelegate next, IOptionsMonitor<EdgeOptions> edge)
{
    public async Task InvokeAsync(HttpContext context)
    {
        var route = context.GetRouteModel().Config;
        var violation = Check(context.Request, route, edge.CurrentValue);
        if (violation is { } v)
        {
            await EdgeProblems.WriteAsync(context, v.Status, v.Detail, v.Title);
            return;
        }

        await next(context);
    }

    private static (int Status, string Title, string Detail)? Check(HttpRequest request, Yarp.ReverseProxy.Configuration.RouteConfig route, EdgeOptions edge)
    {
        var hasBody = request.ContentLength > 0 || request.Headers.TransferEncoding.Count > 0;
        var limit = route.MaxRequestBodySize is > 0 ? route.MaxRequestBodySize.Value : edge.DefaultMaxRequestBodySize;
        if (request.ContentLength > limit)
        {
            return (StatusCodes.Status413PayloadTooLarge, "Payload too large", $"The body may be at most {limit} bytes on this route.");
        }

        if (hasBody)
        {
            var allowed = Metadata(route, "ContentTypes")?.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries) ?? edge.DefaultContentTypes;
            if (!allowed.Any(type => MediaTypeIs(request.ContentType, type)))
            {
                return (StatusCodes.Status415UnsupportedMediaType, "Unsupported media type", $"This route accepts {string.Join(" or ", allowed)}.");
            }
        }

        if (Metadata(route, "RequireIdempotencyKey") == "true" && HttpMethods.IsPost(request.Method) && request.Headers["Idempotency-Key"].Count != 1)
        {
            return (StatusCodes.Status400BadRequest, "Idempotency-Key required", "Send exactly one Idempotency-Key header (1 to 255 printable characters).");
        }

        return null;
    }

    private static string? Metadata(Yarp.ReverseProxy.Configuration.RouteConfig route, string key) =>
        route.Metadata is not null && route.Metadata.TryGetValue(key, out var value) ? value : null;

    private static bool MediaTypeIs(string? contentType, string expected) =>
        Microsoft.Net.Http.Headers.MediaTypeHeaderValue.TryParse(contentType, out var parsed)
        && parsed.MediaType.Equals(expected, StringComparison.OrdinalIgnoreCase);
}
