namespace Trading.Api.Accounts;

/// <summary>A paper-trading cash account. Cash that open buy orders hold is <see cref="ReservedCash"/>.</summary>
internal sealed class Account
{
    public Guid Id { get; set; }

    public required string OwnerId { get; set; }

    /// <summary>AES-256-GCM ciphertext with its key id; see <c>AccountNumberProtector</c>.</summary>
    public required string AccountNumberCipher { get; set; }

    public required string Currency { get; set; }

    public decimal Cash { get; set; }

    public decimal ReservedCash { get; set; }

    /// <summary>Optimistic concurrency token: every balance change increments it.</summary>
    public long Version { get; set; }

    public DateTime CreatedAt { get; set; }
}
