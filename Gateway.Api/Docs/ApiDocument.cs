using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.OpenApi;
using Microsoft.Extensions.Options;
using Microsoft.OpenApi;

namespace Gateway.Api.Docs;

/// <summary>
/// The merged OpenAPI document behind <c>/api/openapi.json</c>: the gateway's own endpoints, then
/// every backend operation a route exposes, then the known paths nobody else describes. Built on
/// the first request and kept for <see cref="ApiDocsOptions.RefreshInterval"/> (a shorter
/// <see cref="ApiDocsOptions.RetryInterval"/> when a backend could not be reached); once a document exists,
/// a rebuild runs in the background and requests keep getting the previous one meanwhile.
/// </summary>
internal sealed partial class ApiDocument(
    [FromKeyedServices(ApiDocsExtensions.GatewayDocumentName)] IOpenApiDocumentProvider gateway,
    BackendDocuments backends,
    ExposedRoutes routes,
    TimeProvider time,
    IOptionsMonitor<ApiDocsOptions> options,
    ILogger<ApiDocument> logger)
{
    private readonly Lock _gate = new();
    private byte[]? _current;
    private DateTimeOffset _expires;
    private Task<byte[]>? _rebuild;

    /// <summary>The document as UTF-8 JSON.</summary>
    public Task<byte[]> GetAsync(CancellationToken cancellationToken)
    {
        lock (_gate)
        {
            if (_current is not null && time.GetUtcNow() < _expires)
            {
                return Task.FromResult(_current);
            }

            // One rebuild at a time, not bound to the request that started it.
            _rebuild ??= Task.Run(RebuildAsync, CancellationToken.None);
            return _current is not null ? Task.FromResult(_current) : _rebuild.WaitAsync(cancellationToken);
        }
    }

    private async Task<byte[]> RebuildAsync()
    {
        try
        {
            var (json, complete) = await BuildAsync(CancellationToken.None).ConfigureAwait(false);
            lock (_gate)
            {
                _current = json;
                _expires = time.GetUtcNow() + (complete ? options.CurrentValue.RefreshInterval : options.CurrentValue.RetryInterval);
            }

            return json;
        }
        catch (Exception ex) when (_current is not null)
        {
            // Keep serving the last good document; the next request past its expiry tries again.
            LogRebuildFailed(logger, ex);
            return _current;
        }
        finally
        {
            lock (_gate)
            {
                _rebuild = null;
            }
        }
    }

    private async Task<(byte[] Json, bool Complete)> BuildAsync(CancellationToken cancellationToken)
    {
        var own = await gateway.GetOpenApiDocumentAsync(cancellationToken).ConfigureAwait(false);
        var merger = new OpenApiMerger(JsonNode.Parse(await own.SerializeAsJsonAsync(OpenApiSpecVersion.OpenApi3_1, cancellationToken).ConfigureAwait(false))!.AsObject());
        merger.Add("gateway", KnownPaths.Gateway(), static (_, _) => Exposure.Anonymous);

        var table = routes.Current();
        var fetched = await backends.FetchAsync(cancellationToken).ConfigureAwait(false);
        foreach (var (clusterId, document, _) in fetched)
        {
            if (document is not null)
            {
                merger.Add(clusterId, document, (method, path) => table.Of(clusterId, method, path));
            }
        }

        merger.Add("oauth", KnownPaths.OAuth(), (method, path) => table.Of(null, method, path));
        return (JsonSerializer.SerializeToUtf8Bytes(merger.Document), fetched.All(backend => backend.Answered));
    }

    [LoggerMessage(Level = LogLevel.Error, Message = "Rebuilding the merged OpenAPI document failed; the previous one is still served.")]
    private static partial void LogRebuildFailed(ILogger logger, Exception exception);
}
