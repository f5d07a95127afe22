using System.ComponentModel.DataAnnotations;

namespace Microsoft.Extensions.Hosting;

/// <summary>How fresh a DPoP proof must be (section <c>Auth:DPoP</c>), wherever proofs are checked.</summary>
public sealed class DPoPOptions
{
    public const string Section = "Auth:DPoP";

    /// <summary>The oldest <c>iat</c> accepted; a proof's <c>jti</c> is remembered this long plus the skew.</summary>
    [Range(typeof(TimeSpan), "00:00:05", "00:10:00")]
    public TimeSpan ProofLifetime { get; set; } = TimeSpan.FromMinutes(2);

    /// <summary>How far in the future a client's clock may put <c>iat</c>.</summary>
    [Range(typeof(TimeSpan), "00:00:00", "00:05:00")]
    public TimeSpan ClockSkew { get; set; } = TimeSpan.FromSeconds(30);
}
