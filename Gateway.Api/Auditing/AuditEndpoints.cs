using System.Data.Common;
using System.Globalization;
using Gateway.Api.Auth;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Mvc;
using Microsoft.EntityFrameworkCore;

namespace Gateway.Api.Auditing;

/// <summary>The gateway's own admin routes over the audit store; not proxied.</summary>
internal static class AuditEndpoints
{
    public const int MaxLimit = 100;
    public const int DefaultLimit = 50;

    public static RouteGroupBuilder MapAuditEndpoints(this IEndpointRouteBuilder routes)
    {
        var group = routes.MapGroup("/api/v1/admin/audit")
            .RequireAuthorization(EdgeAuthentication.AdminOrAuditor)
            .WithTags("Audit");
        group.MapGet(string.Empty, ListAsync).WithName("ListAuditRecords").Produces<AuditPage>();
        group.MapGet("/verify", VerifyAsync).WithName("VerifyAuditChain").Produces<AuditVerification>();
        return group;
    }

    /// <summary>Audit records, newest first; <c>next_cursor</c> continues after the last record of the page.</summary>
    public static async Task<Results<JsonHttpResult<AuditPage>, ValidationProblem, ProblemHttpResult>> ListAsync(
        [AsParameters] AuditQuery query, AuditDbContext db, CancellationToken cancellationToken)
    {
        if (query.Validate() is { Count: > 0 } errors)
        {
            return TypedResults.ValidationProblem(errors);
        }

        var records = db.Records.AsNoTracking();
        if (query.FromUtc is { } from)
        {
            records = records.Where(r => r.Time >= from);
        }

        if (query.ToUtc is { } to)
        {
            records = records.Where(r => r.Time < to);
        }

        if (!string.IsNullOrEmpty(query.User))
        {
            records = records.Where(r => r.Actor == query.User);
        }

        if (!string.IsNullOrEmpty(query.Route))
        {
            records = records.Where(r => r.Route == query.Route);
        }

        if (!string.IsNullOrEmpty(query.Outcome))
        {
            records = records.Where(r => r.Outcome == query.Outcome);
        }

        if (query.After is { } after)
        {
            records = records.Where(r => r.Id < after);
        }

        var limit = query.PageSize;
        try
        {
            var page = await records.OrderByDescending(r => r.Id).Take(limit + 1).ToListAsync(cancellationToken);
            var next = page.Count > limit ? page[limit - 1].Id.ToString(CultureInfo.InvariantCulture) : null;
            return TypedResults.Json(new AuditPage([.. page.Take(limit).Select(AuditRecordView.From)], next), AuditJson.Default.AuditPage);
        }
        catch (DbException)
        {
            return StoreUnavailable();
        }
    }

    /// <summary>Walks every hash chain and reports the first broken record.</summary>
    public static async Task<Results<JsonHttpResult<AuditVerification>, ProblemHttpResult>> VerifyAsync(
        AuditDbContext db, CancellationToken cancellationToken)
    {
        try
        {
            return TypedResults.Json(await AuditVerifier.VerifyAsync(db, cancellationToken), AuditJson.Default.AuditVerification);
        }
        catch (DbException)
        {
            return StoreUnavailable();
        }
    }

    private static ProblemHttpResult StoreUnavailable() => TypedResults.Problem(
        statusCode: StatusCodes.Status503ServiceUnavailable,
        detail: "The audit store cannot be read right now; retry shortly.");
}

/// <summary>The filters of <c>GET /api/v1/admin/audit</c>, read as text so that a bad value is a 400 problem.</summary>
internal sealed record AuditQuery(
    [property: FromQuery(Name = "from")] string? From,
    [property: FromQuery(Name = "to")] string? To,
    [property: FromQuery(Name = "user")] string? User,
    [property: FromQuery(Name = "route")] string? Route,
    [property: FromQuery(Name = "outcome")] string? Outcome,
    [property: FromQuery(Name = "limit")] string? Limit,
    [property: FromQuery(Name = "cursor")] string? Cursor)
{
    public DateTime? FromUtc => Time(From);

    public DateTime? ToUtc => Time(To);

    public long? After => long.TryParse(Cursor, NumberStyles.None, CultureInfo.InvariantCulture, out var id) && id > 0 ? id : null;

    public int PageSize => int.TryParse(Limit, NumberStyles.None, CultureInfo.InvariantCulture, out var n) ? n : AuditEndpoints.DefaultLimit;

    public Dictionary<string, string[]> Validate()
    {
        var errors = new Dictionary<string, string[]>(StringComparer.Ordinal);
        if (From is not null && FromUtc is null)
        {
            errors["from"] = ["Use an ISO 8601 date and time, e.g. 2026-01-31T09:00:00Z."];
        }

        if (To is not null && ToUtc is null)
        {
            errors["to"] = ["Use an ISO 8601 date and time, e.g. 2026-01-31T17:00:00Z."];
        }

        if (FromUtc > ToUtc)
        {
            errors["to"] = ["'to' must not be before 'from'."];
        }

        if (Outcome is not null && !AuditOutcomes.IsKnown(Outcome))
        {
            errors["outcome"] = ["One of allowed, denied, error."];
        }

        if (Limit is not null && (!int.TryParse(Limit, NumberStyles.None, CultureInfo.InvariantCulture, out var limit) || limit is < 1 or > AuditEndpoints.MaxLimit))
        {
            errors["limit"] = [$"A whole number from 1 to {AuditEndpoints.MaxLimit}."];
        }

        if (Cursor is not null && After is null)
        {
            errors["cursor"] = ["Pass back the next_cursor of a previous page."];
        }

        return errors;
    }

    private static DateTime? Time(string? value) =>
        DateTimeOffset.TryParse(value, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var time) ? time.UtcDateTime : null;
}
