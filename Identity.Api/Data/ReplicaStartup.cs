using Microsoft.EntityFrameworkCore;
using OpenIddict.Abstractions;

namespace Identity.Api.Data;

/// <summary>
/// The writes every replica makes at start (roles, demo users, registered clients) check first and
/// write second, so two replicas starting together can both decide to write the same row. The
/// store refuses the second (a unique index, a concurrency token); the loser then runs its writes
/// again in a fresh scope, finds the winner's rows, and has nothing left to do.
/// </summary>
internal static class ReplicaStartup
{
    private const int MaxAttempts = 5;

    public static async Task WriteAsync(this IServiceScopeFactory scopes, Func<IServiceProvider, Task> writes, CancellationToken cancellationToken)
    {
        for (var attempt = 1; ; attempt++)
        {
            await using var scope = scopes.CreateAsyncScope();
            try
            {
                await writes(scope.ServiceProvider);
                return;
            }
            catch (Exception ex) when (attempt < MaxAttempts && IsLostRace(ex))
            {
                await Task.Delay(TimeSpan.FromMilliseconds(50 * attempt), cancellationToken);
            }
        }
    }

    private static bool IsLostRace(Exception exception) => exception switch
    {
        DbUpdateException update => update.IsUniqueViolation() || update.IsWriteConflict(),
        OpenIddictExceptions.ConcurrencyException => true,
        // OpenIddict checks the client id itself before inserting: "already exists" after our own check.
        OpenIddictExceptions.ValidationException => true,
        _ => exception.InnerException is { } inner && IsLostRace(inner),
    };
}
