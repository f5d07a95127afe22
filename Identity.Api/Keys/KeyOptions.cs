using System.ComponentModel.DataAnnotations;

namespace Identity.Api.Keys;

/// <summary>Key protection and the rotation schedule, from section <c>Identity:Keys</c>.</summary>
internal sealed class KeyOptions
{
    public const string Section = "Identity:Keys";

    /// <summary>
    /// Base64 secret of at least 32 bytes. It encrypts the signing keys at rest and derives the
    /// refresh-token encryption key. Required outside Development.
    /// </summary>
    public string? Secret { get; set; }

    /// <summary>How long a signing key signs before its successor takes over.</summary>
    [Range(typeof(TimeSpan), "01:00:00", "365.00:00:00")]
    public TimeSpan RotationInterval { get; set; } = TimeSpan.FromDays(30);

    /// <summary>How long a new key is published in the JWKS before it signs: longer than any verifier caches the JWKS.</summary>
    [Range(typeof(TimeSpan), "00:00:00", "30.00:00:00")]
    public TimeSpan PublishLead { get; set; } = TimeSpan.FromDays(1);

    /// <summary>How often each replica reloads the keys and rotates when due.</summary>
    [Range(typeof(TimeSpan), "00:00:01", "01:00:00")]
    public TimeSpan CheckInterval { get; set; } = TimeSpan.FromMinutes(1);

    public byte[]? SecretBytes()
    {
        if (string.IsNullOrWhiteSpace(Secret))
        {
            return null;
        }

        var bytes = new byte[Secret.Length];
        return Convert.TryFromBase64String(Secret, bytes, out var written) && written >= 32 ? bytes[..written] : null;
    }
}
