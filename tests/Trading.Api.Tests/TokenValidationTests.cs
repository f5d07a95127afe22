using System.Net;
using AspireGateway.Tests;

namespace Trading.Api.Tests;

/// <summary>Trading.Api validates every token itself; it never trusts what reached it.</summary>
public sealed class TokenValidationTests(TradingFixture fixture) : IClassFixture<TradingFixture>
{
    public static TheoryData<string> Forgeries => new(TestTokenIssuer.Forgeries);

    [Theory]
    [MemberData(nameof(Forgeries))]
    public async Task AForgedOrUnacceptableTokenIsRejectedWith401(string forgery)
    {
        using var client = fixture.Client(fixture.Tokens.Forge(forgery, TestTokenIssuer.NewSubject(), wrongAudience: "identity"));

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

    [Fact]
    public async Task AKeyBoundTokenForwardedWithTheDPoPSchemeIsValidatedLikeAnyOther()
    {
        using var key = DPoPKey.EllipticCurve();
        using var client = fixture.Client();
        var token = fixture.Tokens.Mint(TestTokenIssuer.NewSubject(), roles: ["trader"], boundToThumbprint: key.Thumbprint);
        client.DefaultRequestHeaders.Authorization = new System.Net.Http.Headers.AuthenticationHeaderValue("DPoP", token);

        using var response = await client.GetAsync(new Uri("/api/v1/trading/accounts", UriKind.Relative));

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
    }
}
