using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using AspireGateway.Tests;

namespace Gateway.Api.Tests;

/// <summary>
/// Sender-constrained tokens at the edge: a token bound to a key (<c>cnf.jkt</c>) passes only as
/// <c>Authorization: DPoP</c> with a fresh proof by that key for the very request; anything else
/// is a 401 with a <c>WWW-Authenticate: DPoP</c> challenge, and nothing reaches the backend.
/// </summary>
public sealed class DPoPTests(GatewayFixture fixture) : IClassFixture<GatewayFixture>
{
    private const string Accounts = "/api/v1/trading/accounts";
    private static readonly string AccountsUrl = "http://localhost" + Accounts;

    [Theory]
    [InlineData("EC")]
    [InlineData("RSA")]
    public async Task ABoundTokenWithAFreshProofReachesTheBackendWithItsAuthorization(string keyType)
    {
        using var key = keyType == "EC" ? DPoPKey.EllipticCurve() : DPoPKey.Rsa();
        var token = Bound(key);

        using var response = await SendAsync(fixture.Gateway, token, key.Proof("GET", AccountsUrl, token));

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var echoed = (await response.Content.ReadFromJsonAsync<EchoedRequest>())!;
        Assert.Equal("DPoP " + token, echoed.Header("Authorization"));
    }

    [Fact]
    public async Task ABoundTokenSentAsBearerIsRefused()
    {
        using var key = DPoPKey.EllipticCurve();
        var token = Bound(key);
        using var client = fixture.Client(token);

        using var response = await client.GetAsync(new Uri(Accounts, UriKind.Relative));

        AssertChallenge(response, "invalid_token");
    }

    public static TheoryData<string> BadProofs => new(
        "no-proof", "wrong-htm", "wrong-htu", "old-iat", "future-iat", "missing-ath", "other-ath", "other-key",
        "alg-none", "hs256", "private-key-in-jwk", "wrong-typ", "not-a-jwt");

    [Theory]
    [MemberData(nameof(BadProofs))]
    public async Task ABoundTokenWithABadProofIsRefusedWithADPoPChallenge(string kind)
    {
        using var key = DPoPKey.EllipticCurve();
        using var other = DPoPKey.EllipticCurve();
        var token = Bound(key);
        var proof = kind switch
        {
            "no-proof" => null,
            "wrong-htm" => key.Proof("POST", AccountsUrl, token),
            "wrong-htu" => key.Proof("GET", "http://localhost/api/v1/trading/portfolio", token),
            "old-iat" => key.Proof("GET", AccountsUrl, token, issuedAt: DateTimeOffset.UtcNow.AddMinutes(-5)),
            "future-iat" => key.Proof("GET", AccountsUrl, token, issuedAt: DateTimeOffset.UtcNow.AddMinutes(5)),
            "missing-ath" => key.Proof("GET", AccountsUrl),
            "other-ath" => key.Proof("GET", AccountsUrl, ath: DPoPKey.Ath(fixture.Tokens.Trader())),
            "other-key" => other.Proof("GET", AccountsUrl, token),
            "alg-none" => key.Proof("GET", AccountsUrl, token, algorithm: "none"),
            "hs256" => key.Proof("GET", AccountsUrl, token, algorithm: "HS256"),
            "private-key-in-jwk" => key.Proof("GET", AccountsUrl, token, includePrivateKey: true),
            "wrong-typ" => key.Proof("GET", AccountsUrl, token, type: "JWT"),
            "not-a-jwt" => "not.a.jwt",
            _ => throw new ArgumentOutOfRangeException(nameof(kind)),
        };

        using var response = await SendAsync(fixture.Gateway, token, proof);

        AssertChallenge(response, "invalid_dpop_proof");
    }

    [Fact]
    public async Task AProofReplayedAtTheSameOrAnotherGatewayInstanceIsRefused()
    {
        await using var second = fixture.CreateGateway(fixture.Backend.Address);
        using var key = DPoPKey.EllipticCurve();
        var token = Bound(key);
        var proof = key.Proof("GET", AccountsUrl, token);

        using var first = await SendAsync(fixture.Gateway, token, proof);
        using var again = await SendAsync(fixture.Gateway, token, proof);
        using var elsewhere = await SendAsync(second, token, proof);

        Assert.Equal(HttpStatusCode.OK, first.StatusCode);
        AssertChallenge(again, "invalid_dpop_proof");
        AssertChallenge(elsewhere, "invalid_dpop_proof");
    }

    [Fact]
    public async Task OneProofSentSixTimesAtOnceToTwoGatewayInstancesPassesExactlyOnce()
    {
        await using var second = fixture.CreateGateway(fixture.Backend.Address);
        using var key = DPoPKey.EllipticCurve();
        var token = Bound(key);
        // A first request connects the new instance to the shared cache: until it is connected,
        // an instance remembers proofs on its own (the documented outage behaviour), which is not
        // what this test is about.
        using (var warm = await SendAsync(second, token, key.Proof("GET", AccountsUrl, token)))
        {
            Assert.Equal(HttpStatusCode.OK, warm.StatusCode);
        }

        var proof = key.Proof("GET", AccountsUrl, token);
        var responses = await Together.RunAsync(6, index => SendAsync(index % 2 == 0 ? fixture.Gateway : second, token, proof));

        Assert.Equal(1, responses.Count(response => response.StatusCode == HttpStatusCode.OK));
        Assert.All(responses.Where(response => response.StatusCode != HttpStatusCode.OK), refused => AssertChallenge(refused, "invalid_dpop_proof"));
        Array.ForEach(responses, response => response.Dispose());
    }

    [Fact]
    public async Task AnUnboundTokenStillWorksAsBearer()
    {
        using var client = fixture.Client(fixture.Tokens.Trader());

        using var response = await client.GetAsync(new Uri(Accounts, UriKind.Relative));

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
    }

    private string Bound(DPoPKey key) => fixture.Tokens.Mint(TestTokenIssuer.NewSubject(), roles: ["trader"], boundToThumbprint: key.Thumbprint);

    private static Task<HttpResponseMessage> SendAsync(ServiceFactory<Program> gateway, string token, string? proof)
    {
        var client = gateway.CreateClient();
        var request = new HttpRequestMessage(HttpMethod.Get, new Uri(Accounts, UriKind.Relative));
        request.Headers.Authorization = new AuthenticationHeaderValue("DPoP", token);
        if (proof is not null)
        {
            request.Headers.TryAddWithoutValidation("DPoP", proof);
        }

        return client.SendAsync(request);
    }

    private static void AssertChallenge(HttpResponseMessage response, string error)
    {
        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        var challenge = response.Headers.WwwAuthenticate.Single();
        Assert.Equal("DPoP", challenge.Scheme);
        Assert.Contains($"error=\"{error}\"", challenge.Parameter, StringComparison.Ordinal);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
    }
}
