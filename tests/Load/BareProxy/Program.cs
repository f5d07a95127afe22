using Yarp.ReverseProxy.Configuration;

// The baseline of the load harness: the same YARP as Gateway.Api, one catch-all route to one
// destination (BACKEND_ADDRESS), no authentication, limits, audit or headers. Address from ASPNETCORE_URLS.
var builder = WebApplication.CreateSlimBuilder(args);
builder.Logging.ClearProviders();
var backend = builder.Configuration["BACKEND_ADDRESS"]
    ?? throw new InvalidOperationException("Set BACKEND_ADDRESS to the backend's base address.");
builder.Services.AddReverseProxy().LoadFromMemory(
    [new RouteConfig { RouteId = "all", ClusterId = "backend", Match = new RouteMatch { Path = "/{**rest}" } }],
    [new ClusterConfig { ClusterId = "backend", Destinations = new Dictionary<string, DestinationConfig> { ["primary"] = new() { Address = backend } } }]);

var app = builder.Build();
app.MapReverseProxy();
app.Run();
