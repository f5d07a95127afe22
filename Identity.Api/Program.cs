using Identity.Api.Data;
using Identity.Api.Docs;
using Identity.Api.Events;
using Identity.Api.Keys;
using Identity.Api.Sessions;
using Identity.Api.Tokens;
using Identity.Api.Users;
using Microsoft.AspNetCore.HttpOverrides;
using Microsoft.Extensions.DependencyInjection.Extensions;

var builder = WebApplication.CreateBuilder(args);

builder.AddServiceDefaults();
builder.AddSharedCache();
builder.Services.TryAddSingleton(TimeProvider.System);

// Order matters for start-up: the schema first, then keys, clients and users.
builder.AddIdentityDatabase();
builder.AddKeys();
builder.AddTokens();
builder.AddSessions();
builder.AddUsers();
builder.AddSecurityEvents();
builder.AddApiDocs();

var app = builder.Build();

// Security events record the caller's IP; only a proxy on loopback (the default) is trusted to say it.
app.UseForwardedHeaders(new ForwardedHeadersOptions { ForwardedHeaders = ForwardedHeaders.XForwardedFor });
app.UseExceptionHandler();
app.UseStatusCodePages();
app.UseAuthentication();
app.UseAuthorization();

app.MapDefaultEndpoints();
app.MapApiDocs();
app.MapTokens();
app.MapSessions();
app.MapUsers();
app.MapSecurityEvents();

app.Run();

/// <summary>Entry point, visible to WebApplicationFactory in the tests.</summary>
public partial class Program;
