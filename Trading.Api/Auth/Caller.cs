using System.Security.Claims;

namespace Trading.Api.Auth;

/// <summary>
/// Who is calling, read only from the validated access token: a user (roles) or a
/// client-credentials caller (scopes). The owner of accounts and orders is the token's <c>sub</c>.
/// </summary>
internal sealed record Caller(string Id, IReadOnlySet<string> Roles, IReadOnlySet<string> Scopes)
{
    public const string Trader = "trader";
    public const string Auditor = "auditor";
    public const string ReadScope = "trading:read";
    public const string WriteScope = "trading:write";

    /// <summary>Auditors read every order; everyone else reads their own.</summary>
    public bool ReadsEverything => Roles.Contains(Auditor);

    public static Caller From(ClaimsPrincipal user)
    {
        var id = user.FindFirstValue("sub") ?? throw new InvalidOperationException("An authenticated caller always has a sub claim.");
        var roles = user.FindAll("role").Select(c => c.Value).ToHashSet(StringComparer.Ordinal);
        // RFC 9068: scope is one space-separated string; some issuers send one claim per scope.
        var scopes = user.FindAll("scope")
            .SelectMany(c => c.Value.Split(' ', StringSplitOptions.RemoveEmptyEntries))
            .ToHashSet(StringComparer.Ordinal);
        return new Caller(id, roles, scopes);
    }
}
