using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace AspireGateway.Tests;

/// <summary>
/// A real HTTP backend on a loopback port for gateway tests that are not about the backend:
/// <c>/health</c> answers 200 and every other request is echoed back as JSON (method, path, headers).
/// A path segment <c>__status-503</c> makes it answer that status; <c>__slow-2000</c> makes it wait 2 s first.
/// </summary>
public sealed class StubBackend : IAsyncDisposable
{
    private readonly WebApplication _app;

    private StubBackend(WebApplication app, string address)
    {
        _app = app;
        Address = address;
    }

    public string Address { get; }

    public static async Task<StubBackend> StartAsync()
    {
        var port = Ports.FreeLoopback();
        var address = $"http://127.0.0.1:{port}";
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseUrls(address);
        builder.Logging.ClearProviders();
        var app = builder.Build();
        app.MapGet("/health", () => Results.Ok(new { status = "healthy" }));
        app.Map("/{**path}", async (HttpRequest request) =>
        {
            var segments = (request.Path.Value ?? string.Empty).Split('/');
            if (Marker(segments, "__slow-") is { } delay)
            {
                await Task.Delay(delay, request.HttpContext.RequestAborted);
            }

            if (Marker(segments, "__status-") is { } status)
            {
                return Results.StatusCode(status);
            }

            return Results.Json(new EchoedRequest(
                request.Method,
                request.Path.Value ?? string.Empty,
                request.Headers.ToDictionary(h => h.Key, h => h.Value.ToString(), StringComparer.OrdinalIgnoreCase)));
        });
        await app.StartAsync();
        return new StubBackend(app, address);
    }

    public async ValueTask DisposeAsync() => await _app.DisposeAsync();

    private static int? Marker(string[] segments, string prefix) =>
        segments.FirstOrDefault(s => s.StartsWith(prefix, StringComparison.Ordinal)) is { } marker
            && int.TryParse(marker.AsSpan(prefix.Length), System.Globalization.CultureInfo.InvariantCulture, out var value)
            ? value
            : null;
}

public sealed record EchoedRequest(string Method, string Path, Dictionary<string, string> Headers)
{
    /// <summary>A header as the backend received it; names compare case-insensitively, as in HTTP.</summary>
    public string? Header(string name) =>
        Headers.FirstOrDefault(h => h.Key.Equals(name, StringComparison.OrdinalIgnoreCase)).Value;
}
