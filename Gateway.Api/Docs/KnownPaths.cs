using System.Text.Json.Nodes;

namespace Gateway.Api.Docs;

/// <summary>
/// Operations no generated document describes: the gateway's health endpoints and docs page
/// (not minimal-API handlers), and the OAuth endpoints, which the identity service
/// serves through OpenIddict rather than described endpoints. Each is added only where the merged
/// document lacks it, so a backend's own description wins.
/// </summary>
internal static class KnownPaths
{
    public static JsonObject Gateway() => JsonNode.Parse(GatewayJson)!.AsObject();

    public static JsonObject OAuth() => JsonNode.Parse(OAuthJson)!.AsObject();

    private const string GatewayJson = """
        {
          "paths": {
            "/health": { "get": {
              "tags": ["Gateway"], "operationId": "GetHealth",
              "summary": "Readiness: the gateway, the cache and every downstream service answer.",
              "description": "Only the overall status is given: which dependency failed is for logs and traces, not callers. The report is at most 3 seconds old.",
              "responses": {
                "200": { "description": "Healthy (or degraded but serving).", "content": { "application/json": { "schema": { "$ref": "#/components/schemas/HealthStatus" } } } },
                "503": { "description": "Something the gateway depends on does not answer.", "content": { "application/json": { "schema": { "$ref": "#/components/schemas/HealthStatus" } } } },
                "429": { "description": "This caller asked more than 60 times in a minute; the answer is at most 3 seconds old anyway." } } } },
            "/alive": { "get": {
              "tags": ["Gateway"], "operationId": "GetAlive", "summary": "Liveness: answers while the process runs.",
              "responses": { "200": { "description": "Alive.", "content": { "application/json": { "schema": { "$ref": "#/components/schemas/HealthStatus" } } } } } } },
            "/api/docs": { "get": {
              "tags": ["Gateway"], "operationId": "GetApiDocs", "summary": "This interactive API reference (HTML, served by the gateway itself).",
              "responses": {
                "302": { "description": "Redirect to `/api/docs/`, so that the page's relative script paths resolve." },
                "200": { "description": "The page, at `/api/docs/`.", "content": { "text/html": { "schema": { "type": "string" } } } } } } }
          },
          "components": { "schemas": {
            "HealthStatus": { "type": "object", "required": ["status"], "properties": { "status": { "type": "string", "enum": ["healthy", "degraded", "unhealthy"] } } }
          } }
        }
        """;

