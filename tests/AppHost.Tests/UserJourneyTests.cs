using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;
using AspireGateway.Tests;

namespace AppHost.Tests;

/// <summary>What a REST client does through the gateway, with every service real.</summary>
public sealed class UserJourneyTests(AppHostFixture fixture) : IClassFixture<AppHostFixture>
{
    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web) { PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower };

    [Fact]
    public async Task ARegisteredTraderTradesThroughTheGatewayAndLogoutEndsTheSession()
    {
        using var client = fixture.CreateGatewayClient();
        var email = $"e2e-{Guid.NewGuid():N}@example.com";

        // Gateway → identity (service discovery): register issues tokens.
        using var registered = await CredentialsBudget.PostAsJsonAsync(client, "/api/v1/auth/register",
            new { username = $"e2e-{Guid.NewGuid():N}", email, password = "a long enough passphrase" });
        Assert.Equal(HttpStatusCode.Created, registered.StatusCode);
        var tokens = (await registered.Content.ReadFromJsonAsync<TokenBody>(Json))!;
        Assert.Equal("Bearer", tokens.TokenType);
        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", tokens.AccessToken);

        // Gateway → trading: the token is validated at the edge and again by trading.
        var accounts = await client.GetFromJsonAsync<JsonElement>(new Uri("/api/v1/trading/accounts", UriKind.Relative));
        var account = accounts.GetProperty("accounts")[0];
        Assert.StartsWith("****", account.GetProperty("account_number").GetString(), StringComparison.Ordinal);
        using var order = new HttpRequestMessage(HttpMethod.Post, "/api/v1/trading/orders")
        {
            Content = JsonContent.Create(new { account_id = account.GetProperty("account_id").GetGuid(), symbol = "AAPL", side = "buy", type = "market", quantity = 1, time_in_force = "day" }),
        };
        order.Headers.Add("Idempotency-Key", Guid.NewGuid().ToString());
        using var placed = await client.SendAsync(order);
        Assert.Equal(HttpStatusCode.Created, placed.StatusCode);

        var me = await client.GetFromJsonAsync<JsonElement>(new Uri("/api/v1/auth/me", UriKind.Relative));
        Assert.Equal(email, me.GetProperty("email").GetString());

        // Logout: from then on the same access token is refused at the gateway.
        using var logout = await client.PostAsync(new Uri("/api/v1/auth/logout", UriKind.Relative), null);
        Assert.Equal(HttpStatusCode.NoContent, logout.StatusCode);
        var refused = await Poll.UntilAsync(() => client.GetAsync(new Uri("/api/v1/trading/accounts", UriKind.Relative)), HttpStatusCode.Unauthorized, TimeSpan.FromSeconds(1), TimeSpan.FromMilliseconds(50));
        Assert.Equal(HttpStatusCode.Unauthorized, refused);
    }

    [Fact]
    public async Task ATraderWithADPoPKeyGetsBoundTokensAndTradesWithProofsThroughTheGateway()
    {
        using var client = fixture.CreateGatewayClient();
        using var key = AspireGateway.Tests.DPoPKey.EllipticCurve();
        string Url(string path) => new Uri(client.BaseAddress!, path).AbsoluteUri;

        // Identity checks the proof of the token request (htu: the gateway's public URL).
        var body = new { username = $"dpop-{Guid.NewGuid():N}", email = $"dpop-{Guid.NewGuid():N}@example.com", password = "a long enough passphrase" };
        using var registered = await CredentialsBudget.SendAsync(client, () =>
        {
            var register = new HttpRequestMessage(HttpMethod.Post, "/api/v1/auth/register") { Content = JsonContent.Create(body) };
            register.Headers.Add("DPoP", key.Proof("POST", Url("/api/v1/auth/register")));
            return register;
        });
        Assert.Equal(HttpStatusCode.Created, registered.StatusCode);
        var tokens = (await registered.Content.ReadFromJsonAsync<TokenBody>(Json))!;
        Assert.Equal("DPoP", tokens.TokenType);

        // The gateway checks the proof of each request; trading validates the token behind it.
        using var accounts = new HttpRequestMessage(HttpMethod.Get, "/api/v1/trading/accounts");
        accounts.Headers.Authorization = new AuthenticationHeaderValue("DPoP", tokens.AccessToken);
        accounts.Headers.Add("DPoP", key.Proof("GET", Url("/api/v1/trading/accounts"), tokens.AccessToken));
        using var withProof = await client.SendAsync(accounts);
        Assert.Equal(HttpStatusCode.OK, withProof.StatusCode);

        // The same token as a plain bearer token is worth nothing to whoever copied it.
        using var asBearer = new HttpRequestMessage(HttpMethod.Get, "/api/v1/trading/accounts");
        asBearer.Headers.Authorization = new AuthenticationHeaderValue("Bearer", tokens.AccessToken);
        using var refused = await client.SendAsync(asBearer);
        Assert.Equal(HttpStatusCode.Unauthorized, refused.StatusCode);
        Assert.Equal("DPoP", refused.Headers.WwwAuthenticate.Single().Scheme);
    }

    [Fact]
    public async Task DiscoveryNamesTheGatewayAsIssuerAndPublishesTheSigningKeys()
    {
        using var client = fixture.CreateGatewayClient();

        var discovery = await client.GetFromJsonAsync<JsonElement>(new Uri("/.well-known/openid-configuration", UriKind.Relative));
        var jwks = await client.GetFromJsonAsync<JsonElement>(new Uri(new Uri(discovery.GetProperty("jwks_uri").GetString()!).PathAndQuery, UriKind.Relative));

        Assert.Equal(client.BaseAddress!.GetLeftPart(UriPartial.Authority), discovery.GetProperty("issuer").GetString()!.TrimEnd('/'));
        Assert.True(jwks.GetProperty("keys").GetArrayLength() > 0);
        Assert.All(jwks.GetProperty("keys").EnumerateArray(), key => Assert.False(string.IsNullOrEmpty(key.GetProperty("kid").GetString())));
    }

    private sealed record TokenBody(string AccessToken, string TokenType, int ExpiresIn, string RefreshToken, string Scope);
}
