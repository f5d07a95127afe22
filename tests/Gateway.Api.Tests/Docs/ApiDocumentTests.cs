using System.Net;
using System.Text.Json.Nodes;
using AspireGateway.Tests;

namespace Gateway.Api.Tests.Docs;

[Collection(DocsGroup.Name)]
public sealed class ApiDocumentTests(DocsFixture fixture)
{
    private static readonly string[] OAuthPaths = ["/.well-known/openid-configuration", "/.well-known/jwks", "/connect/token", "/connect/revoke", "/connect/introspect"];

    [Fact]
    public async Task OpenApiDocumentIsOneOpenApi3DocumentWithTheGatewaysOwnRoutesAndTheBearerScheme()
    {
        using var client = fixture.CreateClient();

        using var response = await client.GetAsync(new Uri("/api/openapi.json", UriKind.Relative));

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("application/json", response.Content.Headers.ContentType?.MediaType);
        var document = JsonNode.Parse(await response.Content.ReadAsStringAsync())!;
        Assert.StartsWith("3.", document["openapi"]!.GetValue<string>(), StringComparison.Ordinal);
        foreach (var path in new[] { "/", "/api/openapi.json", "/api/docs", "/health", "/alive" })
        {
            Assert.NotNull(document["paths"]![path]?["get"]);
        }

        var bearer = document["components"]!["securitySchemes"]!["Bearer"]!;
        Assert.Equal("http", bearer["type"]!.GetValue<string>());
        Assert.Equal("bearer", bearer["scheme"]!.GetValue<string>());
    }

    [Fact]
    public async Task BackendOperationsThatRoutesExposeAreMergedWithTheComponentsTheyUse()
    {
        var paths = (await DocumentAsync())["paths"]!;

        Assert.Equal("Place an order", paths["/api/v1/trading/orders"]?["post"]?["summary"]?.GetValue<string>());
        Assert.NotNull(paths["/api/v1/trading/orders"]?["get"]);
        Assert.NotNull(paths["/api/v1/trading/orders/{id}"]?["delete"]);
        Assert.NotNull(paths["/api/v1/trading/quotes/{symbol}"]?["get"]);
        Assert.NotNull(paths["/api/v1/auth/login"]?["post"]);
        Assert.NotNull(paths["/api/v1/auth/me"]?["get"]);
        var order = paths["/api/v1/trading/orders"]!["post"]!["responses"]!["201"]!["content"]!["application/json"]!["schema"]!["$ref"]!.GetValue<string>();
        Assert.NotNull((await DocumentAsync())["components"]!["schemas"]![order.Split('/')[^1]]);
    }

    [Fact]
    public async Task NoDescriptionInTheDocumentRefersToADocumentOutsideIt()
    {
        var document = await DocumentAsync();

        Assert.Empty(OpenApiText.OutsideReferences(document.ToJsonString()));
        var key = document["paths"]!["/api/v1/trading/orders"]!["post"]!["parameters"]!.AsArray().Single(p => p!["name"]!.GetValue<string>() == "Idempotency-Key")!;
        Assert.True(key["required"]!.GetValue<bool>());
        Assert.Equal(255, key["schema"]!["maxLength"]!.GetValue<int>());
    }

    [Fact]
    public async Task OperationsNoRouteExposesAndBackendAddressesAreLeftOut()
    {
        using var client = fixture.CreateClient();
        var text = await client.GetStringAsync(new Uri("/api/openapi.json", UriKind.Relative));
        var document = JsonNode.Parse(text)!;

        Assert.Null(document["paths"]!["/api/v1/trading/orders"]!["patch"]);
        Assert.Null(document["paths"]!["/internal/ledger/rebuild"]);
        Assert.Null(document["paths"]!["/api/v1/auth/whoami"]); // the auth-session route's constraint allows only me|logout
        Assert.Null(document["components"]!["schemas"]!["LedgerRebuild"]);
        Assert.DoesNotContain("trading-internal", text, StringComparison.Ordinal);
        Assert.DoesNotContain(fixture.Trading.Address, text, StringComparison.Ordinal);
    }

    [Fact]
    public async Task OperationsBehindAuthenticatedRoutesRequireTheBearerSchemeAndAnonymousOnesDoNot()
    {
        var paths = (await DocumentAsync())["paths"]!;

        Assert.Equal("[{\"Bearer\":[]}]", paths["/api/v1/trading/orders"]!["post"]!["security"]?.ToJsonString());
        Assert.Equal("[{\"Bearer\":[]}]", paths["/api/v1/auth/me"]!["get"]!["security"]?.ToJsonString());
        Assert.Null(paths["/api/v1/auth/login"]!["post"]!["security"]);
        Assert.Null(paths["/api/openapi.json"]!["get"]!["security"]);
    }

    [Fact]
    public async Task OAuthEndpointsAreDescribedThoughTheIdentityDocumentLacksThem()
    {
        var paths = (await DocumentAsync())["paths"]!;

        Assert.All(OAuthPaths, path => Assert.NotNull(paths[path]));
        Assert.NotNull(paths["/connect/token"]!["post"]!["requestBody"]!["content"]!["application/x-www-form-urlencoded"]);
    }

    [Fact]
    public async Task OpenApiDocumentIs200WithTheGatewaysPartWhenTheBackendsAreDown()
    {
        var down = $"http://127.0.0.1:{Ports.FreeLoopback()}";
        await using var gateway = fixture.CreateGateway(down, down);
        using var client = gateway.CreateClient();

        using var response = await client.GetAsync(new Uri("/api/openapi.json", UriKind.Relative));

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var paths = JsonNode.Parse(await response.Content.ReadAsStringAsync())!["paths"]!;
        Assert.NotNull(paths["/"]);
        Assert.NotNull(paths["/health"]);
        Assert.All(OAuthPaths, path => Assert.NotNull(paths[path]));
        Assert.Null(paths["/api/v1/trading/orders"]);
    }

    [Fact]
    public async Task ABackendThatComesUpLaterJoinsTheDocumentWhileTheOldOneIsServed()
    {
        var port = Ports.FreeLoopback();
        await using var gateway = fixture.CreateGateway($"http://127.0.0.1:{port}", fixture.Identity.Address, new Dictionary<string, string?>
        {
            ["Gateway:ApiDocs:RetryInterval"] = "00:00:01",
        });
        using var client = gateway.CreateClient();
        Assert.Null(await PathAsync(client, "/api/v1/trading/orders"));

        await using var trading = await OpenApiBackend.StartAsync(OpenApiBackend.TradingDocument, port);

        // Rebuilt in the background once the retry interval has passed: a bounded poll, not a timed assertion.
        var deadline = DateTime.UtcNow.AddSeconds(30);
        while (await PathAsync(client, "/api/v1/trading/orders") is null && DateTime.UtcNow < deadline)
        {
            await Task.Delay(200);
        }

        Assert.NotNull(await PathAsync(client, "/api/v1/trading/orders"));
    }

    private static async Task<JsonNode?> PathAsync(HttpClient client, string path)
    {
        using var response = await client.GetAsync(new Uri("/api/openapi.json", UriKind.Relative));
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        return JsonNode.Parse(await response.Content.ReadAsStringAsync())!["paths"]![path];
    }

    private async Task<JsonNode> DocumentAsync()
    {
        using var client = fixture.CreateClient();
        return JsonNode.Parse(await client.GetStringAsync(new Uri("/api/openapi.json", UriKind.Relative)))!;
    }
}
