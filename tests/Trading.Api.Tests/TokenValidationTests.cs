using System.Net;
using AspireGateway.Tests;

namespace Trading.Api.Tests;

/// <summary>Trading.Api validates every token itself; it never trusts what reached it.</summary>
public sealed class TokenValidationTests(TradingFixture fixture) : IClassFixture<TradingFixture>
{
    public static TheoryData<string> Forgeries => ["alg-none", "hs256-public-key", "unknown-kid", "expired", "not-yet-valid", "wrong-audience", "wrong-issuer", "not-an-access-token"];

    [Theory]
    [MemberData(nameof(Forgeries))]
    public async Task AForgedOrUnacceptableTokenIsRejectedWith401(string forgery)
    {
        var subject = TestTokenIssuer.NewSubject();
        var tokens = fixture.Tokens;
        var token = forgery switch
        {
            "alg-none" => tokens.ForgeUnsigned(subject),
            "hs256-public-key" => tokens.ForgeHmacWithPublicKey(subject),
            "unknown-kid" => TestTokenIssuer.ForgeWithUnknownKey(subject, tokens.Issuer),
            "expired" => tokens.Mint(subject, roles: ["trader"], notBefore: DateTime.UtcNow.AddMinutes(-20), lifetime: TimeSpan.FromMinutes(5)),
            "not-yet-valid" => tokens.Mint(subject, roles: ["trader"], notBefore: DateTime.UtcNow.AddMinutes(10)),
            "wrong-audience" => tokens.Mint(subject, roles: ["trader"], audience: "identity"),
            "wrong-issuer" => tokens.Mint(subject, roles: ["trader"], issuer: "https://evil.test/"),
            _ => tokens.Mint(subject, roles: ["trader"], tokenType: "JWT"),
        };
        using var client = fixture.Client(token);

        using var response = await client.GetAsync(new Uri("/api/v1/trading/accounts", UriKind.Relative));

        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
    }

    [Fact]
    public async Task AnIdentityHeaderFromTheClientGrantsNothing()
    {
        using var client = fixture.Client();
        client.DefaultRequestHeaders.Add("X-User-Id", "someone");
        client.DefaultRequestHeaders.Add("X-User-Roles", "trader");

        using var response = await client.GetAsync(new Uri("/api/v1/trading/accounts", UriKind.Relative));

        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
    }
}
