namespace Gateway.Api.Hardening;

/// <summary>
/// CONTRACT §1 headers on every response, set when the response starts so that errors, 429s and
/// proxied responses all carry them; backend values for these headers are replaced, not trusted.
/// </summary>
internal static class SecurityHeaders
{
    public const string ApiPolicy = "default-src 'none'; frame-ancestors 'none'";

    /// <summary>The docs page loads its own script and styles from this origin only.</summary>
    public const string DocsPolicy = "default-src 'none'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; font-src 'self' data:; connect-src 'self'; frame-ancestors 'none'; base-uri 'none'; form-action 'none'";

    public const string DocsPath = "/api/docs";

    public static void Apply(HttpContext context)
    {
        var headers = context.Response.Headers;
        headers.XContentTypeOptions = "nosniff";
        headers.XFrameOptions = "DENY";
        headers["Referrer-Policy"] = "no-referrer";
        headers["Permissions-Policy"] = "accelerometer=(), camera=(), geolocation=(), gyroscope=(), magnetometer=(), microphone=(), payment=(), usb=()";
        headers.ContentSecurityPolicy = context.Request.Path.StartsWithSegments(DocsPath) ? DocsPolicy : ApiPolicy;
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
