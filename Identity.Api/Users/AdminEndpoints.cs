using System.Text.Json.Serialization;
using Identity.Api.Data;
using Identity.Api.Events;
using Identity.Api.Sessions;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Identity;
using Microsoft.EntityFrameworkCore;

namespace Identity.Api.Users;

/// <summary>Administration of accounts (admin role). Lock and revoke-sessions end the user's sessions at once.</summary>
internal static class AdminEndpoints
{
    public static async Task<Ok<UserList>> ListAsync(UserManager<User> users, TimeProvider time, CancellationToken cancellationToken)
    {
        var now = time.GetUtcNow();
        var all = await users.Users.OrderBy(user => user.UserName).ToListAsync(cancellationToken);
        var items = new List<UserSummary>(all.Count);
        foreach (var user in all)
        {
            items.Add(new UserSummary(user.Id, user.UserName!, user.Email!, [.. await users.GetRolesAsync(user)], user.IsActive,
                user.LockoutEnd is { } end && end > now ? end : null));
        }

        return TypedResults.Ok(new UserList(items, items.Count));
    }

    public static async Task<Results<NoContent, NotFound>> LockAsync(
        string id, IdentityDb db, SessionRevoker sessions, SecurityEvents events, HttpContext context)
    {
        // One statement, not Identity's read-modify-write: a failed login changing the same row at
        // the same moment can neither undo the lock nor make it fail.
        if (await db.Users.Where(user => user.Id == id)
                .ExecuteUpdateAsync(set => set.SetProperty(user => user.IsActive, false), context.RequestAborted) == 0)
        {
            return TypedResults.NotFound();
        }

        await events.RecordAsync(SecurityEventTypes.UserLocked, Outcomes.Success, id, reason: "admin:" + AdminId(context), cancellationToken: context.RequestAborted);
        await sessions.EndAllAsync(id, "user_locked", context.RequestAborted);
        return TypedResults.NoContent();
    }

    public static async Task<Results<NoContent, NotFound>> UnlockAsync(
        string id, IdentityDb db, SecurityEvents events, HttpContext context)
    {
        if (await db.Users.Where(user => user.Id == id)
                .ExecuteUpdateAsync(set => set
                    .SetProperty(user => user.IsActive, true)
                    .SetProperty(user => user.LockoutEnd, (DateTimeOffset?)null)
                    .SetProperty(user => user.AccessFailedCount, 0), context.RequestAborted) == 0)
        {
            return TypedResults.NotFound();
        }

        await events.RecordAsync(SecurityEventTypes.UserUnlocked, Outcomes.Success, id, reason: "admin:" + AdminId(context), cancellationToken: context.RequestAborted);
        return TypedResults.NoContent();
    }

    public static async Task<Results<NoContent, NotFound>> RevokeSessionsAsync(
        string id, UserManager<User> users, SessionRevoker sessions, HttpContext context)
    {
        if (await users.FindByIdAsync(id) is not { } user)
        {
            return TypedResults.NotFound();
        }

        await sessions.EndAllAsync(user.Id, "admin_revoked:" + AdminId(context), context.RequestAborted);
        return TypedResults.NoContent();
    }

    private static string AdminId(HttpContext context) =>
        context.User.FindFirst(OpenIddict.Abstractions.OpenIddictConstants.Claims.Subject)?.Value ?? "unknown";
}

internal sealed record UserList(IReadOnlyList<UserSummary> Users, int Total);

internal sealed record UserSummary(
    [property: JsonPropertyName("user_id")] string UserId,
    string Username,
    string Email,
    string[] Roles,
    [property: JsonPropertyName("is_active")] bool IsActive,
    [property: JsonPropertyName("locked_until")] DateTimeOffset? LockedUntil);
