using System.Globalization;
using System.IdentityModel.Tokens.Jwt;
using System.Net;
using System.Net.Http.Json;
using System.Text.Json;

namespace Identity.Api.Tests;

[Collection(IdentityCollection.Name)]
public sealed class SecurityEventFeedTests(IdentityFixture fixture)
{
    private static readonly string[] Fields = ["id", "time", "type", "user_id", "client_id", "client_ip", "session_id", "outcome", "reason"];

    [Fact]
    public async Task TheAuditClientReadsTheEventsOfALoginInOrder()
    {
        using var api = fixture.Api();
        var audit = await AuditTokenAsync(api);
        var last = await LastIdAsync(api, audit);
        var (_, email, password) = await api.NewUserAsync();
        var wrong = IdentityClient.NewPassword();
        await api.StatusAsync(api.LoginAsync(email, wrong));
        var tokens = await api.LoginOkAsync(email, password);
        var userId = new JwtSecurityTokenHandler().ReadJwtToken(tokens.AccessToken).Subject;

        using var response = await api.GetAsync($"/internal/security-events?after={last}", audit);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var body = await response.Content.ReadAsStringAsync();
        var events = JsonDocument.Parse(body).RootElement.GetProperty("events").EnumerateArray().ToList();
        Assert.Equal(["registered", "login_failed", "login_succeeded"], events.Select(e => e.GetProperty("type").GetString()));
        Assert.All(events, e => Assert.Equal(Fields, e.EnumerateObject().Select(property => property.Name)));
        Assert.All(events, e => Assert.Equal(userId, e.GetProperty("user_id").GetString()));
        Assert.All(events, e => Assert.Equal("gateway-web", e.GetProperty("client_id").GetString()));
        Assert.Equal(["success", "failure", "success"], events.Select(e => e.GetProperty("outcome").GetString()));
        Assert.Equal("wrong_password", events[1].GetProperty("reason").GetString());
        Assert.Equal(JsonValueKind.Null, events[2].GetProperty("reason").ValueKind);
        Assert.Equal(SessionTests.Sid(tokens.AccessToken), events[2].GetProperty("session_id").GetString());
        Assert.True(events.Select(e => e.GetProperty("id").GetInt64()).Order().SequenceEqual(events.Select(e => e.GetProperty("id").GetInt64())));
        var time = events[2].GetProperty("time").GetString()!;
        Assert.EndsWith("Z", time, StringComparison.Ordinal);
        Assert.InRange(DateTimeOffset.Parse(time, CultureInfo.InvariantCulture), DateTimeOffset.UtcNow.AddMinutes(-1), DateTimeOffset.UtcNow.AddSeconds(5));
        foreach (var secret in new[] { password, wrong, tokens.AccessToken, tokens.RefreshToken!, email, fixture.AuditSecret })
        {
            Assert.DoesNotContain(secret, body, StringComparison.OrdinalIgnoreCase);
        }
    }

    [Fact]
    public async Task AfterPagesThroughTheFeedWithoutGapsOrRepeats()
    {
        using var api = fixture.Api();
        var audit = await AuditTokenAsync(api);
        var last = await LastIdAsync(api, audit);
        var (_, email, _) = await api.NewUserAsync();
        for (var i = 0; i < 3; i++)
        {
            await api.StatusAsync(api.LoginAsync(email, IdentityClient.NewPassword()));
        }

        var all = await IdsAsync(api, audit, last, limit: 100);
        var paged = new List<long>();
        for (var after = last; ;)
        {
            var page = await IdsAsync(api, audit, after, limit: 2);
            Assert.InRange(page.Count, 0, 2);
            if (page.Count == 0)
            {
                break;
            }

            paged.AddRange(page);
            after = page[^1];
        }

        Assert.Equal(4, all.Count);
        Assert.Equal(all, paged);
    }

    [Fact]
    public async Task OnlyAGatewayTokenWithTheAuditScopeMayRead()
    {
        using var api = fixture.Api();
        var (trader, _, _) = await api.NewUserAsync();
        var admin = await api.LoginOkAsync("admin@example.com", fixture.DemoPassword);
        using var partnerResponse = await api.TokenAsync(("grant_type", "client_credentials"), ("client_id", IdentityFixture.PartnerClientId), ("client_secret", fixture.PartnerSecret));
        var partner = (await partnerResponse.Content.ReadFromJsonAsync<TokenResponse>())!.AccessToken;
        var audit = await AuditTokenAsync(api);

        using var anonymous = await api.GetAsync("/internal/security-events", accessToken: null);
        Assert.Equal(HttpStatusCode.Unauthorized, anonymous.StatusCode);
        Assert.Equal("Bearer", anonymous.Headers.WwwAuthenticate.Single().Scheme);
        Assert.Equal(HttpStatusCode.Unauthorized, await api.StatusAsync(api.GetAsync("/internal/security-events", "not-a-token")));
        // A trading client token is for another audience altogether: not a valid token here.
        Assert.Equal(HttpStatusCode.Unauthorized, await api.StatusAsync(api.GetAsync("/internal/security-events", partner)));
        // Valid identity tokens without audit:read for the gateway; the admin's carries audit:read, but for users' audiences.
        Assert.Equal(HttpStatusCode.Forbidden, await api.StatusAsync(api.GetAsync("/internal/security-events", trader.AccessToken)));
        Assert.Equal(HttpStatusCode.Forbidden, await api.StatusAsync(api.GetAsync("/internal/security-events", admin.AccessToken)));
        Assert.Equal(HttpStatusCode.OK, await api.StatusAsync(api.GetAsync("/internal/security-events?limit=1", audit)));
        // The gateway audience is accepted on the feed only.
        Assert.Equal(HttpStatusCode.Unauthorized, await api.StatusAsync(api.GetAsync("/api/v1/auth/me", audit)));
    }

    [Theory]
    [InlineData("limit=0", "limit")]
    [InlineData("limit=1001", "limit")]
    [InlineData("after=-1", "after")]
    [InlineData("after=abc", "after")]
    [InlineData("limit=ten", "limit")]
    public async Task AnOutOfRangeQueryIsA400ProblemNamingTheParameter(string query, string parameter)
    {
        using var api = fixture.Api();
        var audit = await AuditTokenAsync(api);

        using var response = await api.GetAsync("/internal/security-events?" + query, audit);

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        using var problem = System.Text.Json.JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        Assert.Equal([parameter], problem.RootElement.GetProperty("errors").EnumerateObject().Select(error => error.Name));
    }

    private async Task<string> AuditTokenAsync(IdentityClient api)
    {
        using var response = await api.TokenAsync(
            ("grant_type", "client_credentials"), ("client_id", IdentityFixture.AuditClientId),
            ("client_secret", fixture.AuditSecret), ("scope", "audit:read"));
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        return (await response.Content.ReadFromJsonAsync<TokenResponse>())!.AccessToken;
    }

    /// <summary>The id of the newest event, read through the feed itself.</summary>
    private static async Task<long> LastIdAsync(IdentityClient api, string audit)
    {
        var last = 0L;
        while (await IdsAsync(api, audit, last, limit: 1000) is { Count: > 0 } page)
        {
            last = page[^1];
        }

        return last;
    }

    private static async Task<List<long>> IdsAsync(IdentityClient api, string audit, long after, int limit)
    {
        using var response = await api.GetAsync($"/internal/security-events?after={after}&limit={limit}", audit);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        return [.. (await IdentityClient.JsonAsync(response)).GetProperty("events").EnumerateArray().Select(e => e.GetProperty("id").GetInt64())];
    }
}
