using Trading.Api.Accounts;
using Trading.Api.Auth;
using Trading.Api.Data;
using Trading.Api.Http;
using Trading.Api.Market;
using Trading.Api.Orders;
using Trading.Api.Portfolio;

var builder = WebApplication.CreateBuilder(args);

builder.AddServiceDefaults();
builder.AddSharedCache();
builder.AddTradingJson();
builder.AddTradingData();
builder.AddTradingAuth();
builder.AddAccounts();
builder.AddMarket();
builder.AddOrders();

var app = builder.Build();

app.UseExceptionHandler();
app.UseStatusCodePages();
app.UseAuthentication();
app.UseAuthorization();

app.MapDefaultEndpoints();
app.MapOpenApi("/openapi/{documentName}.json");
app.MapAccounts();
app.MapQuotes();
app.MapOrders();
app.MapPortfolio();

app.Run();

/// <summary>Entry point, visible to WebApplicationFactory in the tests.</summary>
public partial class Program;
