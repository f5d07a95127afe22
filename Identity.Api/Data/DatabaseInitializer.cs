using Microsoft.EntityFrameworkCore;

namespace Identity.Api.Data;

/// <summary>
/// Applies the migrations before anything else starts. Registered first, so the hosted services of
/// the other features (keys, clients, roles, demo users) find the schema in place.
/// </summary>
internal sealed class DatabaseInitializer(IServiceScopeFactory scopes) : IHostedService
{
    public async Task StartAsync(CancellationToken cancellationToken)
    {
        await using var scope = scopes.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<IdentityDb>();
        await db.Database.MigrateAsync(cancellationToken);
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
}
