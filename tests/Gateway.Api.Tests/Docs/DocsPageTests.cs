using System.Net;
using System.Text.RegularExpressions;
using Gateway.Api.Hardening;

namespace Gateway.Api.Tests.Docs;

/// <summary><c>/api/docs</c> over HTTP: the page, its scripts and the policies they are served under.</summary>
[Collection(DocsGroup.Name)]
public sealed partial class DocsPageTests(DocsFixture fixture)
{
    [Fact]
    public async Task DocsPageIsHtmlUnderTheDocsPolicyWithANonceFreshForEachResponse()
    {
        using var client = fixture.CreateClient();

        using var first = await client.GetAsync(new Uri("/api/docs", UriKind.Relative));
        using var second = await client.GetAsync(new Uri("/api/docs/", UriKind.Relative));

        Assert.Equal(HttpStatusCode.OK, first.StatusCode);
        Assert.Equal("/api/docs/", first.RequestMessage?.RequestUri?.AbsolutePath);
        Assert.Equal("text/html", first.Content.Headers.ContentType?.MediaType);
        var nonces = new List<string>();
        foreach (var response in new[] { first, second })
        {
            var policy = string.Join(';', response.Headers.GetValues("Content-Security-Policy"));
            var nonce = NoncePattern().Match(policy).Groups[1].Value;
            Assert.Equal(SecurityHeaders.DocsPolicy.Replace("script-src 'self'", $"script-src 'self' 'nonce-{nonce}'", StringComparison.Ordinal), policy);
            Assert.DoesNotContain("unsafe-eval", policy, StringComparison.Ordinal);
            var html = await response.Content.ReadAsStringAsync();
            Assert.Equal(3, html.Split($"nonce=\"{nonce}\"").Length - 1); // both bundles and the inline bootstrap script
            nonces.Add(nonce);
        }

        Assert.NotEqual(nonces[0], nonces[1]);
    }

    [Theory]
    [InlineData("/api/docs/scalar.js")]
    [InlineData("/api/docs/scalar.aspnetcore.js")]
    [InlineData("/api/docs/zod-jitless.js")]
    public async Task DocsScriptsAreServedByTheGatewayUnderTheDocsPolicy(string path)
    {
        using var client = fixture.CreateClient();

        using var response = await client.GetAsync(new Uri(path, UriKind.Relative));

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("text/javascript", response.Content.Headers.ContentType?.MediaType);
        Assert.Equal(SecurityHeaders.DocsPolicy, string.Join(';', response.Headers.GetValues("Content-Security-Policy")));
    }

    [Theory]
    [InlineData("/api/openapi.json")]
    [InlineData("/api/v1/trading/quotes/ACME")]
    [InlineData("/api/docsx")]
    public async Task ApiPathsKeepTheStrictPolicy(string path)
    {
        using var client = fixture.CreateClient();

        using var response = await client.GetAsync(new Uri(path, UriKind.Relative));

        Assert.Equal(SecurityHeaders.ApiPolicy, string.Join(';', response.Headers.GetValues("Content-Security-Policy")));
    }

    [Fact]
    public async Task DocsPageForAnUnknownDocumentIs404()
    {
        using var client = fixture.CreateClient();

        using var response = await client.GetAsync(new Uri("/api/docs/internal", UriKind.Relative));

        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
    }

    [GeneratedRegex("'nonce-([A-Za-z0-9_-]{32,})'")]
    private static partial Regex NoncePattern();
}
