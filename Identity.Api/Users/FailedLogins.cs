using Identity.Api.Data;
using Microsoft.AspNetCore.Identity;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;

namespace Identity.Api.Users;

/// <summary>
/// The failed-login count of an account, changed by single SQL statements rather than Identity's
/// read-modify-write under a concurrency stamp: a burst of wrong passwords sent at the same
/// moment, to one replica or several, counts every attempt, and the attempt that reaches the
/// limit is the one that locks. The SQL is plain enough for SQLite and PostgreSQL alike.
/// </summary>
internal sealed class FailedLogins(IdentityDb db, IOptions<IdentityOptions> identity, TimeProvider time)
{
    /// <summary>Counts one failure; true when this failure locked the account.</summary>
    public async Task<bool> CountAsync(string userId, CancellationToken cancellationToken)
    {
        var lockout = identity.Value.Lockout;
        var limit = lockout.MaxFailedAccessAttempts;
        var until = time.GetUtcNow() + lockout.DefaultLockoutTimeSpan;
        // Every right-hand side reads the row as it was before this statement: the count that
        // reaches the limit sets the lockout and starts the count again, as Identity itself does.
        var counts = await db.Database.SqlQuery<int>($"""
            UPDATE "AspNetUsers"
            SET "AccessFailedCount" = CASE WHEN "AccessFailedCount" + 1 >= {limit} THEN 0 ELSE "AccessFailedCount" + 1 END,
                "LockoutEnd" = CASE WHEN "AccessFailedCount" + 1 >= {limit} THEN {until} ELSE "LockoutEnd" END
            WHERE "Id" = {userId} AND "LockoutEnabled"
            RETURNING "AccessFailedCount" AS "Value"
            """).ToListAsync(cancellationToken);
        return counts is [0];
    }

    /// <summary>A successful login starts the count again; no write when there is nothing to clear.</summary>
    public Task ResetAsync(string userId, CancellationToken cancellationToken) =>
        db.Users.Where(user => user.Id == userId && user.AccessFailedCount > 0)
            .ExecuteUpdateAsync(set => set.SetProperty(user => user.AccessFailedCount, 0), cancellationToken);
}
