using System.Globalization;
using System.Text;
using System.Text.Json;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;
using Trading.Api.Auth;
using Trading.Api.Data;
using Trading.Api.Http;

namespace Trading.Api.Orders;

internal static class OrdersEndpoints
{
    public const int MaxPageSize = 100;

    public static IHostApplicationBuilder AddOrders(this IHostApplicationBuilder builder)
    {
        builder.Services.AddOptions<MatcherOptions>().BindConfiguration(MatcherOptions.Section).ValidateDataAnnotations().ValidateOnStart();
        builder.Services.AddSingleton<AccountLocks>();
        builder.Services.AddSingleton<IdempotencyCache>();
        builder.Services.AddSingleton<JsonBody>();
        builder.Services.AddScoped<OrderBook>();
        builder.Services.AddSingleton<OrderMatcher>();
        builder.Services.AddHostedService(services => services.GetRequiredService<OrderMatcher>());
        return builder;
    }

    public static RouteGroupBuilder MapOrders(this IEndpointRouteBuilder routes)
    {
        var group = routes.MapGroup("/api/v1/trading/orders").WithTags("Trading");
        group.MapGet("/", ListAsync).RequireAuthorization(TradingPolicies.ReadOrders)
            .WithSummary("The caller's orders (an auditor: everyone's), newest first.");
        group.MapGet("/{id}", GetAsync).RequireAuthorization(TradingPolicies.ReadOrders);
        group.MapDelete("/{id}", CancelAsync).RequireAuthorization(TradingPolicies.Write)
            .WithSummary("Cancels an open order; 409 when it is already filled, cancelled, rejected or expired.");
        group.MapPost("/", PlaceOrderHandler.PlaceAsync).RequireAuthorization(TradingPolicies.Write)
            .Accepts<OrderRequest>("application/json")
            .Produces<OrderResponse>(StatusCodes.Status201Created)
            .ProducesProblem(StatusCodes.Status400BadRequest)
            .ProducesProblem(StatusCodes.Status409Conflict)
            .ProducesProblem(StatusCodes.Status415UnsupportedMediaType)
            .ProducesValidationProblem(StatusCodes.Status422UnprocessableEntity)
            .AddOpenApiOperationTransformer(PlaceOrderHandler.DescribeIdempotencyKey)
            .WithSummary("Places an order; the Idempotency-Key header makes a retry safe.");
        return group;
    }

    internal static async Task<Results<Ok<OrdersPage>, ProblemHttpResult>> ListAsync(
        HttpContext context, TradingDbContext db, int? limit, string? cursor, CancellationToken cancellationToken)
    {
        var caller = Caller.From(context.User);
        var size = limit ?? 50;
        if (size is < 1 or > MaxPageSize)
        {
            return Problems.BadRequest("invalid_limit", $"limit must be between 1 and {MaxPageSize}.");
        }

        long? before = null;
        if (cursor is not null)
        {
            if (DecodeCursor(cursor) is not { } decoded)
            {
                return Problems.BadRequest("invalid_cursor", "cursor is not one this API returned.");
            }

            before = decoded;
        }

        var query = db.Orders.AsNoTracking();
        if (!caller.ReadsEverything)
        {
            query = query.Where(o => o.OwnerId == caller.Id);
        }

        if (before is not null)
        {
            query = query.Where(o => o.Sequence < before);
        }

        var page = await query.OrderByDescending(o => o.Sequence).Take(size + 1).ToListAsync(cancellationToken);
        var next = page.Count > size ? EncodeCursor(page[size - 1].Sequence) : null;
        return TypedResults.Ok(new OrdersPage(page.Take(size).Select(OrderResponse.From).ToList(), next));
    }

    internal static async Task<Results<Ok<OrderResponse>, ProblemHttpResult>> GetAsync(
        HttpContext context, TradingDbContext db, Guid id, CancellationToken cancellationToken)
    {
        var caller = Caller.From(context.User);
        // Another user's order is indistinguishable from one that does not exist.
        var order = await db.Orders.AsNoTracking()
            .SingleOrDefaultAsync(o => o.Id == id && (caller.ReadsEverything || o.OwnerId == caller.Id), cancellationToken);
        return order is null ? Problems.NotFound("No order with this id.") : TypedResults.Ok(OrderResponse.From(order));
    }

    internal static async Task<Results<Ok<OrderResponse>, ProblemHttpResult>> CancelAsync(
        HttpContext context, OrderBook book, Guid id, CancellationToken cancellationToken)
    {
        var caller = Caller.From(context.User);
        return await book.CancelAsync(caller.Id, id, cancellationToken) switch
        {
            null => Problems.NotFound("No order with this id."),
            ({ } order, true) => TypedResults.Ok(OrderResponse.From(order)),
            ({ } order, false) => Problems.Conflict("order_not_open",
                $"The order is {JsonNamingPolicy.SnakeCaseLower.ConvertName(order.Status.ToString())} and can no longer be cancelled."),
        };
    }

    private static string EncodeCursor(long sequence) =>
        Convert.ToBase64String(Encoding.UTF8.GetBytes(sequence.ToString(CultureInfo.InvariantCulture)));

    private static long? DecodeCursor(string cursor)
    {
        Span<byte> buffer = stackalloc byte[64];
        return Convert.TryFromBase64String(cursor, buffer, out var length)
            && long.TryParse(Encoding.UTF8.GetString(buffer[..length]), NumberStyles.None, CultureInfo.InvariantCulture, out var sequence)
            ? sequence
            : null;
    }
}
