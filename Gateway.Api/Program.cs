using Gateway.Api.Health;
using Gateway.Api.Proxy;

var builder = WebApplication.CreateBuilder(args);

builder.AddServiceDefaults();
builder.AddSharedCache();
builder.AddGatewayProxy();
builder.AddDownstreamHealth();

var app = builder.Build();

app.UseExceptionHandler();
app.UseStatusCodePages();

app.MapDefaultEndpoints();
app.MapServiceInfo();
app.MapGatewayProxy();

app.Run();

/// <summary>Entry point, visible to WebApplicationFactory in the tests.</summary>
public partial class Program;
