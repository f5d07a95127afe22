using System.Globalization;

namespace Gateway.Api.RateLimiting;

/// <summary>Where a decision was made: in the shared cache, or by this instance alone.</summary>
internal enum RateLimitMode
{
    Distributed,
    Fallback,
}

/// <summary>The outcome of counting one request against a policy, with what the headers report.</summary>
internal readonly record struct RateLimitDecision(
    string Policy,
    bool Allowed,
    int Limit,
    TimeSpan Window,
    long Remaining,
    TimeSpan ResetAfter,
    RateLimitMode Mode)
{
    public const string PolicyHeader = "RateLimit-Policy";
    public const string StateHeader = "RateLimit";

    /// <summary>Whole seconds until the window resets, rounded up so a client never retries too early.</summary>
    public long ResetSeconds => Math.Max(0, (long)Math.Ceiling(ResetAfter.TotalSeconds));

    /// <summary>
    /// draft-ietf-httpapi-ratelimit-headers: <c>RateLimit-Policy: "read";q=300;w=60</c> and
    /// <c>RateLimit: "read";r=299;t=60</c> (structured fields; the name is validated as a plain token).
    /// </summary>
    public void WriteHeaders(IHeaderDictionary headers)
    {
        headers[PolicyHeader] = string.Create(CultureInfo.InvariantCulture, $"\"{Policy}\";q={Limit};w={(long)Window.TotalSeconds}");
        headers[StateHeader] = string.Create(CultureInfo.InvariantCulture, $"\"{Policy}\";r={Remaining};t={ResetSeconds}");
    }
}
