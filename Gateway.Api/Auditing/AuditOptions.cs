using System.ComponentModel.DataAnnotations;

namespace Gateway.Api.Auditing;

/// <summary>
/// Audit trail settings (section <c>Gateway:Audit</c>). The store itself is the connection string
/// <c>auditdb</c> (default <c>Data Source=data/audit.db</c>).
/// </summary>
internal sealed class AuditOptions
{
    public const string Section = "Gateway:Audit";

    /// <summary>Off only to measure what auditing costs; on in every environment.</summary>
    public bool Enabled { get; set; } = true;

    /// <summary>How long the writer gathers records before one commit (what a crash may lose).</summary>
    [Range(typeof(TimeSpan), "00:00:00.010", "00:00:10")]
    public TimeSpan GroupCommitInterval { get; set; } = TimeSpan.FromMilliseconds(200);

    /// <summary>
    /// A group is committed as soon as this many records wait, without waiting for the rest of the
    /// interval (the writer looks every 50 ms); by default a full group. Lower, records spend less
    /// time in memory under load, so fewer are alive when a garbage collection copies its
    /// survivors and its pause is shorter, at the price of more, smaller commits (the README's
    /// Performance section has both measured). A crash loses less, never more.
    /// </summary>
    [Range(1, 1_000_000)]
    public int GroupCommitRecords { get; set; } = 1_000;

    /// <summary>Records held in memory between requests and the writer.</summary>
    [Range(100, 1_000_000)]
    public int QueueCapacity { get; set; } = 10_000;

    [Range(1, 10_000)]
    public int MaxGroupSize { get; set; } = 1_000;

    /// <summary>
    /// Linux nice value of the writer's own thread (0 = as requests, 19 = only when nothing else
    /// runs): how much the group commits yield the core to requests. Higher values shorten the
    /// latency tail but, at full load, leave the writer less of the core to keep up with.
    /// </summary>
    [Range(0, 19)]
    public int WriterNiceness { get; set; } = 5;

    /// <summary>How long a commit waits for a locked or slow database before its group goes to the spill file.</summary>
    [Range(typeof(TimeSpan), "00:00:01", "00:01:00")]
    public TimeSpan CommitTimeout { get; set; } = TimeSpan.FromSeconds(2);

    /// <summary>How often an unavailable database is tried again while records wait in the spill file.</summary>
    [Range(typeof(TimeSpan), "00:00:00.050", "00:05:00")]
    public TimeSpan RetryInterval { get; set; } = TimeSpan.FromSeconds(2);

    /// <summary>Local folder of the spill files; by default <c>audit-spill</c> next to the SQLite file.</summary>
    public string? SpillDirectory { get; set; }

    /// <summary>
    /// The log's signing key (secret): a PEM EC P-256 private key, or a random secret of at least
    /// 32 characters from which the key is derived (what the AppHost generates). Every replica of
    /// one deployment has the same; the log id is the hash of its public key.
    /// </summary>
    public string? CheckpointKey { get; set; }

    /// <summary>A checkpoint is signed after this many new leaves…</summary>
    [Range(1, 1_000_000)]
    public int CheckpointEvery { get; set; } = 1_000;

    /// <summary>…or once this long has passed since the last one, whichever comes first.</summary>
    [Range(typeof(TimeSpan), "00:00:00.100", "01:00:00")]
    public TimeSpan CheckpointInterval { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>The copy of the latest checkpoint on this replica's disk; by default <c>audit-checkpoint.json</c> next to the SQLite file (or under <c>data/</c>).</summary>
    public string? CheckpointFile { get; set; }

    /// <summary>The identity service, by service discovery.</summary>
    [Required]
    public string IdentityAddress { get; set; } = "https+http://identity";

    [Required]
    public string IdentityClientId { get; set; } = "gateway-audit";

    /// <summary>Secret of the <c>gateway-audit</c> client; without it identity's events are not imported.</summary>
    public string? IdentityClientSecret { get; set; }

    [Range(typeof(TimeSpan), "00:00:00.050", "01:00:00")]
    public TimeSpan IdentityPollInterval { get; set; } = TimeSpan.FromSeconds(5);

    [Range(1, 500)]
    public int IdentityBatchSize { get; set; } = 500;
}
