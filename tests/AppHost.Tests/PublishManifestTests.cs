using System.Diagnostics;
using System.Text.Json;

namespace AppHost.Tests;

public sealed class PublishManifestTests
{
    [Fact]
    public async Task PublishManifestNamesEveryServiceAndTheRedisContainer()
    {
        // What azd runs: the AppHost with the manifest publisher.
        var output = Path.Combine(Path.GetTempPath(), $"aspire-manifest-{Guid.NewGuid():N}.json");
        var start = new ProcessStartInfo("dotnet", [Path.Combine(AppContext.BaseDirectory, "AppHost.dll"), "--publisher", "manifest", "--output-path", output])
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            WorkingDirectory = AppContext.BaseDirectory,
        };
        using var process = Process.Start(start)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync().WaitAsync(TimeSpan.FromMinutes(2));
        Assert.True(process.ExitCode == 0, $"{await stdout}\n{await stderr}");

        using var manifest = JsonDocument.Parse(await File.ReadAllTextAsync(output));
        File.Delete(output);
        var resources = manifest.RootElement.GetProperty("resources");
        Assert.Equal("container.v0", resources.GetProperty("cache").GetProperty("type").GetString());
        Assert.Contains("redis", resources.GetProperty("cache").GetProperty("image").GetString(), StringComparison.Ordinal);
        foreach (var service in new[] { "identity", "trading", "gateway" })
        {
            Assert.Equal("project.v0", resources.GetProperty(service).GetProperty("type").GetString());
        }

        // Only the gateway is reachable from outside the environment.
        Assert.True(resources.GetProperty("gateway").GetProperty("bindings").GetProperty("http").GetProperty("external").GetBoolean());
        Assert.False(resources.GetProperty("trading").GetProperty("bindings").GetProperty("http").TryGetProperty("external", out _));
    }
}
