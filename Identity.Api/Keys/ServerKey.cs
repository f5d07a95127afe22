namespace Identity.Api.Keys;

/// <summary>
/// A persisted key of the token service: an ES256 signing key (<c>sig</c>) or, in Development
/// without a configured secret, the refresh-token encryption key (<c>enc</c>). All replicas read
/// the same rows, so they sign with the same key and publish the same JWKS.
/// </summary>
internal sealed class ServerKey
{
    public const string SigningUse = "sig";
    public const string EncryptionUse = "enc";
    public const string Unprotected = "none";
    public const string AesGcm = "aes-gcm";

    /// <summary>The <c>kid</c>.</summary>
    public required string Id { get; set; }

    public required string Use { get; set; }

    /// <summary>
    /// 1 for the first key of its use, one more for each successor. Unique per use, so when two
    /// replicas decide at once that a key is due, only one of them can store it.
    /// </summary>
    public long Generation { get; set; }

    public required string Algorithm { get; set; }

    /// <summary>PKCS#8 private key (signing) or raw key bytes (encryption), wrapped as <see cref="Protection"/> says.</summary>
    public required byte[] Material { get; set; }

    public required string Protection { get; set; }

    public DateTimeOffset CreatedAt { get; set; }

    /// <summary>When the key starts signing; it is published in the JWKS from creation on.</summary>
    public DateTimeOffset ActivatesAt { get; set; }
}
