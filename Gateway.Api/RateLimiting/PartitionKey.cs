using System.Net;
using System.Net.Sockets;

namespace Gateway.Api.RateLimiting;

/// <summary>
/// Whose budget a request spends: the token's <c>sub</c> when authenticated, else the client
/// address. The address is the connection's, already resolved from <c>X-Forwarded-For</c> by
/// UseForwardedHeaders only when the sender is a configured trusted proxy, so a client cannot
/// buy a fresh budget by sending its own header.
/// </summary>
internal static class PartitionKey
{
    public static string For(HttpContext context) =>
        context.User.Identity?.IsAuthenticated == true && context.User.FindFirst("sub")?.Value is { Length: > 0 } subject
            ? "user:" + subject
            : "ip:" + Address(context.Connection.RemoteIpAddress);

    public static string Address(IPAddress? address)
    {
        if (address is null)
        {
            return "unknown";
        }

        if (address.IsIPv4MappedToIPv6)
        {
            return address.MapToIPv4().ToString();
        }

        if (address.AddressFamily != AddressFamily.InterNetworkV6)
        {
            return address.ToString();
        }

        // One IPv6 subscriber usually holds a whole /64; keying single addresses would let it rotate.
        Span<byte> bytes = stackalloc byte[16];
        address.TryWriteBytes(bytes, out _);
        bytes[8..].Clear();
        return new IPAddress(bytes) + "/64";
    }
}
