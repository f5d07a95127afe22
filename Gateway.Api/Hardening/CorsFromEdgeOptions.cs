using Microsoft.AspNetCore.Cors.Infrastructure;
using Microsoft.Extensions.Options;

namespace Gateway.Api.Hardening;

/// <summary>
/// The default CORS policy: deny unless the origin is on the allow-list; no credentials (bearer
/// tokens need no cookies), so a wildcard can never be combined with them.
/// </summary>
internal sealed class CorsFromEdgeOptions(IOptions<EdgeOptions> edge) : IConfigureOptions<CorsOptions>
{
    public void Configure(CorsOptions options) => options.AddDefaultPolicy(policy => policy
        .WithOrigins(edge.Value.AllowedOrigins)
        .WithMethods("GET", "POST", "PUT", "PATCH", "DELETE")
        .WithHeaders("Authorization", "Content-Type", "Idempotency-Key", "X-Request-Id", "traceparent")
        .WithExposedHeaders("X-Request-Id", "RateLimit", "RateLimit-Policy", "Retry-After", "Idempotent-Replayed", "Location")
        .SetPreflightMaxAge(TimeSpan.FromMinutes(10)));
}
