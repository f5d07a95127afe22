namespace Gateway.Api.Hardening;

/// <summary>Edge hardening settings (section <c>Gateway:Edge</c>), reloaded on change.</summary>
internal sealed class EdgeOptions
{
    public const string Section = "Gateway:Edge";

    /// <summary>CORS allow-list; empty denies every cross-origin browser call.</summary>
    public string[] AllowedOrigins { get; set; } = [];

    /// <summary>Whose forwarding headers are believed: the <see cref="TrustedProxies"/> (default) or any peer, when only the platform's ingress can reach the gateway.</summary>
    public ForwardedHeadersTrust ForwardedHeaders { get; set; } = ForwardedHeadersTrust.TrustedProxies;

    /// <summary>Addresses or networks whose last <c>X-Forwarded-For</c> hop is believed (a proxy in front of the gateway).</summary>
    public string[] TrustedProxies { get; set; } = [];

    /// <summary>Request body limit for routes that set none (64 KiB).</summary>
    public long DefaultMaxRequestBodySize { get; set; } = 64 * 1024;

    /// <summary>Media types a body may have when a route names none.</summary>
    public string[] DefaultContentTypes { get; set; } = ["application/json"];
}
