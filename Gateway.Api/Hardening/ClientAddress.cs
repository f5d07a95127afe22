using System.Net;
using IPNetwork = System.Net.IPNetwork;
using Microsoft.AspNetCore.HttpOverrides;

namespace Gateway.Api.Hardening;

/// <summary>Whose forwarding headers the gateway believes (<c>Gateway:Edge:ForwardedHeaders</c>).</summary>
internal enum ForwardedHeadersTrust
{
    /// <summary>Only those of the peers listed in <c>Gateway:Edge:TrustedProxies</c>; none listed, none believed.</summary>
    TrustedProxies,

    /// <summary>
    /// The gateway is reachable only through the platform's ingress (Azure Container Apps), so
    /// every peer is that ingress: the one <c>X-Forwarded-For</c> hop it appends is the client,
    /// and its <c>X-Forwarded-Proto</c> the scheme the client used.
    /// </summary>
    Ingress,
}

/// <summary>
/// The client's address and scheme, from the connection or from the hop a trusted proxy appended.
/// One hop only: whatever stands to its left was written by the client and is never believed.
/// </summary>
internal static class ClientAddress
{
    private static readonly IPNetwork[] AnyPeer = [IPNetwork.Parse("0.0.0.0/0"), IPNetwork.Parse("::/0")];

    public static ForwardedHeadersOptions ForwardedHeaders(EdgeOptions edge)
    {
        var options = new ForwardedHeadersOptions { ForwardLimit = 1 };
        options.KnownProxies.Clear();
        options.KnownIPNetworks.Clear();
        var proxies = edge.ForwardedHeaders == ForwardedHeadersTrust.Ingress ? AnyPeer : edge.TrustedProxies.Select(proxy => Network(proxy)!.Value).ToArray();
        foreach (var network in proxies)
        {
            options.KnownIPNetworks.Add(network);
        }

        // Empty lists would mean "trust everyone" to the middleware, so no proxies means no processing.
        options.ForwardedHeaders = proxies.Length == 0
            ? Microsoft.AspNetCore.HttpOverrides.ForwardedHeaders.None
            : Microsoft.AspNetCore.HttpOverrides.ForwardedHeaders.XForwardedFor | Microsoft.AspNetCore.HttpOverrides.ForwardedHeaders.XForwardedProto;
        return options;
    }

    /// <summary>An address (a network of one) or a CIDR network; null when it is neither (refused at start by <see cref="EdgeOptions"/>).</summary>
    public static IPNetwork? Network(string proxy) =>
        IPNetwork.TryParse(proxy.Contains('/', StringComparison.Ordinal) ? proxy : $"{proxy}/{(proxy.Contains(':', StringComparison.Ordinal) ? 128 : 32)}", out var network)
            ? network
            : null;
}
