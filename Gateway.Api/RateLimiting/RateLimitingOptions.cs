using System.ComponentModel.DataAnnotations;
using System.Text.RegularExpressions;

namespace Gateway.Api.RateLimiting;

/// <summary>
/// Rate-limit policies (section <c>Gateway:RateLimiting</c>), read per request through
/// <c>IOptionsMonitor</c> so a changed limit applies without a restart. A YARP route names its
/// policy in <c>Metadata.RateLimitPolicy</c>; the gateway's own endpoints use <c>default</c>,
/// <c>/health</c> uses <c>health</c>.
/// </summary>
internal sealed partial class RateLimitingOptions : IValidatableObject
{
    public const string Section = "Gateway:RateLimiting";
    public const string DefaultPolicy = "default";
    public const string HealthPolicy = "health";

    /// <summary>Off only for measurements (the same gateway with no limits); on in every environment.</summary>
    public bool Enabled { get; set; } = true;

    /// <summary>How long one decision may wait for the shared cache before the local fallback decides.</summary>
    public TimeSpan DecisionTimeout { get; set; } = TimeSpan.FromMilliseconds(250);

    /// <summary>After repeated cache failures, how long decisions stay local before the cache is tried again.</summary>
    public TimeSpan BreakDuration { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>Named policies; configuration overrides these defaults or adds new names.</summary>
    public Dictionary<string, RateLimitPolicyOptions> Policies { get; } = new(StringComparer.OrdinalIgnoreCase)
    {
        // Credential endpoints (login, register, refresh, token) are what password guessing targets.
        ["credentials"] = new() { PermitLimit = 10, Window = TimeSpan.FromSeconds(60) },
        ["read"] = new() { PermitLimit = 300, Window = TimeSpan.FromSeconds(60) },
        ["write"] = new() { PermitLimit = 60, Window = TimeSpan.FromSeconds(60) },
        ["public-read"] = new() { PermitLimit = 120, Window = TimeSpan.FromSeconds(60) },
        [DefaultPolicy] = new() { PermitLimit = 120, Window = TimeSpan.FromSeconds(60) },
        // Readiness per caller: a platform probes a replica every few seconds, far below this.
        [HealthPolicy] = new() { PermitLimit = 60, Window = TimeSpan.FromSeconds(60) },
    };

    private Dictionary<string, RateLimitPolicy>? _resolved;

    /// <summary>
    /// The named policy, or <c>default</c> when the name is missing or unknown (never unlimited by
    /// mistake), as the record the limiters take. Resolved once per options instance: a reload
    /// makes a new instance.
    /// </summary>
    public RateLimitPolicy Resolve(string? name)
    {
        var resolved = _resolved ??= Policies.ToDictionary(
            pair => pair.Key, pair => new RateLimitPolicy(pair.Key, pair.Value.PermitLimit, pair.Value.Window), StringComparer.OrdinalIgnoreCase);
        return name is not null && resolved.TryGetValue(name, out var policy)
            ? policy
            : resolved.TryGetValue(DefaultPolicy, out var fallback) ? fallback : RateLimitPolicy.BuiltInDefault;
    }

    public IEnumerable<ValidationResult> Validate(ValidationContext validationContext)
    {
        if (DecisionTimeout <= TimeSpan.Zero || DecisionTimeout > TimeSpan.FromSeconds(5))
        {
            yield return new ValidationResult("DecisionTimeout must be above zero and at most 5 seconds.", [nameof(DecisionTimeout)]);
        }

        if (BreakDuration < TimeSpan.FromMilliseconds(500))
        {
            yield return new ValidationResult("BreakDuration must be at least 500 ms.", [nameof(BreakDuration)]);
        }

        foreach (var (name, policy) in Policies)
        {
            // The name is sent inside a structured-field string (RFC 9651), so it stays a plain token.
            if (!PolicyName().IsMatch(name))
            {
                yield return new ValidationResult($"Rate-limit policy name '{name}' may only use letters, digits, '.', '_' and '-'.", [nameof(Policies)]);
            }

            if (policy.PermitLimit is < 1 or > 1_000_000_000)
            {
                yield return new ValidationResult($"Policies:{name}:PermitLimit must be between 1 and 1000000000.", [nameof(Policies)]);
            }

            // Whole seconds, because the RateLimit-Policy header states the window as w=<seconds>.
            if (policy.Window < TimeSpan.FromSeconds(1) || policy.Window > TimeSpan.FromDays(1) || policy.Window.Ticks % TimeSpan.TicksPerSecond != 0)
            {
                yield return new ValidationResult($"Policies:{name}:Window must be whole seconds between 1 second and 1 day.", [nameof(Policies)]);
            }
        }
    }

    [GeneratedRegex("^[A-Za-z0-9._-]{1,64}$")]
    private static partial Regex PolicyName();
}

/// <summary>One configured policy: at most <see cref="PermitLimit"/> requests per key in each <see cref="Window"/>.</summary>
internal sealed class RateLimitPolicyOptions
{
    public int PermitLimit { get; set; }

    public TimeSpan Window { get; set; }
}
