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
        group.MapGet("/verify", VerifyAsync).WithName("VerifyAuditLog").Produces<AuditVerification>();
        group.MapGet("/checkpoint", CheckpointAsync).WithName("GetAuditCheckpoint").Produces<CheckpointView>();
        group.MapGet("/proof/inclusion", InclusionAsync).WithName("GetAuditInclusionProof").Produces<InclusionProof>();
        group.MapGet("/proof/consistency", ConsistencyAsync).WithName("GetAuditConsistencyProof").Produces<ConsistencyProof>();
        routes.MapGet(LogKeyPath, (CheckpointSigner signer) => TypedResults.Json(LogKey.From(signer), AuditJson.Default.LogKey))
            .AllowAnonymous()
            .WithTags("Audit")
            .WithName("GetAuditLogKey")
            .Produces<LogKey>();
        return group;
    }

    /// <summary>Where anyone fetches the key checkpoints are signed with.</summary>
    public const string LogKeyPath = "/.well-known/audit-log-key";

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

    /// <summary>Rebuilds the whole log and checks it against every checkpoint, in the store and outside it.</summary>
    public static async Task<Results<JsonHttpResult<AuditVerification>, ProblemHttpResult>> VerifyAsync(
        AuditDbContext db, CheckpointSigner signer, CheckpointCopies copies, CancellationToken cancellationToken)
    {
        try
        {
            var outside = await copies.ReadAsync();
            return TypedResults.Json(await AuditVerifier.VerifyAsync(db, signer.PublicKey, outside, cancellationToken), AuditJson.Default.AuditVerification);
        }
        catch (DbException)
        {
            return StoreUnavailable();
        }
    }

    /// <summary>The latest signed checkpoint.</summary>
    public static async Task<Results<JsonHttpResult<CheckpointView>, ProblemHttpResult>> CheckpointAsync(
        AuditDbContext db, CheckpointSigner signer, CancellationToken cancellationToken)
    {
        try
        {
            return await new LogReader(db).LatestCheckpointAsync(cancellationToken) is { } checkpoint
                ? TypedResults.Json(CheckpointView.From(checkpoint, signer.PublicKey), AuditJson.Default.CheckpointView)
                : NotYet("The log has no checkpoint yet.");
        }
        catch (DbException)
        {
            return StoreUnavailable();
        }
    }

    /// <summary>
    /// The audit path of a leaf, named by index or by leaf hash and time (an <c>Audit-Receipt</c>),
    /// to the tree of size <c>size</c>; without a size, to the first checkpoint that covers the leaf.
    /// </summary>
    public static async Task<Results<JsonHttpResult<InclusionProof>, ValidationProblem, ProblemHttpResult>> InclusionAsync(
        [AsParameters] InclusionQuery query, AuditDbContext db, CheckpointSigner signer, CancellationToken cancellationToken)
    {
        if (query.Validate() is { Count: > 0 } errors)
        {
            return TypedResults.ValidationProblem(errors);
        }

        try
        {
            var log = new LogReader(db);
            var leaf = query.LeafIndex ?? await log.LeafIndexOfAsync(query.LeafHashValue!, query.TimeValue!.Value, cancellationToken);
            if (leaf is not { } index)
            {
                return NotYet("No leaf has this hash and time yet. A record joins the log within the group-commit interval of its response, or, while the audit store is unavailable, once it returns.");
            }

            var size = await log.SizeAsync(cancellationToken);
            var checkpoint = query.TreeSize is { } wanted ? await log.CheckpointAsync(wanted, cancellationToken) : await log.CheckpointCoveringAsync(index, cancellationToken);
            var treeSize = query.TreeSize ?? checkpoint?.TreeSize;
            if (treeSize is null)
            {
                return NotYet($"No checkpoint covers leaf {index} yet; one follows within the checkpoint interval.");
            }

            if (index >= treeSize || treeSize > size)
            {
                return TypedResults.ValidationProblem(new Dictionary<string, string[]>(StringComparer.Ordinal)
                {
                    ["size"] = [$"Must be greater than the leaf index ({index}) and at most the log's size ({size})."],
                });
            }

            var path = await log.InclusionProofAsync(index, treeSize.Value, cancellationToken);
            var leafHash = await log.LeafHashAsync(index, cancellationToken);
            return TypedResults.Json(
                new InclusionProof(signer.LogId, index, treeSize.Value, leafHash, path, checkpoint is null ? null : CheckpointView.From(checkpoint, signer.PublicKey)),
                AuditJson.Default.InclusionProof);
        }
        catch (DbException)
        {
            return StoreUnavailable();
        }
        catch (LogIncompleteException ex)
        {
            return LogIncomplete(ex);
        }
    }

    /// <summary>The proof that the tree of size <c>from</c> is a prefix of the tree of size <c>to</c>.</summary>
    public static async Task<Results<JsonHttpResult<ConsistencyProof>, ValidationProblem, ProblemHttpResult>> ConsistencyAsync(
        [AsParameters] ConsistencyQuery query, AuditDbContext db, CheckpointSigner signer, CancellationToken cancellationToken)
    {
        if (query.Validate() is { Count: > 0 } errors)
        {
            return TypedResults.ValidationProblem(errors);
        }

        try
        {
            var log = new LogReader(db);
            var size = await log.SizeAsync(cancellationToken);
            if (query.Second > size)
            {
                return TypedResults.ValidationProblem(new Dictionary<string, string[]>(StringComparer.Ordinal)
                {
                    ["to"] = [$"At most the log's size ({size})."],
                });
            }

            var proof = await log.ConsistencyProofAsync(query.First!.Value, query.Second!.Value, cancellationToken);
            return TypedResults.Json(new ConsistencyProof(signer.LogId, query.First.Value, query.Second.Value, proof), AuditJson.Default.ConsistencyProof);
        }
        catch (DbException)
        {
            return StoreUnavailable();
        }
        catch (LogIncompleteException ex)
        {
            return LogIncomplete(ex);
        }
    }

    private static ProblemHttpResult NotYet(string detail) => TypedResults.Problem(statusCode: StatusCodes.Status404NotFound, detail: detail);

    private static ProblemHttpResult LogIncomplete(LogIncompleteException exception) =>
        TypedResults.Problem(statusCode: StatusCodes.Status409Conflict, detail: exception.Message);

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

