using System.ComponentModel.DataAnnotations;
using System.Text.Json.Serialization;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Mvc;
using Microsoft.OpenApi;

namespace Identity.Api.Docs;

/// <summary>
/// <c>/openapi/v1.json</c>: identity's public JSON routes, generated from the endpoints' own metadata
/// (request records, typed results, <c>Produces</c> on the OpenIddict-served token routes). The gateway
/// merges it into <c>/api/openapi.json</c>. Left out: <c>/internal/*</c>, <c>/connect/token</c> (the
/// gateway describes the OAuth endpoints) and the health endpoints, none of which is described.
/// </summary>
internal static class ApiDocsExtensions
{
    public const string DocumentName = "v1";
    public const string BearerScheme = "Bearer";

    public static IHostApplicationBuilder AddApiDocs(this IHostApplicationBuilder builder)
    {
        builder.Services.AddOpenApi(DocumentName, options =>
        {
            options.AddDocumentTransformer((document, _, _) =>
            {
                document.Info = new OpenApiInfo
                {
                    Title = "Identity API",
                    Version = "v1",
                    Description = "Accounts, sessions and tokens. Errors are RFC 9457 problem documents; access tokens are RFC 9068 JWTs, refresh tokens single use.",
                };

                // No servers: identity's own address is an internal name; clients call the gateway.
                document.Servers = [];
                document.Components ??= new OpenApiComponents();
                document.Components.SecuritySchemes ??= new Dictionary<string, IOpenApiSecurityScheme>();
                document.Components.SecuritySchemes[BearerScheme] = new OpenApiSecurityScheme
                {
                    Type = SecuritySchemeType.Http,
                    Scheme = "bearer",
                    BearerFormat = "JWT",
                    Description = "An access token from /api/v1/auth/login, /api/v1/auth/refresh or /connect/token.",
                };
                return Task.CompletedTask;
            });
            options.AddOperationTransformer((operation, context, _) =>
            {
                var metadata = context.Description.ActionDescriptor.EndpointMetadata;
                if (metadata.OfType<IAuthorizeData>().Any() && !metadata.OfType<IAllowAnonymous>().Any())
                {
                    operation.Security = [new OpenApiSecurityRequirement { [new OpenApiSecuritySchemeReference(BearerScheme, context.Document)] = [] }];
                }

                // UseStatusCodePages gives every error written without a body (NotFound(), a challenge) a problem document.
                foreach (var response in operation.Responses?.Where(response => response.Key[0] is '4' or '5').Select(response => response.Value) ?? [])
                {
                    if (response is OpenApiResponse { Content: null or { Count: 0 } } bare)
                    {
                        bare.Content = new Dictionary<string, OpenApiMediaType>
                        {
                            ["application/problem+json"] = new() { Schema = new OpenApiSchemaReference(nameof(ProblemDetails), context.Document) },
                        };
                    }
                }

                return Task.CompletedTask;
            });
            options.AddSchemaTransformer((schema, context, _) =>
            {
                // A [Required] field that is null is a 400, so on the wire it is never null.
                if (schema.Type is { } type && context.JsonPropertyInfo?.AttributeProvider?.IsDefined(typeof(RequiredAttribute), inherit: true) == true)
                {
                    schema.Type = type & ~JsonSchemaType.Null;
                }

                return Task.CompletedTask;
            });
        });

        // Numbers are read and written as JSON numbers only, so the schemas say "integer", not "integer or string".
        builder.Services.ConfigureHttpJsonOptions(json => json.SerializerOptions.NumberHandling = JsonNumberHandling.Strict);
        return builder;
    }

    public static IEndpointRouteBuilder MapApiDocs(this IEndpointRouteBuilder routes)
    {
        routes.MapOpenApi();
        return routes;
    }
}
