using System.Security.Cryptography;
using Identity.Api.Data;
using Identity.Api.Tokens;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using Microsoft.IdentityModel.Tokens;

namespace Identity.Api.Keys;

/// <summary>
/// Reads the keys from the database, creates the first key and each announced successor when
/// due, deletes keys no live token can need any more, and hands the result to the <see cref="KeyRing"/>.
/// </summary>
internal sealed partial class KeyStore(
    IdentityDb db,
    KeyRing ring,
    KeyProtector protector,
    IOptions<KeyOptions> keyOptions,
    IOptions<TokenOptions> tokenOptions,
    [FromKeyedServices(KeysExtensions.ClockKey)] TimeProvider time,
    ILogger<KeyStore> logger)
{
    private const int MaxAttempts = 5;

    /// <summary>
    /// Every replica runs this at start and on a schedule. When two decide at once to create (or
    /// delete) the same key, the store lets one through; the other reads the result and uses it.
    /// </summary>
    public async Task RefreshAsync(CancellationToken cancellationToken)
    {
        for (var attempt = 1; ; attempt++)
        {
            try
            {
                await RefreshOnceAsync(cancellationToken);
                return;
            }
            catch (DbUpdateException ex) when (attempt < MaxAttempts && (ex.IsUniqueViolation() || ex.IsWriteConflict()))
            {
                db.ChangeTracker.Clear();
            }
        }
    }

    private async Task RefreshOnceAsync(CancellationToken cancellationToken)
    {
        var now = time.GetUtcNow();
        var options = keyOptions.Value;
        var rows = await db.ServerKeys.ToListAsync(cancellationToken);
        var signing = rows.Where(key => key.Use == ServerKey.SigningUse)
            .OrderByDescending(key => key.ActivatesAt).ThenBy(key => key.Id, StringComparer.Ordinal).ToList();

        var newest = signing.FirstOrDefault();
        if (newest is null || (newest.ActivatesAt <= now && now >= newest.ActivatesAt + options.RotationInterval - options.PublishLead))
        {
            // The first key signs at once (nothing was published before it); a successor is
            // announced PublishLead ahead, so every verifier has it before the first token it signs.
            var activatesAt = newest is null ? now : Max(now + options.PublishLead, newest.ActivatesAt + options.RotationInterval);
            var key = protector.NewSigningKey(signing.Select(key => key.Generation).DefaultIfEmpty().Max() + 1, now, activatesAt);
            db.ServerKeys.Add(key);
            signing.Insert(0, key);
            KeyCreated(logger, key.Id, activatesAt);
        }

        // A retired key stays until every token it signed has expired: refresh tokens are the longest-lived.
        var retention = tokenOptions.Value.RefreshTokenLifetime + TimeSpan.FromMinutes(5);
        var ordered = Order(signing, now);
        for (var index = 1; index < signing.Count; index++)
        {
            var successorActivation = signing[index - 1].ActivatesAt;
            if (successorActivation <= now && successorActivation + retention < now && ordered.Contains(signing[index]))
            {
                db.ServerKeys.Remove(signing[index]);
                ordered.Remove(signing[index]);
                KeyDeleted(logger, signing[index].Id);
            }
        }

        var encryption = protector.EncryptionKey() ?? await DevelopmentEncryptionKeyAsync(rows, now, cancellationToken);
        await db.SaveChangesAsync(cancellationToken);
        ring.Update([.. ordered.Select(protector.Signing)], encryption);
    }

    /// <summary>Active key first (the newest already active), then upcoming keys, then retired ones.</summary>
    private static List<ServerKey> Order(List<ServerKey> newestFirst, DateTimeOffset now)
    {
        var active = newestFirst.FirstOrDefault(key => key.ActivatesAt <= now) ?? newestFirst[^1];
        return [active, .. newestFirst.Where(key => key.ActivatesAt > now), .. newestFirst.Where(key => key != active && key.ActivatesAt <= now)];
    }

    private async Task<EncryptingCredentials> DevelopmentEncryptionKeyAsync(List<ServerKey> rows, DateTimeOffset now, CancellationToken cancellationToken)
    {
        var row = rows.FirstOrDefault(key => key.Use == ServerKey.EncryptionUse);
        if (row is null)
        {
            row = new ServerKey
            {
                Id = "enc-" + Guid.NewGuid().ToString("N"),
                Use = ServerKey.EncryptionUse,
                Generation = 1,
                Algorithm = SecurityAlgorithms.Aes256KW,
                Material = RandomNumberGenerator.GetBytes(32),
                Protection = ServerKey.Unprotected,
                CreatedAt = now,
                ActivatesAt = now,
            };
            db.ServerKeys.Add(row);
            await db.SaveChangesAsync(cancellationToken);
            DevelopmentKeyStored(logger);
        }

        return KeyProtector.Encrypting(row.Id, row.Material);
    }

    private static DateTimeOffset Max(DateTimeOffset left, DateTimeOffset right) => left > right ? left : right;

    [LoggerMessage(EventId = 4200, Level = LogLevel.Information, Message = "Signing key {KeyId} created; it signs from {ActivatesAt:o}")]
    private static partial void KeyCreated(ILogger logger, string keyId, DateTimeOffset activatesAt);

    [LoggerMessage(EventId = 4201, Level = LogLevel.Information, Message = "Signing key {KeyId} deleted: no live token can need it")]
    private static partial void KeyDeleted(ILogger logger, string keyId);

    [LoggerMessage(EventId = 4202, Level = LogLevel.Warning, Message = "Identity:Keys:Secret is not configured: a Development refresh-token encryption key was stored unprotected in the database")]
    private static partial void DevelopmentKeyStored(ILogger logger);
}
