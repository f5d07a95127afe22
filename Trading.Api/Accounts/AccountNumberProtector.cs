using System.ComponentModel.DataAnnotations;
using System.Security.Cryptography;
using System.Text;
using Microsoft.Extensions.Options;

namespace Trading.Api.Accounts;

/// <summary>
/// Keys for account identifiers at rest (section <c>Trading:Encryption</c>): secret key material
/// by id (at least 32 characters of entropy, e.g. <c>openssl rand -base64 32</c>; the AES-256 key
/// is derived from it with HKDF-SHA256), and the id new values are sealed with. Old ids stay configured until their values are
/// re-sealed, which is what lets keys rotate. Never in the repository: user-secrets, environment
/// or Key Vault.
/// </summary>
internal sealed class EncryptionOptions
{
    public const string Section = "Trading:Encryption";

    [Required(ErrorMessage = "Trading:Encryption:ActiveKeyId is not configured. Set it and Trading:Encryption:Keys:<id> (32+ characters of secret key material) from user-secrets, the environment or Key Vault.")]
    public string ActiveKeyId { get; set; } = string.Empty;

    public Dictionary<string, string> Keys { get; set; } = [];
}

/// <summary>
/// AES-256-GCM for account numbers: a fresh 96-bit nonce per value, the key id stored beside the
/// ciphertext, and the account id as associated data so a ciphertext copied to another row fails.
/// </summary>
internal sealed class AccountNumberProtector
{
    private const int NonceSize = 12;
    private const int TagSize = 16;
    private readonly Dictionary<string, byte[]> _keys;
    private readonly string _activeKeyId;

    public AccountNumberProtector(IOptions<EncryptionOptions> options)
    {
        _keys = options.Value.Keys.ToDictionary(k => k.Key, k => DeriveKey(k.Key, k.Value), StringComparer.Ordinal);
        _activeKeyId = options.Value.ActiveKeyId;
    }

    public string Protect(string accountNumber, Guid accountId)
    {
        var plaintext = Encoding.UTF8.GetBytes(accountNumber);
        var sealedValue = new byte[NonceSize + TagSize + plaintext.Length];
        var nonce = sealedValue.AsSpan(0, NonceSize);
        RandomNumberGenerator.Fill(nonce);
        using var aes = new AesGcm(_keys[_activeKeyId], TagSize);
        aes.Encrypt(nonce, plaintext, sealedValue.AsSpan(NonceSize + TagSize), sealedValue.AsSpan(NonceSize, TagSize), AssociatedData(accountId));
        return $"{_activeKeyId}:{Convert.ToBase64String(sealedValue)}";
    }

    public string Unprotect(string protectedValue, Guid accountId)
    {
        var separator = protectedValue.IndexOf(':', StringComparison.Ordinal);
        var keyId = protectedValue[..separator];
        var sealedValue = Convert.FromBase64String(protectedValue[(separator + 1)..]);
        var plaintext = new byte[sealedValue.Length - NonceSize - TagSize];
        using var aes = new AesGcm(_keys[keyId], TagSize);
        aes.Decrypt(sealedValue.AsSpan(0, NonceSize), sealedValue.AsSpan(NonceSize + TagSize), sealedValue.AsSpan(NonceSize, TagSize), plaintext, AssociatedData(accountId));
        return Encoding.UTF8.GetString(plaintext);
    }

    /// <summary>What a response may show: the last four digits.</summary>
    public static string Mask(string accountNumber) => $"****{accountNumber[^4..]}";

    private static byte[] DeriveKey(string keyId, string material) => HKDF.DeriveKey(
        HashAlgorithmName.SHA256, Encoding.UTF8.GetBytes(material), 32, salt: [], info: Encoding.UTF8.GetBytes($"trading/account-number/{keyId}"));

    private static byte[] AssociatedData(Guid accountId) => Encoding.UTF8.GetBytes($"account-number:{accountId:N}");
}

internal sealed class EncryptionOptionsValidator : IValidateOptions<EncryptionOptions>
{
    public ValidateOptionsResult Validate(string? name, EncryptionOptions options)
    {
        if (!options.Keys.TryGetValue(options.ActiveKeyId, out var active))
        {
            return ValidateOptionsResult.Fail($"Trading:Encryption:Keys has no key '{options.ActiveKeyId}' (the ActiveKeyId).");
        }

        foreach (var (id, value) in options.Keys)
        {
            if (value.Length < 32)
            {
                return ValidateOptionsResult.Fail($"Trading:Encryption:Keys:{id} must be at least 32 characters of secret key material.");
            }
        }

        return active.Length > 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail("The active key is empty.");
    }
}
