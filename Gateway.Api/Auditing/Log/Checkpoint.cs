using System.Globalization;
using System.Numerics;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json.Serialization;
using Microsoft.Extensions.Options;

namespace Gateway.Api.Auditing;

/// <summary>
/// A checkpoint (a signed tree head): the UTF-8 text below, each line ending in <c>\n</c>, signed
/// with ES256 (ECDSA P-256, SHA-256) over exactly those bytes; the signature is the 64-byte
/// IEEE P1363 form (r || s) in base64.
/// <code>
/// audit-checkpoint/v1
/// log &lt;log id&gt;
/// size &lt;tree size&gt;
/// root &lt;root hash, lowercase hex&gt;
/// time &lt;UTC, yyyy-MM-ddTHH:mm:ss.fffZ&gt;
/// </code>
/// The log id is the lowercase hex SHA-256 of the public key's DER SubjectPublicKeyInfo, so it
/// names the key: a checkpoint under another key belongs to another log.
/// </summary>
internal static class Checkpoint
{
    public const string TimeFormat = "yyyy-MM-dd'T'HH:mm:ss.fff'Z'";

    public static string Text(string logId, long treeSize, string rootHash, DateTime time) => string.Create(CultureInfo.InvariantCulture,
        $"audit-checkpoint/v1\nlog {logId}\nsize {treeSize}\nroot {rootHash}\ntime {time.ToString(TimeFormat, CultureInfo.InvariantCulture)}\n");

    public static string Text(AuditCheckpoint checkpoint) => Text(checkpoint.LogId, checkpoint.TreeSize, checkpoint.RootHash, checkpoint.Time);

    public static string LogIdOf(byte[] publicKey) => Convert.ToHexStringLower(SHA256.HashData(publicKey));

    /// <summary>Whether <paramref name="checkpoint"/> is signed by <paramref name="publicKey"/> and names its log.</summary>
    public static bool IsSignedBy(AuditCheckpoint checkpoint, byte[] publicKey)
    {
        if (checkpoint.LogId != LogIdOf(publicKey))
        {
            return false;
        }

        try
        {
            using var key = ECDsa.Create();
            key.ImportSubjectPublicKeyInfo(publicKey, out _);
            return key.VerifyData(Encoding.UTF8.GetBytes(Text(checkpoint)), Convert.FromBase64String(checkpoint.Signature), HashAlgorithmName.SHA256);
        }
        catch (Exception ex) when (ex is CryptographicException or FormatException)
        {
            return false;
        }
    }
}

/// <summary>
/// The log's signing key, from <c>Gateway:Audit:CheckpointKey</c>: a PEM EC P-256 private key, or
/// any other secret text from which the key is derived (HKDF-SHA256, then FIPS 186-5 A.2.1's
/// reduction of 320 bits into the curve's scalar range), which is how the AppHost and azd provide
/// it: as a generated secret like the others. Every replica with the same setting is the same log.
/// </summary>
internal sealed class CheckpointSigner : IDisposable
{
    // The order n of the P-256 group.
    private static readonly BigInteger Order = BigInteger.Parse("0FFFFFFFF00000000FFFFFFFFFFFFFFFFBCE6FAADA7179E84F3B9CAC2FC632551", NumberStyles.HexNumber, CultureInfo.InvariantCulture);

    private readonly ECDsa _key;

    public CheckpointSigner(IOptions<AuditOptions> options)
    {
        _key = KeyFrom(options.Value.CheckpointKey ?? throw new InvalidOperationException($"{AuditOptions.Section}:CheckpointKey is not set."));
        PublicKey = _key.ExportSubjectPublicKeyInfo();
        LogId = Checkpoint.LogIdOf(PublicKey);
    }

    public string LogId { get; }

    /// <summary>DER SubjectPublicKeyInfo.</summary>
    public byte[] PublicKey { get; }

    public AuditCheckpoint Sign(long treeSize, string rootHash, DateTimeOffset now)
    {
        var time = new DateTime(now.UtcTicks - (now.UtcTicks % TimeSpan.TicksPerMillisecond), DateTimeKind.Utc);
        var text = Checkpoint.Text(LogId, treeSize, rootHash, time);
        var signature = _key.SignData(Encoding.UTF8.GetBytes(text), HashAlgorithmName.SHA256);
        return new AuditCheckpoint { TreeSize = treeSize, LogId = LogId, RootHash = rootHash, Time = time, Signature = Convert.ToBase64String(signature) };
    }

    public void Dispose() => _key.Dispose();

    public static ECDsa KeyFrom(string configured)
    {
        if (configured.Contains("-----BEGIN", StringComparison.Ordinal))
        {
            var key = ECDsa.Create();
            key.ImportFromPem(configured);
            if (key.ExportParameters(false).Curve.Oid.Value != ECCurve.NamedCurves.nistP256.Oid.Value)
            {
                key.Dispose();
                throw new InvalidOperationException($"{AuditOptions.Section}:CheckpointKey must be a P-256 key (ES256).");
            }

            return key;
        }

        var bits = HKDF.DeriveKey(HashAlgorithmName.SHA256, Encoding.UTF8.GetBytes(configured), 40, salt: [], info: "audit-checkpoint-key/ES256"u8.ToArray());
        var scalar = (new BigInteger(bits, isUnsigned: true, isBigEndian: true) % (Order - 1)) + 1;
        var d = new byte[32];
        scalar.TryWriteBytes(d.AsSpan(32 - scalar.GetByteCount(isUnsigned: true)), out _, isUnsigned: true, isBigEndian: true);
        return ECDsa.Create(new ECParameters { Curve = ECCurve.NamedCurves.nistP256, D = d });
    }
}

/// <summary>A checkpoint as the API, the cache copy and the checkpoint file hold it.</summary>
internal sealed record CheckpointView(
    [property: JsonPropertyName("log_id")] string LogId,
    [property: JsonPropertyName("tree_size")] long TreeSize,
    [property: JsonPropertyName("root_hash")] string RootHash,
    [property: JsonPropertyName("time")] string Time,
    [property: JsonPropertyName("signature")] string Signature,
    [property: JsonPropertyName("public_key")] string PublicKey)
{
    public static CheckpointView From(AuditCheckpoint checkpoint, byte[] publicKey) => new(
        checkpoint.LogId,
        checkpoint.TreeSize,
        checkpoint.RootHash,
        checkpoint.Time.ToString(Checkpoint.TimeFormat, CultureInfo.InvariantCulture),
        checkpoint.Signature,
        Convert.ToBase64String(publicKey));

    /// <summary>The stored form back, or null when a field does not parse (then it cannot verify either).</summary>
    public AuditCheckpoint? ToCheckpoint() =>
        DateTime.TryParseExact(Time, Checkpoint.TimeFormat, CultureInfo.InvariantCulture, DateTimeStyles.AdjustToUniversal | DateTimeStyles.AssumeUniversal, out var time)
            ? new AuditCheckpoint { TreeSize = TreeSize, LogId = LogId, RootHash = RootHash, Time = DateTime.SpecifyKind(time, DateTimeKind.Utc), Signature = Signature }
            : null;

    public byte[]? PublicKeyBytes()
    {
        try
        {
            return Convert.FromBase64String(PublicKey);
        }
        catch (FormatException)
        {
            return null;
        }
    }
}
