using System.IdentityModel.Tokens.Jwt;
using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using AspireGateway.Tests;

namespace Identity.Api.Tests;

/// <summary>
/// DPoP-bound tokens from the token service: a token request with a proof gets tokens bound to
/// the proof's key, and a bound refresh token only refreshes with a proof by that key.
/// </summary>
[Collection(IdentityCollection.Name)]
public sealed class DPoPTokenTests(IdentityFixture fixture)
{
    private const string Login = "/api/v1/auth/login";

    [Theory]
    [InlineData("EC")]
    [InlineData("RSA")]
    public async Task ALoginWithAProofGetsADPoPAccessTokenBoundToThatKey(string keyType)
    {
        using var api = fixture.Api();
        var (_, email, password) = await api.NewUserAsync();
        using var key = keyType == "EC" ? DPoPKey.EllipticCurve() : DPoPKey.Rsa();

        using var response = await PostAsync(api, Login, new { email, password }, key.Proof("POST", Url(Login)));

        await AssertBoundToAsync(response, key);
    }

    [Fact]
    public async Task ThePasswordGrantAtTheTokenEndpointIssuesBoundTokensToo()
    {
        using var api = fixture.Api();
        var (_, email, password) = await api.NewUserAsync();
        using var key = DPoPKey.EllipticCurve();
        using var request = PasswordGrant(email, password, key.Proof("POST", Url("/connect/token")));

        using var response = await api.Http.SendAsync(request);

        await AssertBoundToAsync(response, key);
    }

    [Fact]
    public async Task ABoundRefreshTokenRefreshesOnlyWithAProofByTheSameKey()
    {
        using var api = fixture.Api();
        var (_, email, password) = await api.NewUserAsync();
        using var key = DPoPKey.EllipticCurve();
        using var thief = DPoPKey.EllipticCurve();
        using var login = await PostAsync(api, Login, new { email, password }, key.Proof("POST", Url(Login)));
        var tokens = (await login.Content.ReadFromJsonAsync<TokenResponse>())!;
        const string refresh = "/api/v1/auth/refresh";
        var body = new { refresh_token = tokens.RefreshToken };

        using var withoutProof = await PostAsync(api, refresh, body, proof: null);
        using var withAnotherKey = await PostAsync(api, refresh, body, thief.Proof("POST", Url(refresh)));
        using var withTheKey = await PostAsync(api, refresh, body, key.Proof("POST", Url(refresh)));

        Assert.Equal(HttpStatusCode.BadRequest, withoutProof.StatusCode);
        Assert.Equal(HttpStatusCode.BadRequest, withAnotherKey.StatusCode);
        Assert.Equal("application/problem+json", withAnotherKey.Content.Headers.ContentType?.MediaType);
        // The refused attempts did not use the token up: its owner refreshes with it.
        await AssertBoundToAsync(withTheKey, key);
    }

    [Theory]
    [InlineData("wrong-htu")]
    [InlineData("wrong-htm")]
    [InlineData("replayed")]
    [InlineData("private-key-in-jwk")]
    public async Task ALoginWithABadProofIsA400ProblemAndIssuesNothing(string kind)
    {
        using var api = fixture.Api();
        var (_, email, password) = await api.NewUserAsync();
        using var key = DPoPKey.EllipticCurve();
        var proof = kind switch
        {
            "wrong-htu" => key.Proof("POST", Url("/api/v1/auth/register")),
            "wrong-htm" => key.Proof("GET", Url(Login)),
            "private-key-in-jwk" => key.Proof("POST", Url(Login), includePrivateKey: true),
            _ => key.Proof("POST", Url(Login), jti: "used-once-" + email),
        };
        if (kind == "replayed")
        {
            using var first = await PostAsync(api, Login, new { email, password }, proof);
            Assert.Equal(HttpStatusCode.OK, first.StatusCode);
        }

        using var response = await PostAsync(api, Login, new { email, password }, proof);

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
    }

    [Fact]
    public async Task WhenTheServerRequiresDPoPALoginWithoutAProofIsRefused()
    {
        await using var strict = fixture.WithSettings(new Dictionary<string, string?> { ["Identity:RequireDPoP"] = "true" });
        using var api = new IdentityClient(strict.CreateClient());
        using var key = DPoPKey.EllipticCurve();

        using var bearer = await api.LoginAsync("trader@example.com", fixture.DemoPassword);
        using var bound = await PostAsync(api, Login, new { email = "trader@example.com", password = fixture.DemoPassword }, key.Proof("POST", Url(Login)));

        Assert.Equal(HttpStatusCode.BadRequest, bearer.StatusCode);
        Assert.Equal(HttpStatusCode.OK, bound.StatusCode);
    }

