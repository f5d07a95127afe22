using System.Globalization;
using System.Text.Json.Serialization;
using Identity.Api.Data;
using Identity.Api.Tokens;
using Microsoft.AspNetCore;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;
using OpenIddict.Abstractions;
using OpenIddict.Validation;
using static OpenIddict.Validation.OpenIddictValidationEvents;

namespace Identity.Api.Events;

/// <summary>
/// <c>GET /internal/security-events?after={id}&amp;limit={n}</c>: the outbox, oldest first, for the
/// gateway's audit trail, which pulls it as the confidential client <c>gateway-audit</c>
/// and resumes after the last id it stored. Internal only: no gateway route forwards <c>/internal/*</c>,
/// and the path is left out of the OpenAPI document.
/// </summary>
internal static class SecurityEventFeed
{
    public const string Path = "/internal/security-events";
    public const string Policy = "security-event-feed";
    public const int DefaultLimit = 500;
    public const int MaxLimit = 1000;

    /// <summary>A client_credentials token meant for the gateway with scope <c>audit:read</c>; a user token never qualifies.</summary>
    public static void Require(AuthorizationPolicyBuilder policy) => policy
        .RequireAuthenticatedUser()
        .RequireAssertion(context => context.User.HasScope(ApiScopes.AuditRead) && context.User.HasAudience(ApiScopes.GatewayAudience));

    // Read as text and parsed here, so a malformed value is a field-level 400 in every environment.
    public static async Task<Results<Ok<SecurityEventPage>, ValidationProblem>> ReadAsync(
        IdentityDb db, CancellationToken cancellationToken, string? after = null, string? limit = null)
    {
        var errors = new Dictionary<string, string[]>();
        var afterId = 0L;
        if (after is not null && !long.TryParse(after, NumberStyles.None, CultureInfo.InvariantCulture, out afterId))
        {
            errors["after"] = ["The id to resume after: a whole number, 0 or more."];
        }

        var take = DefaultLimit;
        if (limit is not null && (!int.TryParse(limit, NumberStyles.None, CultureInfo.InvariantCulture, out take) || take is < 1 or > MaxLimit))
        {
            errors["limit"] = [$"A whole number from 1 to {MaxLimit}."];
        }

        if (errors.Count > 0)
        {
            return TypedResults.ValidationProblem(errors);
        }

        var rows = await db.SecurityEvents.AsNoTracking()
            .Where(e => e.Id > afterId)
            .OrderBy(e => e.Id)
            .Take(take)
            .ToListAsync(cancellationToken);
        return TypedResults.Ok(new SecurityEventPage([.. rows.Select(SecurityEventRecord.From)]));
    }
}

/// <summary>
/// The feed's token validation: identity's own (local server, token and session entries checked),
/// with one more audience on this path only. Client tokens for <c>audit:read</c> are issued for the
/// gateway (<see cref="ApiScopes.AudienceOf"/>); every other route keeps accepting <c>identity</c> only.
/// </summary>
internal static class SecurityEventFeedAudience
{
    public static OpenIddictValidationHandlerDescriptor Descriptor { get; } =
        OpenIddictValidationHandlerDescriptor.CreateBuilder<ValidateTokenContext>()
            .UseInlineHandler(context =>
            {
                if (context.Transaction.GetHttpRequest() is { } request && request.Path.Equals(SecurityEventFeed.Path, StringComparison.OrdinalIgnoreCase))
                {
                    context.ValidAudiences.Add(ApiScopes.GatewayAudience);
                }

                return default;
            })
            .SetOrder(OpenIddictValidationHandlers.Protection.ValidateAudiences.Descriptor.Order - 500)
            .SetType(OpenIddictValidationHandlerType.Custom)
            .Build();
}

internal sealed record SecurityEventPage(IReadOnlyList<SecurityEventRecord> Events);

/// <summary>One outbox row on the wire. Ids only: never a password, token, secret or email.</summary>
internal sealed record SecurityEventRecord(
    long Id,
    DateTime Time,
    string Type,
    [property: JsonPropertyName("user_id")] string? UserId,
    [property: JsonPropertyName("client_id")] string? ClientId,
    [property: JsonPropertyName("client_ip")] string? ClientIp,
    [property: JsonPropertyName("session_id")] string? SessionId,
    string Outcome,
    string? Reason)
{
    // A UTC DateTime serializes with "Z", the plainest ISO 8601 form for a consumer in any language.
    public static SecurityEventRecord From(SecurityEvent e) =>
        new(e.Id, e.Time.UtcDateTime, e.Type, e.UserId, e.ClientId, e.ClientIp, e.SessionId, e.Outcome, e.Reason);
}
