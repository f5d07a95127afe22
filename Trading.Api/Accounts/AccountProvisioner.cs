using System.ComponentModel.DataAnnotations;
using System.Security.Cryptography;
using Microsoft.EntityFrameworkCore;
using Trading.Api.Data;

namespace Trading.Api.Accounts;

/// <summary>
/// Every caller who may trade has one funded account from their first call on: the account is
/// provisioned on first use, so users registered at the identity service need no second step.
/// </summary>
internal sealed class AccountProvisioner(TradingDbContext db, AccountNumberProtector protector, TimeProvider time, Microsoft.Extensions.Options.IOptions<PaperTradingOptions> options)
{
    public async Task<Account> EnsureAccountAsync(string ownerId, CancellationToken cancellationToken)
    {
        var existing = await db.Accounts.SingleOrDefaultAsync(a => a.OwnerId == ownerId, cancellationToken);
        if (existing is not null)
        {
            return existing;
        }

        var account = new Account
        {
            Id = Guid.NewGuid(),
            OwnerId = ownerId,
            AccountNumberCipher = string.Empty,
            Currency = options.Value.Currency,
            Cash = options.Value.StartingCash,
            CreatedAt = time.GetUtcNow().UtcDateTime,
        };
        account.AccountNumberCipher = protector.Protect(NewAccountNumber(), account.Id);
        db.Accounts.Add(account);
        try
        {
            await db.SaveChangesAsync(cancellationToken);
            return account;
        }
        catch (DbUpdateException)
        {
            // Another request provisioned it first (unique owner index): use theirs.
            db.Entry(account).State = EntityState.Detached;
            return await db.Accounts.SingleAsync(a => a.OwnerId == ownerId, cancellationToken);
        }
    }

    private static string NewAccountNumber() =>
        string.Concat(Enumerable.Range(0, 12).Select(_ => (char)('0' + RandomNumberGenerator.GetInt32(10))));
}
