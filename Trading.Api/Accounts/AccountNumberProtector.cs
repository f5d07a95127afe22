using System.ComponentModel.DataAnnotations;
using System.Security.Cryptography;
using System.Text;
using Microsoft.Extensions.Options;

namespace Trading.Api.Accounts;

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