    [Fact]
    public async Task WhileTheCacheCannotConfirmAProofsSingleUseTokenRequestsWithProofsAre503AndIssueNothing()
    {
        // A cache of this test's own, so that stopping it touches no other test.
        var port = Ports.FreeLoopback();
        var cache = OwnCache.Start(port);
        await using var service = fixture.WithSettings(new Dictionary<string, string?> { ["ConnectionStrings:cache"] = OwnCache.Address(port) });
        using var api = new IdentityClient(service.CreateClient());
        var (_, email, password) = await api.NewUserAsync();
        using var key = DPoPKey.EllipticCurve();
        using (var whileUp = await PostAsync(api, Login, new { email, password }, key.Proof("POST", Url(Login))))
        {
            await AssertBoundToAsync(whileUp, key);
        }

        cache.Dispose();
        using var login = await PostAsync(api, Login, new { email, password }, key.Proof("POST", Url(Login)));
        using var grant = await api.Http.SendAsync(PasswordGrant(email, password, key.Proof("POST", Url("/connect/token"))));

        Assert.Equal(HttpStatusCode.ServiceUnavailable, login.StatusCode);
        Assert.NotNull(login.Headers.RetryAfter);
        Assert.Equal("application/problem+json", login.Content.Headers.ContentType?.MediaType);
        using var problem = JsonDocument.Parse(await login.Content.ReadAsStringAsync());
        Assert.Equal(503, problem.RootElement.GetProperty("status").GetInt32());
        Assert.All(new[] { "type", "title", "detail", "traceId" }, member => Assert.False(string.IsNullOrEmpty(problem.RootElement.GetProperty(member).GetString())));
        Assert.False(problem.RootElement.TryGetProperty("access_token", out _));
        Assert.Equal(HttpStatusCode.ServiceUnavailable, grant.StatusCode);
        Assert.NotNull(grant.Headers.RetryAfter);
        using var error = JsonDocument.Parse(await grant.Content.ReadAsStringAsync());
        Assert.Equal("temporarily_unavailable", error.RootElement.GetProperty("error").GetString());
        Assert.False(error.RootElement.TryGetProperty("access_token", out _));
    }

    [Fact]
    public async Task DiscoveryNamesTheProofAlgorithms()
    {
        using var api = fixture.Api();

        using var response = await api.GetAsync("/.well-known/openid-configuration", accessToken: null);

        var algorithms = (await IdentityClient.JsonAsync(response)).GetProperty("dpop_signing_alg_values_supported")
            .EnumerateArray().Select(value => value.GetString()).ToList();
        Assert.Contains("ES256", algorithms);
        Assert.DoesNotContain("none", algorithms);
        Assert.DoesNotContain("HS256", algorithms);
    }

    private static string Url(string path) => new Uri(new Uri(IdentityFixture.Issuer), path.TrimStart('/')).AbsoluteUri;

    private static HttpRequestMessage PasswordGrant(string email, string password, string proof)
    {
        var request = new HttpRequestMessage(HttpMethod.Post, new Uri("/connect/token", UriKind.Relative))
        {
            Content = new FormUrlEncodedContent(new Dictionary<string, string>
            {
                ["grant_type"] = "password",
                ["username"] = email,
                ["password"] = password,
                ["client_id"] = "gateway-web",
                ["scope"] = "offline_access",
            }),
        };
        request.Headers.Add("DPoP", proof);
        return request;
    }

    private static Task<HttpResponseMessage> PostAsync(IdentityClient api, string path, object body, string? proof)
    {
        var request = new HttpRequestMessage(HttpMethod.Post, new Uri(path, UriKind.Relative)) { Content = JsonContent.Create(body) };
        if (proof is not null)
        {
            request.Headers.Add("DPoP", proof);
        }

        return api.Http.SendAsync(request);
    }

    /// <summary>A 200 token response whose access token is a DPoP token bound to <paramref name="key"/>.</summary>
    private static async Task AssertBoundToAsync(HttpResponseMessage response, DPoPKey key)
    {
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var tokens = (await response.Content.ReadFromJsonAsync<TokenResponse>())!;
        Assert.Equal("DPoP", tokens.TokenType);
        Assert.Equal(key.Thumbprint, BoundThumbprint(tokens.AccessToken));
    }

    private static string? BoundThumbprint(string accessToken)
    {
        var cnf = new JwtSecurityTokenHandler().ReadJwtToken(accessToken).Payload["cnf"];
        return JsonSerializer.SerializeToElement(cnf).GetProperty("jkt").GetString();
    }
}
