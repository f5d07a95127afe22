using System.Diagnostics;
using System.Text.Json;

namespace AppHost.Tests;

/// <summary>
/// The manifest azd deploys, written once per test class by the AppHost's manifest publisher
/// (<c>--publisher manifest</c>, what azd runs).
/// </summary>
public sealed class PublishedManifest : IAsyncLifetime
{
    private JsonDocument? _document;

    public JsonElement Resources => _document!.RootElement.GetProperty("resources");

    public async Task InitializeAsync()
    {
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

        _document = JsonDocument.Parse(await File.ReadAllTextAsync(output));
        File.Delete(output);
    }

    /// <summary>
    /// A resource's environment as its service reads it: variables become configuration keys the
    /// way .NET reads them (<c>ASPNETCORE_</c> stripped into host settings, <c>__</c> as <c>:</c>);
    /// values that name other resources (<c>{cache.connectionString}</c>) are resolved only at
    /// deployment, so they are left out for the test to supply.
    /// </summary>
    public Dictionary<string, string?> Settings(string resource)
    {
        var settings = new Dictionary<string, string?>(StringComparer.OrdinalIgnoreCase);
        foreach (var variable in Resources.GetProperty(resource).GetProperty("env").EnumerateObject())
        {
            var value = variable.Value.GetString();
            if (value is null || value.Contains('{', StringComparison.Ordinal))
            {
                continue;
            }

            var name = variable.Name.StartsWith("ASPNETCORE_", StringComparison.Ordinal) ? variable.Name["ASPNETCORE_".Length..] : variable.Name;
            settings[name.Replace("__", ":", StringComparison.Ordinal)] = value;
        }

        return settings;
    }

    public Task DisposeAsync()
    {
        _document?.Dispose();
        return Task.CompletedTask;
    }
}
