using System.Net;
using System.Text.Json;

namespace Identity.Api.Tests;

[Collection(IdentityCollection.Name)]
public sealed class OpenApiDocumentTests(IdentityFixture fixture)
{
    private static readonly string[] PublicPaths =
    [
        "/api/v1/auth/register", "/api/v1/auth/login", "/api/v1/auth/refresh", "/api/v1/auth/me", "/api/v1/auth/logout",
        "/api/v1/users/profile", "/api/v1/admin/users",
        "/api/v1/admin/users/{id}/lock", "/api/v1/admin/users/{id}/unlock", "/api/v1/admin/users/{id}/revoke-sessions",
    ];

    [Fact]
    public async Task TheDocumentListsThePublicRoutesAndNothingInternal()
    {
        var document = await DocumentAsync();

        Assert.StartsWith("3.", document.GetProperty("openapi").GetString(), StringComparison.Ordinal);
        var paths = document.GetProperty("paths").EnumerateObject().Select(path => path.Name).ToList();
        Assert.Equal(PublicPaths.Order(StringComparer.Ordinal), paths.Order(StringComparer.Ordinal));
        Assert.DoesNotContain(paths, path => path.StartsWith("/internal", StringComparison.Ordinal) || path is "/health" or "/alive" or "/connect/token");
    }

    [Fact]
    public async Task SignedInRoutesNeedABearerTokenAndAnonymousOnesDoNot()
    {
        var document = await DocumentAsync();

        var scheme = document.GetProperty("components").GetProperty("securitySchemes").GetProperty("Bearer");
        Assert.Equal("http", scheme.GetProperty("type").GetString());
        Assert.Equal("bearer", scheme.GetProperty("scheme").GetString());
        Assert.Equal(["Bearer"], Operation(document, "/api/v1/auth/me", "get").GetProperty("security")[0].EnumerateObject().Select(p => p.Name));
        Assert.True(Operation(document, "/api/v1/admin/users/{id}/lock", "post").GetProperty("responses").TryGetProperty("403", out _));
        Assert.True(Operation(document, "/api/v1/auth/logout", "post").GetProperty("responses").TryGetProperty("401", out _));
        Assert.False(Operation(document, "/api/v1/auth/login", "post").TryGetProperty("security", out _));
    }

    [Fact]
    public async Task SchemasUseTheSnakeCaseNamesOfTheWire()
    {
        var document = await DocumentAsync();

        var refresh = Schema(document, Operation(document, "/api/v1/auth/refresh", "post").GetProperty("requestBody").GetProperty("content").GetProperty("application/json").GetProperty("schema"));
        Assert.Equal(["refresh_token"], refresh.GetProperty("properties").EnumerateObject().Select(p => p.Name));
        var login = Schema(document, Operation(document, "/api/v1/auth/login", "post").GetProperty("requestBody").GetProperty("content").GetProperty("application/json").GetProperty("schema"));
        Assert.Equal(["email", "password"], login.GetProperty("properties").EnumerateObject().Select(p => p.Name));
        var tokens = Schema(document, Response(document, "/api/v1/auth/register", "post", "201"));
        Assert.Equal(["access_token", "token_type", "expires_in", "refresh_token", "scope"], tokens.GetProperty("properties").EnumerateObject().Select(p => p.Name));
        var me = Schema(document, Response(document, "/api/v1/auth/me", "get", "200"));
        Assert.Equal(["user_id", "username", "email", "roles"], me.GetProperty("properties").EnumerateObject().Select(p => p.Name));
        var users = Schema(document, Schema(document, Response(document, "/api/v1/admin/users", "get", "200")).GetProperty("properties").GetProperty("users").GetProperty("items"));
        Assert.Equal(["user_id", "username", "email", "roles", "is_active", "locked_until"], users.GetProperty("properties").EnumerateObject().Select(p => p.Name));
    }

    [Fact]
    public async Task EveryErrorIsAProblemDocumentAndEveryReferenceResolves()
    {
        var document = await DocumentAsync();

        var errors = document.GetProperty("paths").EnumerateObject()
            .SelectMany(path => path.Value.EnumerateObject())
            .SelectMany(operation => operation.Value.GetProperty("responses").EnumerateObject())
            .Where(response => response.Name[0] is '4' or '5')
            .ToList();
        Assert.Contains(errors, response => response.Name == "404");
        Assert.All(errors, response => Assert.True(response.Value.GetProperty("content").TryGetProperty("application/problem+json", out _), response.Name));
        Assert.All(References(document), reference => Schema(document, JsonDocument.Parse($$"""{"$ref":"{{reference}}"}""").RootElement));
    }

    private static IEnumerable<string> References(JsonElement node) => node.ValueKind switch
    {
        JsonValueKind.Object => node.EnumerateObject().SelectMany(property =>
            property.Name == "$ref" ? [property.Value.GetString()!] : References(property.Value)),
        JsonValueKind.Array => node.EnumerateArray().SelectMany(References),
        _ => [],
    };

    private async Task<JsonElement> DocumentAsync()
    {
        using var response = await fixture.CreateClient().GetAsync(new Uri("/openapi/v1.json", UriKind.Relative));
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        return await IdentityClient.JsonAsync(response);
    }

    private static JsonElement Operation(JsonElement document, string path, string method) =>
        document.GetProperty("paths").GetProperty(path).GetProperty(method);

    private static JsonElement Response(JsonElement document, string path, string method, string status) =>
        Operation(document, path, method).GetProperty("responses").GetProperty(status).GetProperty("content").GetProperty("application/json").GetProperty("schema");

    /// <summary>Follows a <c>$ref</c> into <c>components/schemas</c>.</summary>
    private static JsonElement Schema(JsonElement document, JsonElement schema) =>
        schema.TryGetProperty("$ref", out var reference)
            ? document.GetProperty("components").GetProperty("schemas").GetProperty(reference.GetString()!["#/components/schemas/".Length..])
            : schema;
}
