using Microsoft.Extensions.Options;

namespace Identity.Api.Keys;

/// <summary>
/// Loads the keys before the service takes requests, then reloads them every CheckInterval:
/// picks up keys another replica created, creates the successor when due, drops expired ones.
/// </summary>
internal sealed partial class KeyRotationService(
    IServiceScopeFactory scopes,
    IOptions<KeyOptions> options,
    TimeProvider time,
    ILogger<KeyRotationService> logger) : BackgroundService
{
    public override async Task StartAsync(CancellationToken cancellationToken)
    {
        await RefreshAsync(cancellationToken);
        await base.StartAsync(cancellationToken);
    }

    public async Task RefreshAsync(CancellationToken cancellationToken)
    {
        await using var scope = scopes.CreateAsyncScope();
        await scope.ServiceProvider.GetRequiredService<KeyStore>().RefreshAsync(cancellationToken);
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(options.Value.CheckInterval, time);
        while (await timer.WaitForNextTickAsync(stoppingToken))
        {
            try
            {
                await RefreshAsync(stoppingToken);
            }
            catch (Exception ex) when (ex is not OperationCanceledException)
            {
                // The keys already loaded keep working; the next tick tries again.
                RefreshFailed(logger, ex);
            }
        }
    }

    [LoggerMessage(EventId = 4210, Level = LogLevel.Error, Message = "Reloading the signing keys failed; the loaded keys stay in use")]
    private static partial void RefreshFailed(ILogger logger, Exception exception);
}
