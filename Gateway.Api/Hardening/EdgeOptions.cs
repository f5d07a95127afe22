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
}
