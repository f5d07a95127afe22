using System.Net;
using System.Net.Sockets;

namespace AspireGateway.Tests;

public static class Ports
{
    /// <summary>A loopback port that was free a moment ago (the OS picks it).</summary>
    public static int FreeLoopback()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}
