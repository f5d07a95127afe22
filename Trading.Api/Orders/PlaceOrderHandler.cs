using System.Diagnostics;
using System.Text.Json;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.OpenApi;
using Microsoft.EntityFrameworkCore;
using Microsoft.OpenApi;
using Trading.Api.Auth;
using Trading.Api.Data;
using Trading.Api.Http;

namespace Trading.Api.Orders;

/// <summary>
/// <c>POST /api/v1/trading/orders</c>: validate, then claim the caller's idempotency key, then
/// place. The first response (201, or a 422 for funds or position) is stored with the order in
/// the database and in the cache, and every later request with that key gets it back unchanged.
/// Validation failures are not stored: the client fixes the request and may reuse the key.
/// </summary>
internal static class PlaceOrderHandler
{
    public const string IdempotencyHeader = "Idempotency-Key";
    public const string ReplayedHeader = "Idempotent-Replayed";

    // What ReadKey accepts, for the OpenAPI document: 1 to 255 printable ASCII characters.
    private const int MaxKeyLength = 255;
    private const string KeyPattern = @"^[\x20-\x7E]+$";

    /// <summary>Declares the <c>Idempotency-Key</c> header the handler reads itself, with the rule it applies.</summary>
    public static Task DescribeIdempotencyKey(OpenApiOperation operation, OpenApiOperationTransformerContext context, CancellationToken cancellationToken)
    {
        operation.Parameters ??= [];
        operation.Parameters.Add(new OpenApiParameter
        {
            Name = IdempotencyHeader,
            In = ParameterLocation.Header,
            Required = true,
            Description = "Chosen by the client, one per order: the same key with the same body returns the first response again "
                + "(header Idempotent-Replayed: true), with another body 422, while the first request still runs 409. "
                + "Scoped to the caller and kept 24 hours. 1 to 255 printable ASCII characters.",
            Schema = new OpenApiSchema { Type = JsonSchemaType.String, MinLength = 1, MaxLength = MaxKeyLength, Pattern = KeyPattern },
        });
        return Task.CompletedTask;
    }

    public static async Task<Results<ContentHttpResult, ProblemHttpResult>> PlaceAsync(
        HttpContext context, JsonBody json, IdempotencyCache cache, OrderBook book, TradingDbContext db, CancellationToken cancellationToken)
    {
        var caller = Caller.From(context.User);
        if (ReadKey(context.Request) is not { } key)
        {
            return Problems.BadRequest("invalid_idempotency_key", $"The {IdempotencyHeader} header is required: 1 to 255 printable ASCII characters.");
        }

        var (body, malformed) = await json.ReadAsync<OrderRequest>(context.Request);
        if (malformed is not null)
        {
            return malformed;
        }

        var (order, errors) = OrderValidation.Validate(body!);
        if (order is null)
        {
            return Problems.Validation(errors);
        }

        var fingerprint = order.Fingerprint();
        var (state, cached) = await cache.BeginAsync(caller.Id, key, fingerprint);
        switch (state)
        {
            case IdempotencyState.Replay:
                return Replay(context, cached!);
            case IdempotencyState.InFlight:
                return Problems.Conflict("idempotency_key_in_flight", "A request with this Idempotency-Key is still being processed; retry after it completes.");
            case IdempotencyState.Mismatch:
                return KeyReused();
        }

        try
        {
            if (await FindStoredAsync(db, caller.Id, key, cancellationToken) is { } stored)
            {
                await cache.CompleteAsync(caller.Id, key, stored);
                return stored.Fingerprint == fingerprint ? Replay(context, stored) : KeyReused();
            }

            var response = await PlaceNewAsync(context, caller, key, order, fingerprint, book, db, json.SerializerOptions, cancellationToken);
            if (response is null)
            {
                await cache.AbandonAsync(caller.Id, key);
                return Problems.Field("account_id", "No account with this id belongs to the caller.");
            }

            await cache.CompleteAsync(caller.Id, key, response);
            return Respond(context, response);
        }
        catch (DbUpdateException) when (state == IdempotencyState.CacheUnavailable)
        {
            // Without the cache's lock, a concurrent request with the same key can win the unique
            // (owner, key) first: answer with its response.
            var concurrent = await FindStoredAsync(db, caller.Id, key, cancellationToken) ?? throw new InvalidOperationException("The order could not be stored.");
            return concurrent.Fingerprint == fingerprint ? Replay(context, concurrent) : KeyReused();
        }
        catch
        {
            await cache.AbandonAsync(caller.Id, key);
            throw;
        }
    }

