using System.ComponentModel.DataAnnotations;

namespace Identity.Api.Tokens;

/// <summary>Issuer, token lifetimes and the confidential clients, from section <c>Identity</c>.</summary>
internal sealed class TokenOptions
{
    public const string Section = "Identity";

    /// <summary>Absolute URL, normally the gateway's public base URL: every endpoint in discovery sits under it.</summary>
    [Required]
    public Uri? Issuer { get; set; }

    [Range(typeof(TimeSpan), "00:00:30", "01:00:00")]
    public TimeSpan AccessTokenLifetime { get; set; } = TimeSpan.FromMinutes(5);

    [Range(typeof(TimeSpan), "00:05:00", "90.00:00:00")]
    public TimeSpan RefreshTokenLifetime { get; set; } = TimeSpan.FromDays(14);

    public List<ConfiguredClient> Clients { get; set; } = [];

    /// <summary>Every token request, of every client, must carry a DPoP proof (RFC 9449).</summary>
    public bool RequireDPoP { get; set; }

    /// <summary>Whether a token request of <paramref name="clientId"/> must carry a DPoP proof.</summary>
    public bool RequiresDPoP(string? clientId) =>
        RequireDPoP || Clients.Exists(client => client.RequireDPoP && client.ClientId == clientId);
}

/// <summary>A confidential client (service or partner) using the client_credentials grant, authenticated by a secret or by <c>private_key_jwt</c>.</summary>
internal sealed class ConfiguredClient
{
    [Required]
    [RegularExpression("^[A-Za-z0-9._-]{3,64}$")]
    public string ClientId { get; set; } = string.Empty;

    /// <summary>At least 16 characters; or none, when the client authenticates with <see cref="Jwks"/> only.</summary>
    public string ClientSecret { get; set; } = string.Empty;

    /// <summary>
    /// The client's public keys as a JWKS document: it authenticates with <c>private_key_jwt</c>
    /// (RFC 7523 client assertions signed by one of these keys) instead of a shared secret.
    /// </summary>
    public string? Jwks { get; set; }

    /// <summary>Space- or comma-separated; each one of <see cref="ApiScopes.All"/>.</summary>
    [Required]
    public string Scopes { get; set; } = string.Empty;

    /// <summary>This client's token requests must carry a DPoP proof (sender-constrained tokens only).</summary>
    public bool RequireDPoP { get; set; }

    public IReadOnlyList<string> ScopeList =>
        Scopes.Split([' ', ','], StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
}

/// <summary>The API scopes and the audience (resource server) each one is meant for.</summary>
internal static class ApiScopes
{
    public const string TradingRead = "trading:read";
    public const string TradingWrite = "trading:write";
    public const string AuditRead = "audit:read";

    public const string IdentityAudience = "identity";
    public const string TradingAudience = "trading";
    public const string GatewayAudience = "gateway";

    public static readonly string[] All = [TradingRead, TradingWrite, AuditRead];

    /// <summary>The audiences of user tokens (password and refresh_token grants).</summary>
    public static readonly string[] UserAudiences = [IdentityAudience, TradingAudience];

    public static string AudienceOf(string scope) => scope switch
    {
        TradingRead or TradingWrite => TradingAudience,
        AuditRead => GatewayAudience,
        _ => throw new ArgumentOutOfRangeException(nameof(scope), scope, "Not an API scope."),
    };

    /// <summary>What a user's roles allow; the token's scopes never exceed this.</summary>
    public static IEnumerable<string> AllowedFor(IEnumerable<string> roles) => roles
        .SelectMany(role => role switch
        {
            Users.Roles.Trader => new[] { TradingRead, TradingWrite },
            Users.Roles.Auditor => [TradingRead, AuditRead],
            Users.Roles.Admin => [AuditRead],
            _ => [],
        })
        .Distinct(StringComparer.Ordinal);
}

/// <summary>The first-party public client the JSON auth routes act as.</summary>
internal static class FirstPartyClient
{
    public const string ClientId = "gateway-web";
}
