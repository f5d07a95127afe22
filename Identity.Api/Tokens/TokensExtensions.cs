using Identity.Api.Data;
using Microsoft.Extensions.Options;
using OpenIddict.Server;
using OpenIddict.Server.AspNetCore;
using OpenIddict.Validation.AspNetCore;
using static OpenIddict.Abstractions.OpenIddictConstants;

namespace Identity.Api.Tokens;

internal static class TokensExtensions
{
    public static IHostApplicationBuilder AddTokens(this IHostApplicationBuilder builder)
    {
        builder.Services.AddOptions<TokenOptions>()
            .BindConfiguration(TokenOptions.Section)
            .ValidateDataAnnotations()
            .Validate(options => options.Issuer is { IsAbsoluteUri: true }, "Identity:Issuer must be an absolute URL.")
            .Validate(options => options.Clients.TrueForAll(ClientRegistrar.IsValid),
                "Each Identity:Clients entry needs a ClientId, a ClientSecret of at least 16 characters or a Jwks with public keys (private_key_jwt), and Scopes among trading:read, trading:write, audit:read.")
            .ValidateOnStart();
        builder.Services.AddScoped<TokenPrincipals>();
        builder.AddDPoPProofs();
        builder.Services.AddSingleton(typeof(RequireJsonRoute<>));
        builder.Services.AddSingleton(typeof(RequireOAuthRoute<>));
        builder.Services.AddHostedService<ClientRegistrar>();

        builder.Services.AddOpenIddict()
            .AddCore(core => core.UseEntityFrameworkCore().UseDbContext<IdentityDb>())
            .AddServer(server =>
            {
                server.SetTokenEndpointUris(["connect/token", .. JsonRoutes.All.Select(route => route.TrimStart('/'))])
                    .SetRevocationEndpointUris("connect/revoke")
                    .SetIntrospectionEndpointUris("connect/introspect")
                    .SetConfigurationEndpointUris(".well-known/openid-configuration")
                    .SetJsonWebKeySetEndpointUris(".well-known/jwks");
                server.AllowClientCredentialsFlow().AllowPasswordFlow().AllowRefreshTokenFlow();
                server.RegisterScopes([.. ApiScopes.All, Scopes.OfflineAccess]);

                // RFC 9068 JWT access tokens any resource server can verify from the JWKS; refresh
                // tokens are opaque references whose ids the store keeps only as hashes, single use.
                server.DisableAccessTokenEncryption();
                server.UseReferenceRefreshTokens();
                server.SetRefreshTokenReuseLeeway(TimeSpan.Zero);

                server.UseAspNetCore()
                    .EnableTokenEndpointPassthrough()
                    // TLS ends at the gateway or the platform's ingress; identity itself is plain HTTP inside.
                    .DisableTransportSecurityRequirement();

                // The JSON routes share the token endpoint: the form parser only runs for /connect/token.
                server.RemoveEventHandler(OpenIddictServerAspNetCoreHandlers.ExtractPostRequest<OpenIddictServerEvents.ExtractTokenRequestContext>.Descriptor);
                server.AddEventHandler(ExtractFormTokenRequest.Descriptor);
                server.AddEventHandler(ExtractJsonTokenRequest.Descriptor);
                server.AddEventHandler(WriteJsonRouteResponse.Descriptor);
                server.AddEventHandler(TemporarilyUnavailableIs503.Descriptor);
                server.AddEventHandler(AlwaysReturnScope.Descriptor);
                server.AddEventHandler(DiscoveryUnderIssuer.Descriptor);
                server.AddDPoPBoundTokens();
            })
            .AddValidation(validation =>
            {
                validation.UseLocalServer();
                validation.UseAspNetCore();
                validation.AddAudiences(ApiScopes.IdentityAudience);
                // Every request checks the session (authorization) and token entries: a logged-out
                // or revoked session's access token is rejected by identity at once.
                validation.EnableAuthorizationEntryValidation();
                validation.EnableTokenEntryValidation();
            });

        builder.Services.AddOptions<OpenIddictServerOptions>().Configure<IOptions<TokenOptions>, TimeProvider>((server, tokens, time) =>
        {
            // With a trailing slash, endpoint paths resolve under the issuer's path rather than beside it.
            server.Issuer = tokens.Value.Issuer is { } issuer && !issuer.AbsoluteUri.EndsWith('/') ? new Uri(issuer.AbsoluteUri + "/") : tokens.Value.Issuer;
            server.AccessTokenLifetime = tokens.Value.AccessTokenLifetime;
            server.RefreshTokenLifetime = tokens.Value.RefreshTokenLifetime;
            server.TimeProvider = time;
        });

        builder.Services.AddAuthentication(OpenIddictValidationAspNetCoreDefaults.AuthenticationScheme);
        builder.Services.AddAuthorization();
        return builder;
    }

    public static IEndpointRouteBuilder MapTokens(this IEndpointRouteBuilder routes)
    {
        routes.MapPost("/connect/token", TokenEndpoint.ExchangeAsync).WithTags("OAuth").ExcludeFromDescription();
        var auth = routes.MapGroup("/api/v1/auth").WithTags("Auth");
        // OpenIddict reads these bodies and writes the answers; the metadata only describes them.
        auth.MapPost("/login", TokenEndpoint.ExchangeAsync).WithName("Login")
            .WithSummary("Signs in with email and password; every credential failure is the same 401.")
            .ExchangesForTokens<LoginRequest>().ProducesProblem(StatusCodes.Status401Unauthorized);
        auth.MapPost("/refresh", TokenEndpoint.ExchangeAsync).WithName("Refresh")
            .WithSummary("Exchanges a refresh token for new tokens (rotation); a reused one ends the whole session.")
            .ExchangesForTokens<RefreshRequest>().ProducesProblem(StatusCodes.Status401Unauthorized);
        return routes;
    }
}

/// <summary>The token response always names the granted scopes, not only when they differ from the request.</summary>
internal static class AlwaysReturnScope
{
    public static OpenIddictServerHandlerDescriptor Descriptor { get; } =
        OpenIddictServerHandlerDescriptor.CreateBuilder<OpenIddictServerEvents.ProcessSignInContext>()
            .UseInlineHandler(context =>
            {
                if (!string.IsNullOrEmpty(context.Response.AccessToken) && context.Response.Scope is null && context.AccessTokenPrincipal is { } principal)
                {
                    context.Response.Scope = string.Join(' ', OpenIddict.Abstractions.OpenIddictExtensions.GetScopes(principal));
                }

                return default;
            })
            .SetOrder(OpenIddictServerHandlers.AttachSignInParameters.Descriptor.Order + 500)
            .SetType(OpenIddictServerHandlerType.Custom)
            .Build();
}
