namespace Gateway.Api.Auditing;

/// <summary>The audit writer's log lines: warnings while records wait on disk, errors whenever one is lost.</summary>
internal static partial class AuditLog
{
    [LoggerMessage(Level = LogLevel.Warning, Message = "The audit store is unavailable; audit records wait in spill files under {Directory} until it returns")]
    public static partial void StoreDown(ILogger logger, string directory, Exception exception);

    [LoggerMessage(Level = LogLevel.Information, Message = "The audit store is available again; spilled audit records were replayed")]
    public static partial void StoreBack(ILogger logger);

    [LoggerMessage(Level = LogLevel.Information, Message = "Claimed {Count} audit spill files left by ended processes in {Directory}; replaying them first")]
    public static partial void Claimed(ILogger logger, int count, string directory);

    [LoggerMessage(Level = LogLevel.Error, Message = "Could not write {Count} audit records to the spill file in {Directory}; they stay in memory and are tried again")]
    public static partial void SpillFailed(ILogger logger, int count, string directory, Exception exception);

    [LoggerMessage(Level = LogLevel.Error, Message = "{Count} audit records were lost: neither the store nor the spill directory {Directory} accepted them before shutdown")]
    public static partial void Dropped(ILogger logger, int count, string directory);

    [LoggerMessage(Level = LogLevel.Error, Message = "{Count} lines of audit spill file {Path} did not parse or did not match their leaf hash; they were not appended and are kept in {Path}.rejected")]
    public static partial void Rejected(ILogger logger, int count, string path);
}
