namespace Gateway.Api.Auditing;

/// <summary>
/// What happened, before it has a place in a chain: built by the capture middleware or the
/// identity-events puller, queued, possibly spilled to disk, and chained when it is committed.
/// Never a token, password, secret, query string or body.
/// </summary>
internal sealed record AuditEntry(
    DateTime Time,
    string Source,
    string Event,
    string? RequestId,
    string? TraceId,
    string Actor,
    string? ClientId,
    string? ClientIp,
    string? Method,
    string? Route,
    string? Path,
    int? Status,
    string Outcome,
    string? Reason,
    long? LatencyMicros,
    string? SessionId,
    long? SourceEventId);

/// <summary>One stored record of a hash chain (table <c>audit_records</c>). Rows are only ever inserted.</summary>
internal sealed class AuditRecord
{
    /// <summary>Insertion order across all chains; also the page cursor.</summary>
    public long Id { get; set; }

    public required string ChainId { get; set; }

    /// <summary>1, 2, 3… within <see cref="ChainId"/>, without gaps.</summary>
    public long Seq { get; set; }

    /// <summary>Version of the canonical form the hash was computed over.</summary>
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

    public required string PrevHash { get; set; }

    public required string Hash { get; set; }

    public static AuditRecord Chain(AuditEntry entry, string chainId, long seq, string prevHash)
    {
        var record = new AuditRecord
        {
            ChainId = chainId,
            Seq = seq,
            Format = AuditChain.Format,
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
            PrevHash = prevHash,
            Hash = string.Empty,
        };
        record.Hash = AuditChain.Hash(record);
        return record;
    }
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
