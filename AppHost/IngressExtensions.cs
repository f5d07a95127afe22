namespace AppHost;

internal static class IngressExtensions
{
    /// <summary>
    /// Deployed (Azure Container Apps), the gateway is reachable only through the environment's
    /// ingress, which ends TLS, appends the client's address to <c>X-Forwarded-For</c> and sets
    /// <c>X-Forwarded-Proto</c>: the gateway is told to believe exactly that hop. Run locally,
    /// clients reach it directly and no forwarding header is believed.
    /// </summary>
    public static IResourceBuilder<ProjectResource> BehindTheIngressWhenDeployed(this IResourceBuilder<ProjectResource> gateway) =>
        gateway.ApplicationBuilder.ExecutionContext.IsPublishMode
            ? gateway.WithEnvironment("Gateway__Edge__ForwardedHeaders", "Ingress")
            : gateway;

    /// <summary>The URL clients call: the ingress's https one when deployed (azd resolves it), the http endpoint locally.</summary>
    public static EndpointReference PublicEndpoint(this IResourceBuilder<ProjectResource> gateway) =>
        gateway.GetEndpoint(gateway.ApplicationBuilder.ExecutionContext.IsPublishMode ? "https" : "http");
}