/// <summary>The query of <c>GET /api/v1/admin/audit/proof/inclusion</c>: <c>leaf</c>, or <c>leaf_hash</c> with <c>time</c> (a receipt), and an optional <c>size</c>.</summary>
internal sealed record InclusionQuery(
    [property: FromQuery(Name = "leaf")] string? Leaf,
    [property: FromQuery(Name = "leaf_hash")] string? LeafHash,
    [property: FromQuery(Name = "time")] string? Time,
    [property: FromQuery(Name = "size")] string? Size)
{
    public DateTime? TimeValue => AuditLeaf.ParseTime(Time);

    public long? LeafIndex => ProofNumbers.Parse(Leaf, minimum: 0);

    public string? LeafHashValue => LeafHash is { Length: 64 } hex && hex.All(char.IsAsciiHexDigit) ? hex.ToLowerInvariant() : null;

    public long? TreeSize => ProofNumbers.Parse(Size, minimum: 1);

    public Dictionary<string, string[]> Validate()
    {
        var errors = new Dictionary<string, string[]>(StringComparer.Ordinal);
        if ((Leaf is null) == (LeafHash is null))
        {
            errors["leaf"] = ["Name the leaf by 'leaf' (its index) or by 'leaf_hash' (from an Audit-Receipt), not both."];
        }
        else if (Leaf is not null && LeafIndex is null)
        {
            errors["leaf"] = ["A whole number, 0 or more."];
        }
        else if (LeafHash is not null && LeafHashValue is null)
        {
            errors["leaf_hash"] = ["64 hexadecimal digits."];
        }

        if ((Time is not null || LeafHash is not null) && TimeValue is null)
        {
            errors["time"] = ["With leaf_hash, the receipt's time as it gave it: yyyy-MM-ddTHH:mm:ss.ffffffZ."];
        }

        if (Size is not null && TreeSize is null)
        {
            errors["size"] = ["A whole number, 1 or more."];
        }

        return errors;
    }
}

/// <summary>The query of <c>GET /api/v1/admin/audit/proof/consistency</c>.</summary>
internal sealed record ConsistencyQuery(
    [property: FromQuery(Name = "from")] string? From,
    [property: FromQuery(Name = "to")] string? To)
{
    public long? First => ProofNumbers.Parse(From, minimum: 0);

    public long? Second => ProofNumbers.Parse(To, minimum: 1);

    public Dictionary<string, string[]> Validate()
    {
        var errors = new Dictionary<string, string[]>(StringComparer.Ordinal);
        if (First is null)
        {
            errors["from"] = ["A tree size: a whole number, 0 or more."];
        }

        if (Second is null)
        {
            errors["to"] = ["A tree size: a whole number, 1 or more."];
        }
        else if (First > Second)
        {
            errors["to"] = ["Must not be smaller than 'from'."];
        }

        return errors;
    }
}

internal static class ProofNumbers
{
    public static long? Parse(string? value, long minimum) =>
        long.TryParse(value, NumberStyles.None, CultureInfo.InvariantCulture, out var number) && number >= minimum ? number : null;
}
