using AspireGateway.Tests;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;

namespace Gateway.Api.Tests.Docs;

/// <summary>
/// A stand-in backend on a loopback port that serves an OpenAPI document at <c>/openapi/v1.json</c>,
/// as Trading.Api and Identity.Api do, and answers <c>/health</c>.
/// </summary>
public sealed class OpenApiBackend : IAsyncDisposable
{
    private readonly WebApplication _app;

    private OpenApiBackend(WebApplication app, string address)
    {
        _app = app;
        Address = address;
    }

    public string Address { get; }

    public static async Task<OpenApiBackend> StartAsync(string document, int? port = null)
    {
        var address = $"http://127.0.0.1:{port ?? Ports.FreeLoopback()}";
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseUrls(address);
        builder.Logging.ClearProviders();
        var app = builder.Build();
        app.MapGet("/health", () => Results.Ok(new { status = "healthy" }));
        app.MapGet("/alive", () => Results.Ok());
        app.MapGet("/openapi/v1.json", () => Results.Text(document, "application/json"));
        await app.StartAsync();
        return new OpenApiBackend(app, address);
    }

    public async ValueTask DisposeAsync() => await _app.DisposeAsync();

    /// <summary>
    /// Trading's operations as its generator would describe them, plus what no gateway route exposes:
    /// a PATCH on orders and an internal path, with a schema only that path uses, and a server address.
    /// </summary>
    public const string TradingDocument = """
        {
          "openapi": "3.1.1",
          "info": { "title": "Trading.Api | v1", "version": "1.0.0" },
          "servers": [ { "url": "http://trading-internal.cluster.local:8080" } ],
          "tags": [ { "name": "Trading" }, { "name": "Internal" } ],
          "paths": {
            "/api/v1/trading/orders": {
              "get": { "tags": ["Trading"], "summary": "List the caller's orders", "responses": { "200": { "description": "OK" } } },
              "post": {
                "tags": ["Trading"], "summary": "Place an order",
                "parameters": [ { "name": "Idempotency-Key", "in": "header", "required": true, "schema": { "type": "string", "minLength": 1, "maxLength": 255, "pattern": "^[\\x20-\\x7E]+$" } } ],
                "requestBody": { "content": { "application/json": { "schema": { "$ref": "#/components/schemas/PlaceOrder" } } } },
                "responses": { "201": { "description": "Created", "content": { "application/json": { "schema": { "$ref": "#/components/schemas/Order" } } } } } },
              "patch": { "tags": ["Trading"], "summary": "Amend every order", "responses": { "204": { "description": "Amended" } } }
            },
            "/api/v1/trading/orders/{id}": {
              "get": { "tags": ["Trading"], "summary": "Get an order", "responses": { "200": { "description": "OK" } } },
              "delete": { "tags": ["Trading"], "summary": "Cancel an order", "responses": { "200": { "description": "OK" } } }
            },
            "/api/v1/trading/quotes/{symbol}": {
              "get": { "tags": ["Trading"], "summary": "Get a quote", "responses": { "200": { "description": "OK" } } }
            },
            "/internal/ledger/rebuild": {
              "post": { "tags": ["Internal"], "summary": "Rebuild the ledger",
                "requestBody": { "content": { "application/json": { "schema": { "$ref": "#/components/schemas/LedgerRebuild" } } } },
                "responses": { "204": { "description": "Rebuilt" } } }
            }
          },
          "components": { "schemas": {
            "PlaceOrder": { "type": "object", "properties": { "symbol": { "type": "string" }, "quantity": { "type": "string" } } },
            "Order": { "type": "object", "properties": { "order_id": { "type": "string" }, "status": { "type": "string" } } },
            "LedgerRebuild": { "type": "object", "properties": { "from_seq": { "type": "integer" } } }
          } }
        }
        """;

    /// <summary>Identity's described routes, without the OAuth endpoints (OpenIddict serves those undescribed).</summary>
    public const string IdentityDocument = """
        {
          "openapi": "3.1.1",
          "info": { "title": "Identity.Api | v1", "version": "1.0.0" },
          "paths": {
            "/api/v1/auth/login": { "post": { "tags": ["Auth"], "summary": "Sign in", "responses": { "200": { "description": "Tokens" } } } },
            "/api/v1/auth/me": { "get": { "tags": ["Users"], "summary": "Who am I", "responses": { "200": { "description": "OK" } } } },
            "/api/v1/auth/whoami": { "get": { "tags": ["Users"], "summary": "Debug identity", "responses": { "200": { "description": "OK" } } } }
          }
        }
        """;
}
