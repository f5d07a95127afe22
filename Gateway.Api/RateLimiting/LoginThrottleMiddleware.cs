using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Gateway.Api.Hardening;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.Extensions.Options;
using StackExchange.Redis;
using Yarp.ReverseProxy.Model;

namespace Gateway.Api.RateLimiting;

/// <summary>
/// Failed logins per account and client address, counted in the shared cache so every replica
/// sees one count. Anyone who knows an email could otherwise lock its account (five failures) and
/// keep it locked; here one source gets <see cref="LoginThrottleOptions.FailuresPerAccount"/>
/// failures per account per window, then a 429 until the window ends, without the attempt
/// reaching the identity service. Attempts in flight count against the same limit until their
/// answer is known (a 401 is a failure, anything else is not), so a burst sent at once cannot slip
/// through together; those refused for that reason may retry after a second. Routes opt
/// in with <c>Metadata.LoginThrottle</c>: <c>json</c> reads <c>email</c> from a JSON body,
/// <c>form</c> reads <c>username</c> from an OAuth password grant.
/// </summary>
internal sealed partial class LoginThrottleMiddleware(
    RequestDelegate next,
    IConnectionMultiplexer cache,
    LocalRateLimiter local,
    IOptionsMonitor<LoginThrottleOptions> options,
    IOptionsMonitor<RateLimitingOptions> limits,
    ILogger<LoginThrottleMiddleware> logger)
{
    public const string RouteMetadataKey = "LoginThrottle";
    private const string PolicyName = "login-failures";

    // KEYS[1] counts the window's used slots (failures and attempts in flight), KEYS[2] its failures.
    // INCR hands out each slot number once, so at most the limit are taken even under contention.
    // {1, 0} when a slot is taken; {0, ms until a retry may pass} when none is left.
    private const string ReserveScript = """
        local used = redis.call('INCR', KEYS[1])
        if used == 1 then redis.call('PEXPIRE', KEYS[1], ARGV[2]) end
        if used <= tonumber(ARGV[1]) then return {1, 0} end
        redis.call('DECR', KEYS[1])
        if tonumber(redis.call('GET', KEYS[2]) or '0') < tonumber(ARGV[1]) then return {0, 1000} end
        local ttl = redis.call('PTTL', KEYS[1])
        if ttl < 0 then ttl = tonumber(ARGV[2]) end
        return {0, ttl}
        """;

    // The attempt is over: a failure keeps its slot for the window, anything else gives it back.
    private const string CompleteScript = """
        if ARGV[1] == '1' then
          if redis.call('INCR', KEYS[2]) == 1 then redis.call('PEXPIRE', KEYS[2], ARGV[2]) end
        elseif tonumber(redis.call('GET', KEYS[1]) or '0') > 0 then
          redis.call('DECR', KEYS[1])
        end
        return 0
        """;

    public async Task InvokeAsync(HttpContext context)
    {
        string? account;
        try
        {
            account = BodyKind(context) is { } kind ? await AccountAsync(context.Request, kind) : null;
        }
        catch (BadHttpRequestException ex)
        {
            await EdgeProblems.WriteAsync(context, ex.StatusCode, "The request body could not be read within this route's limits.");
            return;
        }

        if (account is null)
        {
            await next(context);
            return;
        }

        var settings = options.CurrentValue;
        var key = Key(account, context);
        var (allowed, retryAfter, counted) = await ReserveAsync(key, settings);
        if (!allowed)
        {
            context.Response.Headers.RetryAfter = Math.Max(1, (long)Math.Ceiling(retryAfter.TotalSeconds)).ToString(CultureInfo.InvariantCulture);
            await EdgeProblems.WriteAsync(context, StatusCodes.Status429TooManyRequests,
                "Too many failed logins for this account from this address; retry later.", "Too many requests");
            return;
        }

        try
        {
            await next(context);
        }
        finally
        {
            if (counted)
            {
                await CompleteAsync(key, failed: context.Response.StatusCode == StatusCodes.Status401Unauthorized);
            }
        }
    }

    private static string? BodyKind(HttpContext context) =>
        HttpMethods.IsPost(context.Request.Method)
        && context.GetEndpoint()?.Metadata.GetMetadata<RouteModel>()?.Config.Metadata is { } metadata
        && metadata.TryGetValue(RouteMetadataKey, out var kind)
            ? kind
            : null;

    /// <summary>The account a login names, read from a buffered copy of the body the proxy then forwards.</summary>
    private async Task<string?> AccountAsync(HttpRequest request, string kind)
    {
        // The route's rules ran first: the body is within the route's limit (a chunked one is buffered).
        request.EnableBuffering();
        try
        {
            if (kind == "form")
            {
                if (!request.HasFormContentType)
                {
                    return null;
                }

                var form = await request.ReadFormAsync(request.HttpContext.RequestAborted);
                return form["grant_type"] == "password" ? form["username"].ToString() : null;
            }

            if (!request.HasJsonContentType())
            {
                return null;
            }

            using var body = await JsonDocument.ParseAsync(request.Body, cancellationToken: request.HttpContext.RequestAborted);
            return body.RootElement is { ValueKind: JsonValueKind.Object } root
                && root.TryGetProperty("email", out var email) && email.ValueKind == JsonValueKind.String
                ? email.GetString()
                : null;
        }
        catch (Exception ex) when (ex is JsonException or InvalidDataException)
        {
            return null; // malformed: the identity service answers it
        }
        finally
        {
            request.Body.Position = 0;
        }
    }

    /// <summary>The account by a hash of its normalized email: no address in the cache's key space.</summary>
    private static string Key(string account, HttpContext context)
    {
        var digest = SHA256.HashData(Encoding.UTF8.GetBytes(account.Trim().ToUpperInvariant()));
        return $"login-failures:{Convert.ToHexStringLower(digest.AsSpan(0, 16))}:{PartitionKey.Address(context.Connection.RemoteIpAddress)}";
    }

    private async Task<(bool Allowed, TimeSpan RetryAfter, bool Counted)> ReserveAsync(string key, LoginThrottleOptions settings)
    {
        try
        {
            var result = (RedisResult[])(await cache.GetDatabase()
                .ScriptEvaluateAsync(ReserveScript, [key, key + ":failures"], [settings.FailuresPerAccount, (long)settings.Window.TotalMilliseconds])
                .WaitAsync(limits.CurrentValue.DecisionTimeout))!;
            return ((int)result[0] == 1, TimeSpan.FromMilliseconds((long)result[1]), true);
        }
        catch (Exception ex) when (ex.IsCacheFailure() || ex is InvalidCastException)
        {
            // The cache cannot count: this replica counts every attempt on its own until it can.
            LogFallback(logger, ex.GetType().Name);
            var decision = local.Acquire(new RateLimitPolicy(PolicyName, settings.FailuresPerAccount, settings.Window), key);
            return (decision.Allowed, TimeSpan.FromSeconds(decision.ResetSeconds), false);
        }
    }

    private async Task CompleteAsync(string key, bool failed)
    {
        try
        {
            await cache.GetDatabase().ScriptEvaluateAsync(CompleteScript, [key, key + ":failures"], [failed ? 1 : 0, (long)options.CurrentValue.Window.TotalMilliseconds]).WaitAsync(limits.CurrentValue.DecisionTimeout);
        }
        catch (Exception ex) when (ex.IsCacheFailure())
        {
            LogFallback(logger, ex.GetType().Name); // the attempt then stays "in flight" until the window ends
        }
    }

    [LoggerMessage(EventId = 3100, Level = LogLevel.Warning, Message = "Failed-login throttle decided without the shared cache ({Error})")]
    private static partial void LogFallback(ILogger logger, string error);
}
