using OpenIddict.Server;
using static OpenIddict.Server.OpenIddictServerEvents;

namespace Identity.Api.Tokens;

/// <summary>
/// OpenIddict builds the discovery document's endpoint URIs from the host the request reached;
/// identity sits behind the gateway, so they are built from the issuer (the gateway's public base
/// URL) instead, and a client that discovered them keeps talking to the gateway.
/// </summary>
internal static class DiscoveryUnderIssuer
{
    public static OpenIddictServerHandlerDescriptor Descriptor { get; } =
        OpenIddictServerHandlerDescriptor.CreateBuilder<HandleConfigurationRequestContext>()
            .UseInlineHandler(context =>
            {
                if (context.Options.Issuer is { } issuer)
                {
                    context.TokenEndpoint = UnderIssuer(issuer, context.Options.TokenEndpointUris);
                    context.IntrospectionEndpoint = UnderIssuer(issuer, context.Options.IntrospectionEndpointUris);
                    context.RevocationEndpoint = UnderIssuer(issuer, context.Options.RevocationEndpointUris);
                    context.JsonWebKeySetEndpoint = UnderIssuer(issuer, context.Options.JsonWebKeySetEndpointUris);
                }

                return default;
            })
            .SetOrder(OpenIddictServerHandlers.Discovery.AttachEndpoints.Descriptor.Order - 500)
            .SetType(OpenIddictServerHandlerType.Custom)
            .Build();

    // The first URI is the OAuth one (the JSON auth routes come after it and stay out of discovery).
    private static Uri? UnderIssuer(Uri issuer, IReadOnlyList<Uri> endpoints) =>
        endpoints.Count == 0 ? null : endpoints[0].IsAbsoluteUri ? endpoints[0] : new Uri(issuer, endpoints[0]);
}