    private const string OAuthJson = """
        {
          "tags": [ { "name": "OAuth", "description": "OAuth 2.0 / OpenID Connect endpoints (RFC 6749, 7009, 7662, 8414). Errors here are RFC 6749 §5.2 `{error, error_description}`, as OAuth clients expect." } ],
          "paths": {
            "/.well-known/openid-configuration": { "get": {
              "tags": ["OAuth"], "operationId": "GetOpenIdConfiguration", "summary": "Discovery document (RFC 8414); `issuer` is the gateway's public base URL.",
              "responses": { "200": { "description": "The discovery document.", "content": { "application/json": { "schema": { "$ref": "#/components/schemas/DiscoveryDocument" } } } } } } },
            "/.well-known/jwks": { "get": {
              "tags": ["OAuth"], "operationId": "GetJwks", "summary": "The public keys that sign access tokens, each with its `kid`.",
              "responses": { "200": { "description": "A JSON Web Key Set (RFC 7517).", "content": { "application/json": { "schema": { "$ref": "#/components/schemas/JsonWebKeySet" } } } } } } },
            "/connect/token": { "post": {
              "tags": ["OAuth"], "operationId": "PostToken",
              "summary": "Token endpoint (RFC 6749): client_credentials, refresh_token, and password for first-party clients.",
              "requestBody": { "required": true, "content": { "application/x-www-form-urlencoded": { "schema": { "$ref": "#/components/schemas/TokenRequest" } } } },
              "responses": {
                "200": { "description": "Tokens; sent with `Cache-Control: no-store`.", "content": { "application/json": { "schema": { "$ref": "#/components/schemas/TokenResponse" } } } },
                "400": { "$ref": "#/components/responses/OAuthError" },
                "401": { "$ref": "#/components/responses/OAuthError" },
                "503": { "description": "`temporarily_unavailable`: the DPoP proof's single use cannot be confirmed right now; retry after `Retry-After` seconds with a new proof.", "content": { "application/json": { "schema": { "$ref": "#/components/schemas/OAuthError" } } } } } } },
            "/connect/revoke": { "post": {
              "tags": ["OAuth"], "operationId": "PostRevoke", "summary": "Token revocation (RFC 7009), for authenticated clients.",
              "security": [ { "OAuthClient": [] } ],
              "requestBody": { "required": true, "content": { "application/x-www-form-urlencoded": { "schema": { "$ref": "#/components/schemas/TokenReference" } } } },
              "responses": {
                "200": { "description": "Revoked, or the token was unknown (RFC 7009 §2.2)." },
                "400": { "$ref": "#/components/responses/OAuthError" },
                "401": { "$ref": "#/components/responses/OAuthError" } } } },
            "/connect/introspect": { "post": {
              "tags": ["OAuth"], "operationId": "PostIntrospect", "summary": "Token introspection (RFC 7662), for authenticated clients.",
              "security": [ { "OAuthClient": [] } ],
              "requestBody": { "required": true, "content": { "application/x-www-form-urlencoded": { "schema": { "$ref": "#/components/schemas/TokenReference" } } } },
              "responses": {
                "200": { "description": "Whether the token is active, and its claims when it is.", "content": { "application/json": { "schema": { "$ref": "#/components/schemas/IntrospectionResponse" } } } },
                "400": { "$ref": "#/components/responses/OAuthError" },
                "401": { "$ref": "#/components/responses/OAuthError" } } } }
          },
          "components": {
            "securitySchemes": {
              "OAuthClient": { "type": "http", "scheme": "basic", "description": "client_id and client_secret (RFC 6749 §2.3.1); the form fields client_id and client_secret work too." }
            },
            "responses": {
              "OAuthError": { "description": "An RFC 6749 §5.2 error.", "content": { "application/json": { "schema": { "$ref": "#/components/schemas/OAuthError" } } } }
            },
            "schemas": {
              "DiscoveryDocument": { "type": "object", "required": ["issuer", "jwks_uri", "token_endpoint"], "additionalProperties": true, "properties": {
                "issuer": { "type": "string", "format": "uri" }, "jwks_uri": { "type": "string", "format": "uri" },
                "token_endpoint": { "type": "string", "format": "uri" }, "revocation_endpoint": { "type": "string", "format": "uri" },
                "introspection_endpoint": { "type": "string", "format": "uri" },
                "grant_types_supported": { "type": "array", "items": { "type": "string" } },
                "scopes_supported": { "type": "array", "items": { "type": "string" } } } },
              "JsonWebKeySet": { "type": "object", "required": ["keys"], "properties": { "keys": { "type": "array", "items": {
                "type": "object", "required": ["kty", "kid"], "additionalProperties": true, "properties": {
                  "kty": { "type": "string" }, "kid": { "type": "string" }, "use": { "type": "string" }, "alg": { "type": "string" },
                  "crv": { "type": "string" }, "x": { "type": "string" }, "y": { "type": "string" }, "n": { "type": "string" }, "e": { "type": "string" } } } } } },
              "TokenRequest": { "type": "object", "required": ["grant_type"], "properties": {
                "grant_type": { "type": "string", "enum": ["client_credentials", "refresh_token", "password"] },
                "client_id": { "type": "string" }, "client_secret": { "type": "string" }, "scope": { "type": "string" },
                "refresh_token": { "type": "string" }, "username": { "type": "string" }, "password": { "type": "string", "format": "password" } } },
              "TokenResponse": { "type": "object", "required": ["access_token", "token_type", "expires_in"], "properties": {
                "access_token": { "type": "string", "description": "A JWT (RFC 9068, `typ: at+jwt`)." },
                "token_type": { "type": "string", "enum": ["Bearer"] }, "expires_in": { "type": "integer" },
                "refresh_token": { "type": "string", "description": "Opaque and single use." }, "scope": { "type": "string" } } },
              "TokenReference": { "type": "object", "required": ["token"], "properties": {
                "token": { "type": "string" }, "token_type_hint": { "type": "string", "enum": ["access_token", "refresh_token"] } } },
              "IntrospectionResponse": { "type": "object", "required": ["active"], "additionalProperties": true, "properties": {
                "active": { "type": "boolean" }, "scope": { "type": "string" }, "client_id": { "type": "string" }, "sub": { "type": "string" },
                "token_type": { "type": "string" }, "exp": { "type": "integer" }, "iat": { "type": "integer" }, "iss": { "type": "string" },
                "aud": { "oneOf": [ { "type": "string" }, { "type": "array", "items": { "type": "string" } } ] }, "jti": { "type": "string" } } },
              "OAuthError": { "type": "object", "required": ["error"], "properties": {
                "error": { "type": "string", "examples": ["invalid_grant"] }, "error_description": { "type": "string" } } }
            }
          }
        }
        """;
}
