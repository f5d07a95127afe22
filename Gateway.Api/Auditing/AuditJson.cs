using System.Text.Json.Serialization;

namespace Gateway.Api.Auditing;

/// <summary>
/// Every JSON the audit trail reads or writes (spill lines, admin responses, identity's feed), in
/// snake_case. Non-ASCII is escaped by default, which also keeps each spill line pure ASCII.
/// </summary>
[JsonSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.SnakeCaseLower)]
[JsonSerializable(typeof(AuditEntry))]
[JsonSerializable(typeof(AuditPage))]
[JsonSerializable(typeof(AuditVerification))]
[JsonSerializable(typeof(IdentityEventPage))]
[JsonSerializable(typeof(IdentityTokenResponse))]
internal sealed partial class AuditJson : JsonSerializerContext;

internal sealed record AuditPage(
    [property: JsonPropertyName("records")] IReadOnlyList<AuditRecordView> Records,
    [property: JsonPropertyName("next_cursor")] string? NextCursor);

/// <summary>One record as <c>GET /api/v1/admin/audit</c> shows it (names explicit, so the OpenAPI document agrees).</summary>
internal sealed record AuditRecordView(
    [property: JsonPropertyName("id")] long Id,
    [property: JsonPropertyName("chain_id")] string ChainId,
    [property: JsonPropertyName("seq")] long Seq,
    [property: JsonPropertyName("time")] DateTime Time,
    [property: JsonPropertyName("source")] string Source,
    [property: JsonPropertyName("event")] string Event,
    [property: JsonPropertyName("request_id")] string? RequestId,
    [property: JsonPropertyName("trace_id")] string? TraceId,
    [property: JsonPropertyName("actor")] string Actor,
    [property: JsonPropertyName("client_id")] string? ClientId,
    [property: JsonPropertyName("client_ip")] string? ClientIp,
    [property: JsonPropertyName("method")] string? Method,
    [property: JsonPropertyName("route")] string? Route,
    [property: JsonPropertyName("path")] string? Path,
    [property: JsonPropertyName("status")] int? Status,
    [property: JsonPropertyName("outcome")] string Outcome,
    [property: JsonPropertyName("reason")] string? Reason,
    [property: JsonPropertyName("latency_ms")] double? LatencyMs,
    [property: JsonPropertyName("session_id")] string? SessionId,
    [property: JsonPropertyName("source_event_id")] long? SourceEventId,
    [property: JsonPropertyName("prev_hash")] string PrevHash,
    [property: JsonPropertyName("hash")] string Hash)
{
    public static AuditRecordView From(AuditRecord r) => new(
        r.Id, r.ChainId, r.Seq, r.Time, r.Source, r.Event, r.RequestId, r.TraceId, r.Actor, r.ClientId, r.ClientIp,
        r.Method, r.Route, r.Path, r.Status, r.Outcome, r.Reason, r.LatencyMicros / 1000.0, r.SessionId, r.SourceEventId,
        r.PrevHash, r.Hash);
}
