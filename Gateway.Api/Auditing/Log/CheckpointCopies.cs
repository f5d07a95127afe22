using System.Text.Json;
using Microsoft.Extensions.Options;
using StackExchange.Redis;

namespace Gateway.Api.Auditing;

/// <summary>
/// Copies of the latest checkpoint kept outside the audit store, where someone who can rewrite the
/// database cannot reach: the shared cache (no expiry; only ever replaced by a larger tree) and
/// this replica's checkpoint file (<see cref="AuditOptions.CheckpointFile"/>, replaced atomically).
/// A store that was cut short or rewritten no longer matches them. A copy that cannot be written
/// is logged and counted, never a reason to stop auditing.
/// </summary>
internal sealed partial class CheckpointCopies(
    IConnectionMultiplexer cache,
    CheckpointSigner signer,
    IOptions<AuditOptions> options,
    IConfiguration configuration,
    AuditMetrics metrics,
    ILogger<CheckpointCopies> logger)
{
    public const string CacheSource = "cache";
    public const string FileSource = "file";

    // Replaces the copy only with a larger tree, so replicas publishing out of order never move it back.
    private const string PublishScript = """
        local stored = tonumber(redis.call('HGET', KEYS[1], 'size') or '-1')
        if tonumber(ARGV[1]) > stored then
          redis.call('HSET', KEYS[1], 'size', ARGV[1], 'checkpoint', ARGV[2])
          return 1
        end
        return 0
        """;

    private static readonly TimeSpan CacheTimeout = TimeSpan.FromSeconds(2);
    private readonly Lock _file = new();

    public string FilePath { get; } = Path.GetFullPath(options.Value.CheckpointFile is { Length: > 0 } configured
        ? configured
        : Path.Combine(AuditStorage.SqliteFolder(configuration) ?? "data", "audit-checkpoint.json"));

    private RedisKey CacheKey => "audit:checkpoint:" + signer.LogId;

    /// <summary>Copies a committed checkpoint; never throws (a copy that fails is logged and counted).</summary>
    public async Task PublishAsync(AuditCheckpoint checkpoint)
    {
        var json = JsonSerializer.Serialize(CheckpointView.From(checkpoint, signer.PublicKey), AuditJson.Default.CheckpointView);
        try
        {
            await cache.GetDatabase().ScriptEvaluateAsync(PublishScript, [CacheKey], [checkpoint.TreeSize, json]).WaitAsync(CacheTimeout);
        }
        catch (Exception ex) when (ex is not OutOfMemoryException)
        {
            // Whatever went wrong, the records are committed: an exception here must not make the
            // writer take the group for unwritten and append it a second time.
            metrics.CopyFailed(CacheSource);
            LogCopyFailed(logger, CacheSource, checkpoint.TreeSize, ex);
        }

        try
        {
            WriteFile(checkpoint.TreeSize, json);
        }
        catch (Exception ex) when (ex is not OutOfMemoryException)
        {
            metrics.CopyFailed(FileSource);
            LogCopyFailed(logger, FileSource, checkpoint.TreeSize, ex);
        }
    }

    /// <summary>The copies as they are now (a missing one is absent; an unreadable one is reported as such).</summary>
    public async Task<IReadOnlyList<OutsideCheckpoint>> ReadAsync()
    {
        var found = new List<OutsideCheckpoint>();
        try
        {
            if (await cache.GetDatabase().HashGetAsync(CacheKey, "checkpoint").WaitAsync(CacheTimeout) is { HasValue: true } value)
            {
                found.Add(OutsideCheckpoint.Parse(CacheSource, value.ToString()));
            }
        }
        catch (Exception ex) when (ex is RedisException or TimeoutException)
        {
            found.Add(new OutsideCheckpoint(CacheSource, null, "The cache could not be read."));
        }

        try
        {
            if (File.Exists(FilePath))
            {
                found.Add(OutsideCheckpoint.Parse(FileSource, await File.ReadAllTextAsync(FilePath)));
            }
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            found.Add(new OutsideCheckpoint(FileSource, null, "The checkpoint file could not be read."));
        }

        return found;
    }

    private void WriteFile(long treeSize, string json)
    {
        lock (_file)
        {
            if (File.Exists(FilePath) && OutsideCheckpoint.Parse(FileSource, File.ReadAllText(FilePath)).Checkpoint?.TreeSize >= treeSize)
            {
                return;
            }

            Directory.CreateDirectory(Path.GetDirectoryName(FilePath)!);
            var temporary = FilePath + ".tmp";
            using (var stream = new FileStream(temporary, FileMode.Create, FileAccess.Write, FileShare.None))
            {
                stream.Write(System.Text.Encoding.UTF8.GetBytes(json));
                stream.Flush(flushToDisk: true);
            }

            File.Move(temporary, FilePath, overwrite: true);
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "The audit checkpoint of tree size {TreeSize} could not be copied to the {Copy}; the next checkpoint tries again")]
    private static partial void LogCopyFailed(ILogger logger, string copy, long treeSize, Exception exception);
}

/// <summary>A checkpoint read from outside the store, or why it could not be read.</summary>
internal sealed record OutsideCheckpoint(string Source, CheckpointView? View, string? Problem)
{
    public AuditCheckpoint? Checkpoint => View?.ToCheckpoint();

    public static OutsideCheckpoint Parse(string source, string json)
    {
        try
        {
            return JsonSerializer.Deserialize(json, AuditJson.Default.CheckpointView) is { } view
                ? new OutsideCheckpoint(source, view, null)
                : new OutsideCheckpoint(source, null, "The copy is empty.");
        }
        catch (JsonException)
        {
            return new OutsideCheckpoint(source, null, "The copy is not a checkpoint.");
        }
    }
}
