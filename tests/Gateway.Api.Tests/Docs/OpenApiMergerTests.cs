using System.Text.Json.Nodes;
using Gateway.Api.Docs;

namespace Gateway.Api.Tests.Docs;

public sealed class OpenApiMergerTests
{
    private const string Gateway = """
        { "openapi": "3.1.1", "paths": { "/": { "get": { "summary": "Gateway root", "responses": { "200": { "description": "OK" } } } } },
          "components": { "schemas": { "Problem": { "type": "object", "properties": { "title": { "type": "string" } } } } } }
        """;

    private const string Backend = """
        { "openapi": "3.1.1",
          "paths": {
            "/": { "get": { "summary": "Backend root", "responses": { "200": { "description": "OK" } } } },
            "/orders": { "post": { "responses": { "422": { "description": "Invalid", "content": { "application/json": { "schema": { "$ref": "#/components/schemas/Invalid" } } } } } } } },
          "components": { "schemas": {
            "Invalid": { "type": "object", "properties": { "problem": { "$ref": "#/components/schemas/Problem" } } },
            "Problem": { "type": "object", "properties": { "errors": { "type": "object" } } } } } }
        """;

    [Fact]
    public void ASchemaNameTakenForSomethingElseIsRenamedAndItsReferencesFollow()
    {
        var merger = new OpenApiMerger(JsonNode.Parse(Gateway)!.AsObject());

        merger.Add("trading", JsonNode.Parse(Backend)!.AsObject(), static (_, _) => Exposure.Anonymous);

        var schemas = merger.Document["components"]!["schemas"]!;
        Assert.NotNull(schemas["Problem"]!["properties"]!["title"]); // the gateway's own stays as it was
        Assert.NotNull(schemas["trading.Problem"]!["properties"]!["errors"]);
        Assert.Equal("#/components/schemas/trading.Problem", schemas["Invalid"]!["properties"]!["problem"]!["$ref"]!.GetValue<string>());
        Assert.Equal("#/components/schemas/Invalid", merger.Document["paths"]!["/orders"]!["post"]!["responses"]!["422"]!["content"]!["application/json"]!["schema"]!["$ref"]!.GetValue<string>());
    }

    [Fact]
    public void AnOperationTheDocumentAlreadyDescribesIsKept()
    {
        var merger = new OpenApiMerger(JsonNode.Parse(Gateway)!.AsObject());

        merger.Add("trading", JsonNode.Parse(Backend)!.AsObject(), static (_, _) => Exposure.Anonymous);

        Assert.Equal("Gateway root", merger.Document["paths"]!["/"]!["get"]!["summary"]!.GetValue<string>());
    }

    [Fact]
    public void NothingOfAnUnexposedOperationReachesTheDocument()
    {
        var merger = new OpenApiMerger(JsonNode.Parse(Gateway)!.AsObject());

        merger.Add("trading", JsonNode.Parse(Backend)!.AsObject(), static (_, path) => path == "/orders" ? Exposure.None : Exposure.Anonymous);

        Assert.Null(merger.Document["paths"]!["/orders"]);
        Assert.Null(merger.Document["components"]!["schemas"]!["Invalid"]);
        Assert.Null(merger.Document["components"]!["schemas"]!["trading.Problem"]);
    }
}
