using Identity.Api.Data;
using Microsoft.Extensions.Options;
using Microsoft.IdentityModel.Tokens;
using OpenIddict.Abstractions;
using static OpenIddict.Abstractions.OpenIddictConstants;

namespace Identity.Api.Tokens;

/// <summary>
/// Keeps the OpenIddict application store in line with configuration at start: the public
/// first-party client (password and refresh_token only) and each confidential client
/// (client_credentials only, its scopes, its secret, which OpenIddict stores hashed, or its public
/// keys for <c>private_key_jwt</c>).
/// </summary>
internal sealed class ClientRegistrar(IServiceScopeFactory scopes, IOptions<TokenOptions> options) : IHostedService
{
    public static bool IsValid(ConfiguredClient client) =>
        !string.IsNullOrWhiteSpace(client.ClientId)
        && client.ClientId != FirstPartyClient.ClientId
        && (client.ClientSecret.Length >= 16 || (client.ClientSecret.Length == 0 && HasKeys(client.Jwks)))
        && client.ScopeList.Count > 0
        && client.ScopeList.All(ApiScopes.All.Contains);

    private static bool HasKeys(string? jwks)
    {
        try
        {
            return jwks is not null && JsonWebKeySet.Create(jwks).Keys.Count > 0;
        }
        catch (ArgumentException)
        {
            return false;
        }
    }

    public Task StartAsync(CancellationToken cancellationToken) =>
        scopes.WriteAsync(services => RegisterAsync(services.GetRequiredService<IOpenIddictApplicationManager>(), cancellationToken), cancellationToken);

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    private async Task RegisterAsync(IOpenIddictApplicationManager applications, CancellationToken cancellationToken)
    {
        await UpsertAsync(applications, new OpenIddictApplicationDescriptor
        {
            ClientId = FirstPartyClient.ClientId,
            ClientType = ClientTypes.Public,
            DisplayName = "Gateway web (first party)",
            Permissions =
            {
                Permissions.Endpoints.Token,
                Permissions.Endpoints.Revocation,
                Permissions.GrantTypes.Password,
                Permissions.GrantTypes.RefreshToken,
            },
        }.WithScopes(ApiScopes.All), cancellationToken);

        foreach (var client in options.Value.Clients)
        {
            await UpsertAsync(applications, new OpenIddictApplicationDescriptor
            {
                ClientId = client.ClientId,
                ClientSecret = client.ClientSecret.Length > 0 ? client.ClientSecret : null,
                JsonWebKeySet = client.Jwks is { } jwks ? JsonWebKeySet.Create(jwks) : null,
                ClientType = ClientTypes.Confidential,
                DisplayName = client.ClientId,
                Permissions =
                {
                    Permissions.Endpoints.Token,
                    Permissions.Endpoints.Introspection,
                    Permissions.Endpoints.Revocation,
                    Permissions.GrantTypes.ClientCredentials,
                },
            }.WithScopes(client.ScopeList), cancellationToken);
        }
    }

    private static async Task UpsertAsync(IOpenIddictApplicationManager applications, OpenIddictApplicationDescriptor descriptor, CancellationToken cancellationToken)
    {
        var existing = await applications.FindByClientIdAsync(descriptor.ClientId!, cancellationToken);
        if (existing is null)
        {
            await applications.CreateAsync(descriptor, cancellationToken);
        }
        else
        {
            // UpdateAsync with a descriptor re-hashes the configured secret, so a rotated secret takes effect.
            await applications.UpdateAsync(existing, descriptor, cancellationToken);
        }
    }
}

internal static class ApplicationDescriptorExtensions
{
    public static OpenIddictApplicationDescriptor WithScopes(this OpenIddictApplicationDescriptor descriptor, IEnumerable<string> scopes)
    {
        descriptor.Permissions.UnionWith(scopes.Select(scope => Permissions.Prefixes.Scope + scope));
        return descriptor;
    }
}
