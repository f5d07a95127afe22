using System.Security.Cryptography;
using System.Text;
using Microsoft.Extensions.Options;
using Microsoft.IdentityModel.Tokens;

namespace Identity.Api.Keys;

/// <summary>
/// Wraps signing keys at rest with AES-GCM under a key derived from <c>Identity:Keys:Secret</c>
/// (HKDF, one purpose per use), and derives the refresh-token encryption key from the same secret.
/// Without a secret (Development only, enforced at start) keys are stored unprotected.
/// </summary>
internal sealed class KeyProtector(IOptions<KeyOptions> options)
{
    private const int NonceSize = 12;
    private const int TagSize = 16;
    private readonly byte[]? _secret = options.Value.SecretBytes();

    public ServerKey NewSigningKey(long generation, DateTimeOffset now, DateTimeOffset activatesAt)
    {
        using var ecdsa = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var id = "sig-" + Guid.NewGuid().ToString("N");
        var pkcs8 = ecdsa.ExportPkcs8PrivateKey();
        return new ServerKey
        {
            Id = id,
            Use = ServerKey.SigningUse,
            Generation = generation,
            Algorithm = SecurityAlgorithms.EcdsaSha256,
            Material = _secret is null ? pkcs8 : Wrap(id, pkcs8),
            Protection = _secret is null ? ServerKey.Unprotected : ServerKey.AesGcm,
            CreatedAt = now,
            ActivatesAt = activatesAt,
        };
    }

    public SigningCredentials Signing(ServerKey key)
    {
        var pkcs8 = key.Protection switch
        {
            ServerKey.Unprotected => key.Material,
            ServerKey.AesGcm => Unwrap(key.Id, key.Material),
            _ => throw new InvalidOperationException($"Signing key {key.Id} has an unknown protection '{key.Protection}'."),
        };
        var ecdsa = ECDsa.Create();
        ecdsa.ImportPkcs8PrivateKey(pkcs8, out _);
        return new SigningCredentials(new ECDsaSecurityKey(ecdsa) { KeyId = key.Id }, SecurityAlgorithms.EcdsaSha256);
    }

    /// <summary>The refresh-token encryption key derived from the secret, or null without one.</summary>
    public EncryptingCredentials? EncryptionKey() => _secret is null
        ? null
        : Encrypting("enc-" + Convert.ToHexStringLower(SHA256.HashData(Derive("key-id")))[..16], Derive("refresh-token-encryption"));

    public static EncryptingCredentials Encrypting(string id, byte[] key) =>
        new(new SymmetricSecurityKey(key) { KeyId = id }, SecurityAlgorithms.Aes256KW, SecurityAlgorithms.Aes256CbcHmacSha512);

    private byte[] Wrap(string keyId, byte[] plaintext)
    {
        var output = new byte[NonceSize + TagSize + plaintext.Length];
        var nonce = output.AsSpan(0, NonceSize);
        RandomNumberGenerator.Fill(nonce);
        using var aes = new AesGcm(Derive("signing-key-wrap"), TagSize);
        aes.Encrypt(nonce, plaintext, output.AsSpan(NonceSize + TagSize), output.AsSpan(NonceSize, TagSize), Encoding.UTF8.GetBytes(keyId));
        return output;
    }

    private byte[] Unwrap(string keyId, byte[] material)
    {
        if (_secret is null)
        {
            throw new InvalidOperationException($"Signing key {keyId} is encrypted but Identity:Keys:Secret is not configured.");
        }

        var plaintext = new byte[material.Length - NonceSize - TagSize];
        using var aes = new AesGcm(Derive("signing-key-wrap"), TagSize);
        try
        {
            aes.Decrypt(material.AsSpan(0, NonceSize), material.AsSpan(NonceSize + TagSize), material.AsSpan(NonceSize, TagSize), plaintext, Encoding.UTF8.GetBytes(keyId));
        }
        catch (AuthenticationTagMismatchException ex)
        {
            throw new InvalidOperationException($"Signing key {keyId} cannot be decrypted: Identity:Keys:Secret is not the secret it was stored with.", ex);
        }

        return plaintext;
    }

    private byte[] Derive(string purpose) =>
        HKDF.DeriveKey(HashAlgorithmName.SHA256, _secret!, 32, salt: [], info: Encoding.UTF8.GetBytes("identity-api:" + purpose));
}
