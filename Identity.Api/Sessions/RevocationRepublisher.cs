using System.ComponentModel.DataAnnotations;
using Microsoft.Extensions.Options;

namespace Identity.Api.Sessions;

/// <summary>
/// Retries, every <see cref="RevocationOptions.RetryInterval"/>, the revocations the cache did not
/// take (an outage, a crash between the database and the cache), on any replica, until it does.
/// </summary>
internal sealed partial class RevocationRepublisher(
    IServiceScopeFactory scopes,
    IOptions<RevocationOptions> options,
    TimeProvider time,
    ILogger<RevocationRepublisher> logger) : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(options.Value.RetryInterval, time);
        while (await timer.WaitForNextTickAsync(stoppingToken))
        {
            try
            {
                await using var scope = scopes.CreateAsyncScope();
                if (await scope.ServiceProvider.GetRequiredService<RevocationPublisher>().RepublishAsync(stoppingToken) is > 0 and var settled)
                {
                    Republished(logger, settled);
                }
            }
            catch (Exception ex) when (!stoppingToken.IsCancellationRequested)
            {
                // The entries stay in the database; the next tick tries again.
                RepublishFailed(logger, ex);
            }
        }
    }

    [LoggerMessage(EventId = 4110, Level = LogLevel.Information, Message = "{Count} pending session revocations settled (published, or expired)")]
    private static partial void Republished(ILogger logger, int count);

    [LoggerMessage(EventId = 4111, Level = LogLevel.Error, Message = "Retrying the pending session revocations failed")]
    private static partial void RepublishFailed(ILogger logger, Exception exception);
}
