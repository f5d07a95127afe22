using Microsoft.AspNetCore.Authentication.JwtBearer;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;
using Microsoft.IdentityModel.Protocols;
using Microsoft.IdentityModel.Protocols.OpenIdConnect;
using Microsoft.IdentityModel.Tokens;

namespace Microsoft.Extensions.Hosting;

/// <summary>JwtBearer validation of RFC 9068 access tokens, shared by the services behind the gateway.</summary>
public static class AuthenticationExtensions
{
    /// <summary>The signing algorithms accepted; <c>none</c> and every HS* are refused.</summary>
    public static readonly string[] AllowedAlgorithms =
        [SecurityAlgorithms.EcdsaSha256, SecurityAlgorithms.RsaSha256, SecurityAlgorithms.RsaSsaPssSha256];

    private const string MetadataClientName = "oidc-metadata";

    public static TBuilder AddTokenValidation<TBuilder>(this TBuilder builder, params string[] defaultAudiences)
        where TBuilder : IHostApplicationBuilder
    {
        builder.Services.AddOptions<TokenValidationOptions>()
            .Configure(options => options.Audiences = defaultAudiences)
            .BindConfiguration(TokenValidationOptions.Section)
            .ValidateDataAnnotations()
            .ValidateOnStart();
        builder.Services.AddHttpClient(MetadataClientName);
        builder.Services.TryAddSingleton(TimeProvider.System);
        builder.Services.TryAddSingleton(services => new ValidatedTokenCache(services.GetRequiredService<TimeProvider>()));
        builder.Services.AddAuthentication(JwtBearerDefaults.AuthenticationScheme).AddJwtBearer();
        builder.Services.AddOptions<JwtBearerOptions>(JwtBearerDefaults.AuthenticationScheme)
            .Configure<IOptions<TokenValidationOptions>, IHttpClientFactory, ValidatedTokenCache>(Configure);
        return builder;
    }

    /// <summary>DPoP proof checks (RFC 9449) with their replay cache in the shared cache (<c>AddSharedCache</c>).</summary>
    public static TBuilder AddDPoPProofs<TBuilder>(this TBuilder builder)
        where TBuilder : IHostApplicationBuilder
    {
        builder.Services.AddOptions<DPoPOptions>()
            .BindConfiguration(DPoPOptions.Section)
            .ValidateDataAnnotations()
            .ValidateOnStart();
        builder.Services.TryAddSingleton(TimeProvider.System);
        builder.Services.TryAddSingleton<DPoPProofValidator>();
        return builder;
    }

    private static void Configure(JwtBearerOptions bearer, IOptions<TokenValidationOptions> tokenOptions, IHttpClientFactory clients, ValidatedTokenCache cache)
    {
        var options = tokenOptions.Value;
        var authority = new Uri(options.Authority.TrimEnd('/') + "/");
        // RFC 9449: a sender-constrained token arrives as "Authorization: DPoP <token>". Its proof is
        // checked at the gateway; behind it, the token itself is validated like any other.
        bearer.Events ??= new JwtBearerEvents();
        bearer.Events.OnMessageReceived = context =>
        {
            if (DPoPScheme.TokenOf(context.Request) is { } token)
            {
                context.Token = token;
            }

            return Task.CompletedTask;
        };
        bearer.TokenHandlers.Clear();
        bearer.TokenHandlers.Add(cache);
        bearer.MapInboundClaims = false; // also sets it on the handler above
        // Nothing reads the raw token back from the ticket; keeping it (JwtBearer's default) cost
        // every request a properties dictionary and its entries (BearerAuthenticationBenchmarks).
        bearer.SaveToken = false;
        bearer.RequireHttpsMetadata = false; // the metadata travels inside the environment, by service discovery
        bearer.ConfigurationManager = new ConfigurationManager<OpenIdConnectConfiguration>(
            new Uri(authority, ".well-known/openid-configuration").ToString(),
            new OpenIdConnectConfigurationRetriever(),
            new InternalDocumentRetriever(clients.CreateClient(MetadataClientName), authority))
        {
            // An unknown kid triggers a refresh (JwtBearer's default); this bounds how often.
            RefreshInterval = TimeSpan.FromSeconds(30),
        };
        bearer.TokenValidationParameters = new TokenValidationParameters
        {
            // The issuer is the one the discovery document names (the gateway's public URL).
            ValidateIssuer = true,
            ValidAudiences = options.Audiences,
            ValidTypes = ["at+jwt"],
            ValidAlgorithms = AllowedAlgorithms,
            RequireSignedTokens = true,
            RequireExpirationTime = true,
            ClockSkew = options.ClockSkew,
            NameClaimType = "sub",
            RoleClaimType = "role",
        };
    }

    /// <summary>
    /// Fetches discovery and JWKS from the identity service's internal address. The discovery
    /// document names public URLs (under the gateway's issuer); only their path is kept, so key
    /// material never depends on a public round trip or on a host a document could name.
    /// </summary>
    private sealed class InternalDocumentRetriever(HttpClient client, Uri authority) : IDocumentRetriever
    {
        public async Task<string> GetDocumentAsync(string address, CancellationToken cancel)
        {
            var internalAddress = new Uri(authority, new Uri(address, UriKind.Absolute).AbsolutePath.TrimStart('/'));
            using var response = await client.GetAsync(internalAddress, cancel).ConfigureAwait(false);
            response.EnsureSuccessStatusCode();
            return await response.Content.ReadAsStringAsync(cancel).ConfigureAwait(false);
        }
    }
}

/// <summary>The <c>DPoP</c> authorization scheme of RFC 9449 §7.1.</summary>
public static class DPoPScheme
{
    public const string Name = "DPoP";

    /// <summary>The access token of an <c>Authorization: DPoP &lt;token&gt;</c> header, else null.</summary>
    public static string? TokenOf(Microsoft.AspNetCore.Http.HttpRequest request) =>
        request.Headers.Authorization is [{ } value] && value.StartsWith(Name + " ", StringComparison.OrdinalIgnoreCase)
            ? value[(Name.Length + 1)..].Trim()
            : null;

}