    private static async Task<StoredResponse?> PlaceNewAsync(
        HttpContext context, Caller caller, string key, ValidOrder order, string fingerprint, OrderBook book, TradingDbContext db,
        JsonSerializerOptions serializer, CancellationToken cancellationToken)
    {
        StoredResponse? response = null;
        var (placed, rejection) = await book.PlaceAsync(caller.Id, order, key, created =>
        {
            response = new StoredResponse(fingerprint, StatusCodes.Status201Created, "application/json",
                JsonSerializer.Serialize(OrderResponse.From(created), serializer), $"/api/v1/trading/orders/{created.Id}");
            return Record(caller.Id, key, response, created.CreatedAt);
        }, cancellationToken);

        switch (rejection)
        {
            case Rejection.None:
                return response;
            case Rejection.AccountNotOwned:
                return null;
        }

        var (code, title, detail) = rejection == Rejection.InsufficientFunds
            ? ("insufficient_funds", "Insufficient funds", "The order costs more than the account's available cash.")
            : ("insufficient_position", "Insufficient position", "The order sells more than the position available to sell.");
        var problem = Problems.Unprocessable(code, title, detail).ProblemDetails;
        problem.Instance = context.Request.Path;
        problem.Extensions["traceId"] = Activity.Current?.TraceId.ToString() ?? context.TraceIdentifier;
        response = new StoredResponse(fingerprint, problem.Status!.Value, "application/problem+json", JsonSerializer.Serialize(problem, serializer), null);
        db.IdempotencyRecords.Add(Record(caller.Id, key, response, DateTime.UtcNow));
        await db.SaveChangesAsync(cancellationToken);
        return response;
    }

    private static IdempotencyRecord Record(string ownerId, string key, StoredResponse response, DateTime at) => new()
    {
        OwnerId = ownerId,
        Key = key,
        Fingerprint = response.Fingerprint,
        StatusCode = response.StatusCode,
        ContentType = response.ContentType,
        Body = response.Body,
        Location = response.Location,
        CreatedAt = at,
    };

    private static async Task<StoredResponse?> FindStoredAsync(TradingDbContext db, string ownerId, string key, CancellationToken cancellationToken)
    {
        db.ChangeTracker.Clear();
        var record = await db.IdempotencyRecords.AsNoTracking().SingleOrDefaultAsync(r => r.OwnerId == ownerId && r.Key == key, cancellationToken);
        return record is null ? null : new StoredResponse(record.Fingerprint, record.StatusCode, record.ContentType, record.Body, record.Location);
    }

    private static ContentHttpResult Replay(HttpContext context, StoredResponse stored)
    {
        context.Response.Headers[ReplayedHeader] = "true";
        return Respond(context, stored);
    }

    private static ContentHttpResult Respond(HttpContext context, StoredResponse stored)
    {
        if (stored.Location is not null)
        {
            context.Response.Headers.Location = stored.Location;
        }

        return TypedResults.Text(stored.Body, stored.ContentType, System.Text.Encoding.UTF8, stored.StatusCode);
    }

    private static ProblemHttpResult KeyReused() => Problems.Unprocessable("idempotency_key_reused", "Idempotency-Key reused",
        "This Idempotency-Key was already used with a different request body.");

    /// <summary>1–255 printable ASCII characters, exactly one header value.</summary>
    private static string? ReadKey(HttpRequest request)
    {
        var values = request.Headers[IdempotencyHeader];
        if (values.Count != 1 || values[0] is not { Length: >= 1 and <= MaxKeyLength } key)
        {
            return null;
        }

        return key.All(c => c is >= ' ' and <= '~') ? key : null;
    }
}
