using System.ComponentModel.DataAnnotations;

namespace Microsoft.Extensions.Hosting;

/// <summary>How a service validates the identity service's access tokens (section <c>Auth</c>).</summary>
public sealed class TokenValidationOptions
{
    public const string Section = "Auth";

    /// <summary>
    /// Where the identity service answers inside the environment, e.g. <c>https+http://identity</c>
    /// (resolved by service discovery). Discovery and JWKS are fetched from here, never from a URL
    /// a token or a client supplies.
    /// </summary>
    [Required]
    public string Authority { get; set; } = "https+http://identity";

    /// <summary>The audiences this service accepts in <c>aud</c>.</summary>
    [MinLength(1)]
    public string[] Audiences { get; set; } = [];

    /// <summary>Small on purpose: tokens live 5 minutes.</summary>
    public TimeSpan ClockSkew { get; set; } = TimeSpan.FromSeconds(30);
}
