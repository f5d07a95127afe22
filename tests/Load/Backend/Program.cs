// The load harness's stand-in for Trading.Api: a fixed quote, /health and /alive (which the gateway
// probes), nothing else, so the rows of the table differ only by what sits in front of it.
// Address from ASPNETCORE_URLS.
var builder = WebApplication.CreateSlimBuilder(args);
builder.Logging.ClearProviders();
var app = builder.Build();

var quote = """{"symbol":"AAPL","bid":189.92,"ask":189.95,"currency":"USD","at":"2026-01-02T15:04:05Z"}"""u8.ToArray();

app.MapGet("/health", () => Results.Ok(new { status = "healthy" }));
app.MapGet("/alive", () => Results.Ok(new { status = "healthy" }));
app.MapGet("/api/v1/trading/quotes/{symbol}", () => Results.Bytes(quote, "application/json"));

app.Run();
