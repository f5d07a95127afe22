using Gateway.Api.Auditing;
using Gateway.Api.Auth;
using Gateway.Api.Docs;
using Gateway.Api.Hardening;
using Gateway.Api.Health;
using Gateway.Api.Proxy;
using Gateway.Api.RateLimiting;

if (AuditCommand.Matches(args)) Environment.Exit(await AuditCommand.RunAsync(args, Console.Out, Console.Error));

var builder = WebApplication.CreateBuilder(args);

builder.AddServiceDefaults();
builder.AddSharedCache();
builder.AddEdgeHardening();
builder.AddEdgeAuthentication();
builder.AddDistributedRateLimiting();
builder.AddGatewayProxy();
builder.AddDownstreamHealth();
builder.AddAuditing();
builder.AddApiDocs();

var app = builder.Build();

// Outermost first: every response, errors and 429 included, leaves through the hardening layer.
app.UseEdgeHardening();
app.UseAuditing();
app.UseExceptionHandler();
app.UseStatusCodePages();
app.UseCors();
app.UseAuthentication();
app.UseRevocation();
app.UseDistributedRateLimiting();
app.UseAuthorization();
app.UseRequestTimeouts();

app.MapDefaultEndpoints();
app.MapServiceInfo();
app.MapAuditEndpoints();
app.MapApiDocs();
app.MapGatewayProxy();

app.Run();

/// <summary>Entry point, visible to WebApplicationFactory in the tests.</summary>
public partial class Program;
