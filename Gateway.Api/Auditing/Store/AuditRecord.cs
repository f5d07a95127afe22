namespace Gateway.Api.Auditing;

/// <summary>
/// One leaf of the log (table <c>audit_records</c>). Rows are only ever inserted. Records of the
/// former per-process hash chains keep their chain fields (format 1) and are the log's first leaves.
/// </summary>
internal sealed class AuditRecord
{
    /// <summary>Insertion order; also the page cursor.</summary>
    public long Id { get; set; }

    /// <summary>0, 1, 2… without gaps: the record's place in the log.</summary>
    public long? LeafIndex { get; set; }

    /// <summary>Lowercase hex of the leaf hash (<see cref="AuditLeaf"/>).</summary>
    public string? LeafHash { get; set; }

    /// <summary>Version of the canonical form the leaf hash is computed over.</summary>
    public int Format { get; set; }

    /// <summary>UTC, microsecond precision (what every provider stores exactly).</summary>
    public DateTime Time { get; set; }

    public required string Source { get; set; }

    public required string Event { get; set; }

    public string? RequestId { get; set; }

    public string? TraceId { get; set; }

    public required string Actor { get; set; }

    public string? ClientId { get; set; }

    public string? ClientIp { get; set; }

    public string? Method { get; set; }

    public string? Route { get; set; }

    public string? Path { get; set; }

    public int? Status { get; set; }

    public required string Outcome { get; set; }

    public string? Reason { get; set; }

    public long? LatencyMicros { get; set; }

    public string? SessionId { get; set; }

    /// <summary>The identity outbox id of an imported security event.</summary>
    public long? SourceEventId { get; set; }

    /// <summary>The DPoP key the request's token was bound to (RFC 7638 thumbprint).</summary>
    public string? KeyThumbprint { get; set; }

    /// <summary>Format 1 only: the former chain's id, position and links.</summary>
    public string? ChainId { get; set; }

    public long? Seq { get; set; }

    public string? PrevHash { get; set; }

    public string? Hash { get; set; }

    public static AuditRecord From(AuditEntry entry) => new()
    {
        Format = AuditLeaf.Format,
        Time = entry.Time,
        Source = entry.Source,
        Event = entry.Event,
        RequestId = entry.RequestId,
        TraceId = entry.TraceId,
        Actor = entry.Actor,
        ClientId = entry.ClientId,
        ClientIp = entry.ClientIp,
        Method = entry.Method,
        Route = entry.Route,
        Path = entry.Path,
        Status = entry.Status,
        Outcome = entry.Outcome,
        Reason = entry.Reason,
        LatencyMicros = entry.LatencyMicros,
        SessionId = entry.SessionId,
        SourceEventId = entry.SourceEventId,
        KeyThumbprint = entry.KeyThumbprint,
    };
}

/// <summary>
/// The head of the log (table <c>audit_log</c>, one row): its size and right edge. Every append
/// locks this row first, so appends from all replicas take turns and leaf indexes never collide.
/// </summary>
internal sealed class AuditLogHead
{
    public const int SingleId = 1;

    public int Id { get; set; }

    public long Size { get; set; }

    /// <summary><see cref="MerkleFrontier"/> in its stored form.</summary>
    public required string Frontier { get; set; }
}

/// <summary>
/// A completed subtree at every fourth level (4, 8, 12…; table <c>audit_nodes</c>), so that a
/// proof reads a few rows per level instead of every leaf. Only ever inserted.
/// </summary>
internal sealed class AuditNode
{
    public const int Stride = 4;

    public int Level { get; set; }

    /// <summary>The subtree's place within its level: it covers leaves [Position · 2^Level, (Position + 1) · 2^Level).</summary>
    public long Position { get; set; }

    public required string Hash { get; set; }
}

/// <summary>A signed checkpoint (table <c>audit_checkpoints</c>); see <see cref="Checkpoint"/>. Only ever inserted.</summary>
internal sealed class AuditCheckpoint
{
    public long TreeSize { get; set; }

    public required string LogId { get; set; }

    public required string RootHash { get; set; }

    /// <summary>UTC, millisecond precision, as written in the signed text.</summary>
    public DateTime Time { get; set; }

    /// <summary>Base64 of the ES256 signature (IEEE P1363, r || s).</summary>
    public required string Signature { get; set; }
}

/// <summary>A position the writer moves in the same transaction as the records it covers.</summary>
internal sealed class AuditCursor
{
    public required string Name { get; set; }

    public long Value { get; set; }
}

internal static class AuditSources
{
    public const string Gateway = "gateway";
    public const string Identity = "identity";
    public const string HttpRequestEvent = "http_request";
}

internal static class AuditOutcomes
{
    public const string Allowed = "allowed";
    public const string Denied = "denied";
    public const string Error = "error";

    public static bool IsKnown(string value) => value is Allowed or Denied or Error;
}
