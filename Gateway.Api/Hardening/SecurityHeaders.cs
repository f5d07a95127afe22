namespace Gateway.Api.Hardening;

/// <summary>
/// The security headers on every response, set when the response starts so that errors, 429s and
/// proxied responses all carry them; backend values for these headers are replaced, not trusted.
/// </summary>
internal static class SecurityHeaders
{
    public const string ApiPolicy = "default-src 'none'; frame-ancestors 'none'";

    /// <summary>
    /// The docs page (Scalar, every file served by the gateway): scripts from this origin only, plus
    /// the page's one inline bootstrap script, allowed by a nonce fresh for each response
    /// (<see cref="DocsPolicyFor"/>), never by 'unsafe-inline' or 'unsafe-eval'.
    /// </summary>
    public const string DocsPolicy = "default-src 'none'; script-src 'self'; " + DocsPolicyRest;

    // Each directive is what the page was seen to need in Chromium: Scalar (Vue) injects <style> elements and
    // style attributes at run time, which no nonce or hash can cover; its icons are data: SVGs; it fetches
    // /api/openapi.json and sends "try it" requests to this origin. No fonts: the page uses system fonts.
    private const string DocsPolicyRest = "style-src 'self' 'unsafe-inline'; img-src 'self' data:; connect-src 'self'; frame-ancestors 'none'; base-uri 'none'; form-action 'none'";

    public const string DocsPath = "/api/docs";

    /// <summary>The docs policy for this response, with the nonce the docs page put on its inline script.</summary>
    public static string DocsPolicyFor(HttpContext context) =>
        context.Items[Scalar.AspNetCore.ScalarOptions.NonceHttpContextItemKey] is string nonce
            ? $"default-src 'none'; script-src 'self' 'nonce-{nonce}'; {DocsPolicyRest}"
            : DocsPolicy;

    public static void Apply(HttpContext context)
    {
        var headers = context.Response.Headers;
        headers.XContentTypeOptions = "nosniff";
        headers.XFrameOptions = "DENY";
        headers["Referrer-Policy"] = "no-referrer";
        headers["Permissions-Policy"] = "accelerometer=(), camera=(), geolocation=(), gyroscope=(), magnetometer=(), microphone=(), payment=(), usb=()";
        headers.ContentSecurityPolicy = context.Request.Path.StartsWithSegments(DocsPath) ? DocsPolicyFor(context) : ApiPolicy;
        if (!context.Request.Path.StartsWithSegments(DocsPath))
        {
            headers.CacheControl = "no-store";
            headers.Pragma = "no-cache";
        }

        if (context.Request.IsHttps)
        {
            headers.StrictTransportSecurity = "max-age=31536000; includeSubDomains";
        }

        headers.Remove("Server");
        headers.Remove("X-Powered-By");
        headers.Remove("X-AspNet-Version");
    }
}
