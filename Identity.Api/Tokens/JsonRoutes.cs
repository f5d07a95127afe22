using System.ComponentModel;
using System.ComponentModel.DataAnnotations;
using System.Text.Json.Serialization;

namespace Identity.Api.Tokens;

/// <summary>
/// The JSON routes for login, registration and refresh. They are registered as extra OpenIddict token endpoint URIs:
/// a custom extraction handler turns their JSON body into an OAuth token request for the
/// first-party client, so they go through the very same validation and issuance as
/// <c>/connect/token</c>, and a custom response handler writes their errors as problem+json.
/// </summary>
internal static class JsonRoutes
{
    public const string Login = "/api/v1/auth/login";
    public const string Register = "/api/v1/auth/register";
    public const string Refresh = "/api/v1/auth/refresh";

    public static readonly string[] All = [Login, Register, Refresh];

    // OpenIddict takes an endpoint URI with or without a trailing slash, and so does routing; so
    // must this, or "/api/v1/auth/login/" would be the form-encoded OAuth token endpoint.
    public static string? Match(PathString path) =>
        All.FirstOrDefault(route => path.Equals(route, StringComparison.OrdinalIgnoreCase) || path.Equals(route + "/", StringComparison.OrdinalIgnoreCase));
}

/// <summary>Passwords are 8–128 characters; longer input is a 400, never hashed.</summary>
internal static class PasswordRules
{
    public const int MinLength = 8;
    public const int MaxLength = 128;
}

internal sealed record LoginRequest(
    [property: Required, MaxLength(256)] string? Email,
    [property: Required, MaxLength(PasswordRules.MaxLength)] string? Password);

internal sealed record RegisterRequest(
    [property: Required, StringLength(64, MinimumLength = 3), RegularExpression("^[A-Za-z0-9._-]+$")] string? Username,
    [property: Required, EmailAddress, MaxLength(256)] string? Email,
    [property: Required, StringLength(PasswordRules.MaxLength, MinimumLength = PasswordRules.MinLength)] string? Password);

internal sealed record RefreshRequest(
    [property: Required, MaxLength(4096), JsonPropertyName("refresh_token")] string? RefreshToken);

/// <summary>
/// The token response as OpenIddict writes it. Only the OpenAPI document uses this type:
/// the JSON routes' answers are written by OpenIddict and <see cref="WriteJsonRouteResponse"/>.
/// </summary>
internal sealed record TokenResponse(
    [property: JsonPropertyName("access_token"), Description("A JWT (RFC 9068, typ at+jwt).")] string AccessToken,
    [property: JsonPropertyName("token_type"), Description("Always Bearer.")] string TokenType,
    [property: JsonPropertyName("expires_in"), Description("Seconds until the access token expires.")] int ExpiresIn,
    [property: JsonPropertyName("refresh_token"), Description("Opaque and single use; each refresh returns a new one.")] string RefreshToken,
    [property: JsonPropertyName("scope"), Description("The granted scopes, space-separated.")] string Scope);

internal static class JsonRouteDescriptions
{
    /// <summary>
    /// A JSON body in, and what every JSON token route can answer: the tokens, a problem for
    /// malformed input, or a 503 while a DPoP proof's single use cannot be confirmed.
    /// </summary>
    public static RouteHandlerBuilder ExchangesForTokens<TRequest>(this RouteHandlerBuilder route, int status = StatusCodes.Status200OK) where TRequest : notnull => route
        .Accepts<TRequest>("application/json")
        .Produces<TokenResponse>(status)
        .ProducesValidationProblem()
        .ProducesProblem(StatusCodes.Status413PayloadTooLarge)
        .ProducesProblem(StatusCodes.Status415UnsupportedMediaType)
        .ProducesProblem(StatusCodes.Status503ServiceUnavailable);
}
