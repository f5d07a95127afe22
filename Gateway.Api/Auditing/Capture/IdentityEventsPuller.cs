using System.Buffers;
using Microsoft.Extensions.Options;

namespace Gateway.Api.Auditing;

/// <summary>
/// Imports identity's security events (login, lockout, refresh, reuse, logout, revocation, lock,
/// role changes) into the audit trail. Identity commits each event to an outbox table with a
/// monotonic id before it answers; this pulls pages after the last imported id. That id is
/// committed by the writer in the same transaction as the imported records, so a restart (or
/// a spill and replay) neither skips nor duplicates an event: anything at or below it is skipped.
/// </summary>
internal sealed partial class IdentityEventsPuller(
    AuditQueue queue,
    AuditStore store,
    IHttpClientFactory clients,
    IOptions<AuditOptions> options,
    TimeProvider time,
    ILogger<IdentityEventsPuller> logger) : BackgroundService
{
    private static readonly SearchValues<char> EventTypeChars = SearchValues.Create("abcdefghijklmnopqrstuvwxyz0123456789_.-");

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var settings = options.Value;
        if (!settings.Enabled)
        {
            return;
        }

        if (string.IsNullOrEmpty(settings.IdentityClientSecret))
        {
            LogNoSecret(logger, AuditOptions.Section + ":IdentityClientSecret");
            return;
        }

        var client = new IdentityEventsClient(clients, settings, time);
        long? after = null;
        var failing = false;
        while (!stoppingToken.IsCancellationRequested)
        {
            var more = false;
            try
            {
                after ??= await store.ReadCursorAsync(AuditStore.IdentityCursor, stoppingToken);
                var events = await client.FetchAsync(after.Value, settings.IdentityBatchSize, stoppingToken);
                foreach (var e in events.Where(e => e.Id > after).OrderBy(e => e.Id))
                {
                    await queue.EnqueueAsync(ToEntry(e), stoppingToken);
                    after = e.Id;
                }

                more = events.Count >= settings.IdentityBatchSize;
                if (failing)
                {
                    failing = false;
                    LogRecovered(logger, after.Value);
                }
            }
            catch (Exception ex) when (!stoppingToken.IsCancellationRequested)
            {
                // Identity down, token refused, store not ready: the position is kept, so try again later.
                if (!failing)
                {
                    failing = true;
                    LogPullFailed(logger, after, ex);
                }
            }

            if (!more)
            {
                await Task.Delay(settings.IdentityPollInterval, time, stoppingToken);
            }
        }
    }

    internal static AuditEntry ToEntry(IdentityEvent e) => new(
        AuditLeaf.Truncate(e.Time),
        AuditSources.Identity,
        e.Type is { Length: > 0 and <= 64 } type && !type.AsSpan().ContainsAnyExcept(EventTypeChars) ? type : "unknown",
        Clip(e.RequestId, 128),
        Clip(e.TraceId, 64),
        Clip(e.UserId, 128) ?? "anonymous",
        Clip(e.ClientId, 128),
        Clip(e.ClientIp, 64),
        null,
        null,
        null,
        null,
        e.Outcome switch
        {
            "success" or AuditOutcomes.Allowed => AuditOutcomes.Allowed,
            AuditOutcomes.Error => AuditOutcomes.Error,
            _ => AuditOutcomes.Denied,
        },
        Clip(e.Reason, 128),
        null,
        Clip(e.SessionId, 128),
        e.Id);

    private static string? Clip(string? value, int length) =>
        value is null || value.Length <= length ? value : value[..length];

    [LoggerMessage(Level = LogLevel.Warning, Message = "Identity's security events are not imported into the audit trail: {Setting} is not configured")]
    private static partial void LogNoSecret(ILogger logger, string setting);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Could not import identity's security events after id {After}; retrying")]
    private static partial void LogPullFailed(ILogger logger, long? after, Exception exception);

    [LoggerMessage(Level = LogLevel.Information, Message = "Importing identity's security events again (now after id {After})")]
    private static partial void LogRecovered(ILogger logger, long after);
}
