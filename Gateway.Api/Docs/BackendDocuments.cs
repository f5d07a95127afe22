using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.Extensions.Options;
using Yarp.ReverseProxy;
using Yarp.ReverseProxy.Model;

namespace Gateway.Api.Docs;

/// <summary>
/// What a YARP cluster's destinations gave: its OpenAPI document, or none; <paramref name="Answered"/>
/// is false when no destination could be reached (down, or too slow), so that it is asked again soon.
/// </summary>
internal sealed record BackendDocument(string ClusterId, JsonObject? Document, bool Answered);

/// <summary>
/// Fetches every YARP cluster's OpenAPI document from its destinations (addresses such as
/// <c>https+http://trading</c> resolve through service discovery), the first destination that
/// answers with an OpenAPI 3.x document winning. A cluster that does not answer is reported as
/// missing, never as an error: the docs go on without it.
/// </summary>
internal sealed partial class BackendDocuments(
    IProxyStateLookup proxy,
    IHttpClientFactory clients,
    IOptionsMonitor<ApiDocsOptions> options,
    ILogger<BackendDocuments> logger)
{
    public const string HttpClientName = "openapi-documents";

    /// <summary>One entry per cluster.</summary>
    public async Task<IReadOnlyList<BackendDocument>> FetchAsync(CancellationToken cancellationToken) =>
        await Task.WhenAll(proxy.GetClusters().Select(cluster => FetchAsync(cluster, cancellationToken))).ConfigureAwait(false);

    private async Task<BackendDocument> FetchAsync(ClusterState cluster, CancellationToken cancellationToken)
    {
        var client = clients.CreateClient(HttpClientName);
        var path = options.CurrentValue.BackendDocumentPath;
        var answered = false;
        foreach (var destination in cluster.Destinations.Values)
        {
            try
            {
                var address = new Uri(new Uri(destination.Model.Config.Address), path);
                using var response = await client.GetAsync(address, cancellationToken).ConfigureAwait(false);
                answered = true;
                if (!response.IsSuccessStatusCode)
                {
                    LogUnavailable(logger, cluster.ClusterId, destination.DestinationId, $"status {(int)response.StatusCode}");
                    continue;
                }

                var json = await response.Content.ReadAsStringAsync(cancellationToken).ConfigureAwait(false);
                if (Parse(json) is { } document)
                {
                    return new BackendDocument(cluster.ClusterId, document, Answered: true);
                }

                LogUnavailable(logger, cluster.ClusterId, destination.DestinationId, "not an OpenAPI 3.x document");
            }
            catch (Exception ex) when (ex is HttpRequestException or TaskCanceledException or UriFormatException)
            {
                LogUnavailable(logger, cluster.ClusterId, destination.DestinationId, ex.GetType().Name);
            }
        }

        return new BackendDocument(cluster.ClusterId, null, answered);
    }

    private static JsonObject? Parse(string json)
    {
        try
        {
            // DeepClone reads the whole tree now, so that a malformed document fails here, not halfway through a merge.
            return JsonNode.Parse(json)?.DeepClone() is JsonObject document
                && document["openapi"] is JsonValue version && version.TryGetValue<string>(out var text) && text.StartsWith("3.", StringComparison.Ordinal)
                && document["paths"] is JsonObject
                ? document
                : null;
        }
        catch (Exception ex) when (ex is JsonException or ArgumentException or InvalidOperationException)
        {
            return null;
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "The OpenAPI document of cluster {ClusterId} (destination {DestinationId}) is left out of the API docs: {Reason}.")]
    private static partial void LogUnavailable(ILogger logger, string clusterId, string destinationId, string reason);
}
