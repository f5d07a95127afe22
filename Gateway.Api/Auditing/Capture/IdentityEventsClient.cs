using System.Globalization;
using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;

namespace Gateway.Api.Auditing;

/// <summary>One page of identity's outbox: <c>{"events":[...]}</c>, ascending ids.</summary>
internal sealed record IdentityEventPage(IReadOnlyList<IdentityEvent>? Events);

/// <summary>One security event as identity serves it; fields beyond these are ignored, never stored.</summary>
internal sealed record IdentityEvent(
    long Id,
    DateTimeOffset Time,
    string? Type,
    string? UserId,
    string? ClientId,
    string? ClientIp,
    string? SessionId,
    string? Outcome,
    string? Reason,
    string? RequestId,
    string? TraceId);

internal sealed record IdentityTokenResponse(string? AccessToken, int? ExpiresIn);

/// <summary>
/// Reads identity's security-event outbox as the confidential client <c>gateway-audit</c>: an
/// access token by <c>client_credentials</c> (scope <c>audit:read</c>), kept until shortly before it
/// expires, then <c>GET internal/security-events?after=&amp;limit=</c>. Service discovery and the
/// standard resilience handler come with every HttpClient (ServiceDefaults).
/// </summary>
internal sealed class IdentityEventsClient(IHttpClientFactory clients, AuditOptions options, TimeProvider time)
{
    public const string HttpClientName = "identity-audit";
    public const string Scope = "audit:read";

    private string? _token;
    private DateTimeOffset _tokenExpires;

    public async Task<IReadOnlyList<IdentityEvent>> FetchAsync(long after, int limit, CancellationToken cancellationToken)
    {
        var http = clients.CreateClient(HttpClientName);
        for (var attempt = 1; ; attempt++)
        {
            var token = await TokenAsync(http, cancellationToken);
            using var request = new HttpRequestMessage(HttpMethod.Get, new Uri(string.Create(CultureInfo.InvariantCulture, $"internal/security-events?after={after}&limit={limit}"), UriKind.Relative));
            request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
            using var response = await http.SendAsync(request, cancellationToken);
            if (response.StatusCode == HttpStatusCode.Unauthorized && attempt == 1)
            {
                _token = null; // revoked or rotated keys: one fresh token, then give up
                continue;
            }

            response.EnsureSuccessStatusCode();
            var page = await response.Content.ReadFromJsonAsync(AuditJson.Default.IdentityEventPage, cancellationToken);
            return page?.Events ?? [];
        }
    }

    private async Task<string> TokenAsync(HttpClient http, CancellationToken cancellationToken)
    {
        if (_token is not null && time.GetUtcNow() < _tokenExpires)
        {
            return _token;
        }

        using var form = new FormUrlEncodedContent(new Dictionary<string, string>
        {
            ["grant_type"] = "client_credentials",
            ["client_id"] = options.IdentityClientId,
            ["client_secret"] = options.IdentityClientSecret ?? string.Empty,
            ["scope"] = Scope,
        });
        using var response = await http.PostAsync(new Uri("connect/token", UriKind.Relative), form, cancellationToken);
        response.EnsureSuccessStatusCode();
        var token = await response.Content.ReadFromJsonAsync(AuditJson.Default.IdentityTokenResponse, cancellationToken);
        _token = token?.AccessToken ?? throw new HttpRequestException("The token endpoint answered without an access_token.");
        // Renewed a minute early (or at half life for short tokens) so a page never starts with a dying token.
        var lifetime = TimeSpan.FromSeconds(token.ExpiresIn ?? 300);
        _tokenExpires = time.GetUtcNow() + (lifetime > TimeSpan.FromMinutes(2) ? lifetime - TimeSpan.FromMinutes(1) : lifetime / 2);
        return _token;
    }
}
