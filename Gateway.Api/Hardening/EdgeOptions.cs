using System.ComponentModel.DataAnnotations;

namespace Gateway.Api.Hardening;

/// <summary>Edge hardening settings (section <c>Gateway:Edge</c>), checked at start.</summary>
internal sealed class EdgeOptions : IValidatableObject
{
    public const string Section = "Gateway:Edge";

    /// <summary>CORS allow-list of origins (<c>https://app.example</c>); empty denies every cross-origin browser call.</summary>
    public string[] AllowedOrigins { get; set; } = [];

    /// <summary>Whose forwarding headers are believed: the <see cref="TrustedProxies"/> (default) or any peer, when only the platform's ingress can reach the gateway.</summary>
    public ForwardedHeadersTrust ForwardedHeaders { get; set; } = ForwardedHeadersTrust.TrustedProxies;

    /// <summary>Addresses or networks whose last <c>X-Forwarded-For</c> hop is believed (a proxy in front of the gateway).</summary>
    public string[] TrustedProxies { get; set; } = [];

    public IEnumerable<ValidationResult> Validate(ValidationContext validationContext)
    {
        foreach (var origin in AllowedOrigins.Where(origin => !IsOrigin(origin)))
        {
            yield return new ValidationResult(
                $"'{origin}' is not an origin: scheme, host and optional port, e.g. https://app.example (a wildcard is not allowed).",
                [nameof(AllowedOrigins)]);
        }

        foreach (var proxy in TrustedProxies.Where(proxy => ClientAddress.Network(proxy) is null))
        {
            yield return new ValidationResult($"'{proxy}' is neither an address nor a network such as 10.0.0.0/8.", [nameof(TrustedProxies)]);
        }
    }

    private static bool IsOrigin(string value) =>
        Uri.TryCreate(value, UriKind.Absolute, out var uri)
        && (uri.Scheme == Uri.UriSchemeHttps || uri.Scheme == Uri.UriSchemeHttp)
        && uri.AbsolutePath == "/" && !value.EndsWith('/') && string.IsNullOrEmpty(uri.Query) && string.IsNullOrEmpty(uri.Fragment)
        && string.IsNullOrEmpty(uri.UserInfo);
}
