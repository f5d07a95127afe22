using Identity.Api.Data;
using Identity.Api.Events;
using Microsoft.AspNetCore.Identity;
using Microsoft.Extensions.Options;

namespace Identity.Api.Users;

/// <summary>
/// Checks an email and password. Every failure looks the same to the caller, and every path
/// verifies one password hash: an unknown email, a locked or disabled account are verified
/// against a dummy hash, so the response time does not tell whether the email exists.
/// </summary>
internal sealed class Credentials(UserManager<User> users, DummyPasswordHash dummy, FailedLogins failures, IdentityDb db, SecurityEvents events)
{
    public async Task<User?> CheckAsync(string email, string password, string clientId, CancellationToken cancellationToken)
    {
        var user = await users.FindByEmailAsync(email);
        if (user is null)
        {
            dummy.Verify(users.PasswordHasher, password);
            await events.RecordAsync(SecurityEventTypes.LoginFailed, Outcomes.Failure, clientId: clientId, reason: "unknown_email", cancellationToken: cancellationToken);
            return null;
        }

        if (!user.IsActive || await users.IsLockedOutAsync(user))
        {
            dummy.Verify(users.PasswordHasher, password);
            var reason = user.IsActive ? "locked_out" : "account_disabled";
            await events.RecordAsync(SecurityEventTypes.LoginFailed, Outcomes.Failure, user.Id, clientId, reason: reason, cancellationToken: cancellationToken);
            return null;
        }

        if (!await users.CheckPasswordAsync(user, password))
        {
            // The count and its events commit together: one write, as on the unknown-email path.
            await using var transaction = await db.Database.BeginTransactionAsync(cancellationToken);
            events.Stage(SecurityEventTypes.LoginFailed, Outcomes.Failure, user.Id, clientId, reason: "wrong_password");
            if (await failures.CountAsync(user.Id, cancellationToken))
            {
                events.Stage(SecurityEventTypes.LockedOut, Outcomes.Success, user.Id, clientId, reason: "too_many_failures");
            }

            await db.SaveChangesAsync(cancellationToken);
            await transaction.CommitAsync(cancellationToken);
            return null;
        }

        await failures.ResetAsync(user.Id, cancellationToken);
        return user;
    }
}

/// <summary>
/// A hash of a random password, made once, to verify against when there is no real one. It is
/// verified by the same hasher as real passwords, so both paths do the same work.
/// </summary>
internal sealed class DummyPasswordHash(IOptions<PasswordHasherOptions> options)
{
    private readonly User _nobody = new();
    private readonly Lazy<string> _hash = new(() => new PasswordHasher<User>(options).HashPassword(new User(), Guid.NewGuid().ToString("N")));

    public void Verify(IPasswordHasher<User> hasher, string password) => hasher.VerifyHashedPassword(_nobody, _hash.Value, password);
}
