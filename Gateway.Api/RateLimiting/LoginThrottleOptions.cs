using System.ComponentModel.DataAnnotations;

namespace Gateway.Api.RateLimiting;

/// <summary>
/// The failed-login throttle (section <c>Gateway:LoginThrottle</c>): how many failed logins one
/// client address may cause for one account in a window. Below the identity service's lockout
/// threshold (5), so no single source can lock an account, let alone many.
/// </summary>
internal sealed class LoginThrottleOptions
{
    public const string Section = "Gateway:LoginThrottle";

    [Range(1, 1_000)]
    public int FailuresPerAccount { get; set; } = 4;

    /// <summary>As long as the lockout it guards against.</summary>
    [Range(typeof(TimeSpan), "00:00:01", "1.00:00:00")]
    public TimeSpan Window { get; set; } = TimeSpan.FromMinutes(15);
}
