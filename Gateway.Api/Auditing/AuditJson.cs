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
[JsonSerializable(typeof(SpillLine))]
[JsonSerializable(typeof(CheckpointView))]
[JsonSerializable(typeof(InclusionProof))]
[JsonSerializable(typeof(ConsistencyProof))]
[JsonSerializable(typeof(LogKey))]
[JsonSerializable(typeof(IdentityEventPage))]
[JsonSerializable(typeof(IdentityTokenResponse))]
internal sealed partial class AuditJson : JsonSerializerContext;

internal sealed record AuditPage(
    [property: JsonPropertyName("records")] IReadOnlyList<AuditRecordView> Records,
    [property: JsonPropertyName("next_cursor")] string? NextCursor);

/// <summary>One record as <c>GET /api/v1/admin/audit</c> shows it (names explicit, so the OpenAPI document agrees).</summary>
internal sealed record AuditRecordView(
    [property: JsonPropertyName("id")] long Id,
    [property: JsonPropertyName("leaf_index")] long? LeafIndex,
    [property: JsonPropertyName("leaf_hash")] string LeafHash,
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
    [property: JsonPropertyName("key_thumbprint")] string? KeyThumbprint)
{
    public static AuditRecordView From(AuditRecord r) => new(
        r.Id, r.LeafIndex, r.LeafHash ?? AuditLeaf.Hash(r), r.Time, r.Source, r.Event, r.RequestId, r.TraceId, r.Actor, r.ClientId, r.ClientIp,
        r.Method, r.Route, r.Path, r.Status, r.Outcome, r.Reason, r.LatencyMicros / 1000.0, r.SessionId, r.SourceEventId, r.KeyThumbprint);
}

/// <summary>An inclusion proof (RFC 9162 §2.1.3): the audit path from the leaf to the root of the tree of <c>tree_size</c> leaves, and that tree's checkpoint when there is one.</summary>
internal sealed record InclusionProof(
    [property: JsonPropertyName("log_id")] string LogId,
    [property: JsonPropertyName("leaf_index")] long LeafIndex,
    [property: JsonPropertyName("tree_size")] long TreeSize,
    [property: JsonPropertyName("leaf_hash")] string LeafHash,
    [property: JsonPropertyName("audit_path")] IReadOnlyList<string> AuditPath,
    [property: JsonPropertyName("checkpoint")] CheckpointView? Checkpoint);

/// <summary>A consistency proof (RFC 9162 §2.1.4): the tree of <c>first</c> leaves is a prefix of the tree of <c>second</c>.</summary>
internal sealed record ConsistencyProof(
    [property: JsonPropertyName("log_id")] string LogId,
    [property: JsonPropertyName("first")] long First,
    [property: JsonPropertyName("second")] long Second,
    [property: JsonPropertyName("proof")] IReadOnlyList<string> Proof);

/// <summary>The log's public key (<c>/.well-known/audit-log-key</c>): base64 DER SubjectPublicKeyInfo and PEM.</summary>
internal sealed record LogKey(
    [property: JsonPropertyName("log_id")] string LogId,
    [property: JsonPropertyName("algorithm")] string Algorithm,
    [property: JsonPropertyName("public_key")] string PublicKey,
    [property: JsonPropertyName("public_key_pem")] string PublicKeyPem)
{
    public static LogKey From(CheckpointSigner signer) => new(
        signer.LogId, "ES256", Convert.ToBase64String(signer.PublicKey), new string(System.Security.Cryptography.PemEncoding.Write("PUBLIC KEY", signer.PublicKey)));
}
