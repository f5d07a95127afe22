using Gateway.Api.Hardening;
using Microsoft.Extensions.Options;
using Yarp.ReverseProxy.Model;

namespace Gateway.Api.Proxy;

/// <summary>
/// Per-route request rules checked before anything is forwarded: ASCII header values (400), the
/// body's media type (415), its size (413) and, where the route requires one, an
/// <c>Idempotency-Key</c> (400). Each answer is a
/// problem document made here, at the edge. A body without a Content-Length (chunked) is read
/// here, up to the limit, before it is forwarded, so that it gets the same 413 as a declared size
/// and the upstream never receives part of a body. The only place the body limit is applied:
/// what runs after it in the proxy pipeline (the login throttle) reads a body already in bounds.
/// </summary>
internal sealed class RouteRules(RequestDelegate next, IOptionsMonitor<RequestRulesOptions> rules)
{
    public async Task InvokeAsync(HttpContext context)
    {
        var route = context.GetRouteModel().Config;
        var options = rules.CurrentValue;
        var limit = route.MaxRequestBodySize is > 0 ? route.MaxRequestBodySize.Value : options.DefaultMaxRequestBodySize;
        var violation = Check(context.Request, route, limit, options) ?? await BufferUnsizedBodyAsync(context.Request, limit);
        if (violation is { } v)
        {
            await EdgeProblems.WriteAsync(context, v.Status, v.Detail, v.Title);
            return;
        }

        await next(context);
    }

    private static (int Status, string Title, string Detail)? Check(HttpRequest request, Yarp.ReverseProxy.Configuration.RouteConfig route, long limit, RequestRulesOptions defaults)
    {
        if (HeaderOutsideAscii(request.Headers) is { } header)
        {
            return (StatusCodes.Status400BadRequest, "Header not ASCII", $"The {header} header has a value outside ASCII, which this API does not accept.");
        }

        var hasBody = request.ContentLength > 0 || request.Headers.TransferEncoding.Count > 0;
        if (request.ContentLength > limit)
        {
            return TooLarge(limit);
        }

        if (hasBody)
        {
            var allowed = Metadata(route, "ContentTypes")?.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries) ?? defaults.DefaultContentTypes;
            if (!allowed.Any(type => MediaTypeIs(request.ContentType, type)))
            {
                return (StatusCodes.Status415UnsupportedMediaType, "Unsupported media type", $"This route accepts {string.Join(" or ", allowed)}.");
            }
        }

        if (Metadata(route, "RequireIdempotencyKey") == "true" && HttpMethods.IsPost(request.Method) && !IsIdempotencyKey(request.Headers["Idempotency-Key"]))
        {
            return (StatusCodes.Status400BadRequest, "Idempotency-Key required", "Send exactly one Idempotency-Key header (1 to 255 printable characters).");
        }

        return null;
    }

    // Streamed on, a chunked body over the limit failed halfway through the forward (a 502) or,
    // when the upstream answered before reading it all, was not refused at all. Bodies here are
    // small (64 KiB by default), so holding one in memory costs less than a half-sent request.
    private static async Task<(int Status, string Title, string Detail)?> BufferUnsizedBodyAsync(HttpRequest request, long limit)
    {
        if (request.ContentLength is not null || request.Headers.TransferEncoding.Count == 0)
        {
            return null;
        }

        var buffered = new MemoryStream();
        request.HttpContext.Response.RegisterForDispose(buffered);
        var chunk = new byte[8 * 1024];
        try
        {
            int read;
            while ((read = await request.Body.ReadAsync(chunk, request.HttpContext.RequestAborted)) > 0)
            {
                if (buffered.Length + read > limit)
                {
                    return TooLarge(limit);
                }

                buffered.Write(chunk, 0, read);
            }
        }
        catch (BadHttpRequestException ex) when (ex.StatusCode == StatusCodes.Status413PayloadTooLarge)
        {
            return TooLarge(limit); // the server's own limit, when it is the lower one
        }

        buffered.Position = 0;
        request.Body = buffered;
        return null;
    }

    // The server reads header bytes as Latin-1 so that these requests get a problem, not a bare
    // 400; forwarded, such a value would fail the upstream request (a 502) or reach a service as mojibake.
    private static string? HeaderOutsideAscii(IHeaderDictionary headers)
    {
        foreach (var (name, values) in headers)
        {
            foreach (var value in values)
            {
                if (value is not null && !System.Text.Ascii.IsValid(value))
                {
                    return name;
                }
            }
        }

        return null;
    }

    /// <summary>One value of 1 to 255 printable ASCII characters, as the message says and the service checks too.</summary>
    private static bool IsIdempotencyKey(Microsoft.Extensions.Primitives.StringValues values) =>
        values is [{ Length: >= 1 and <= 255 } key] && key.All(c => c is >= ' ' and <= '~');

    private static (int Status, string Title, string Detail) TooLarge(long limit) =>
        (StatusCodes.Status413PayloadTooLarge, "Payload too large", $"The body may be at most {limit} bytes on this route.");

    private static string? Metadata(Yarp.ReverseProxy.Configuration.RouteConfig route, string key) =>
        route.Metadata is not null && route.Metadata.TryGetValue(key, out var value) ? value : null;

    private static bool MediaTypeIs(string? contentType, string expected) =>
        Microsoft.Net.Http.Headers.MediaTypeHeaderValue.TryParse(contentType, out var parsed)
        && parsed.MediaType.Equals(expected, StringComparison.OrdinalIgnoreCase);
}
