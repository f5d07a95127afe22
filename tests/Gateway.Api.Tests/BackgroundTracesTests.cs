using Microsoft.Extensions.Hosting;

namespace Gateway.Api.Tests;

/// <summary>What the dashboard's trace view leaves out: the system talking to itself, never a user's request.</summary>
public sealed class BackgroundTracesTests
{
    [Theory]
    [InlineData("/health", true)]
    [InlineData("/alive", true)]
    [InlineData("/internal/security-events", true)]
    [InlineData("/api/v1/trading/orders", false)]
    [InlineData("/healthy-looking-user-path", false)]
    [InlineData("/api/v1/auth/login", false)]
    public void ProbesAndTheSecurityEventPullAreBackgroundButUserRequestsAreNot(string path, bool background)
    {
        Assert.Equal(background, TelemetryExtensions.IsBackground(path));
    }
}
