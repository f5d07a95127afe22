using AppHost;

var builder = DistributedApplication.CreateBuilder(args);

// Resources: the shared cache (connection string, container or embedded server; see CacheResource.cs).
var cache = builder.AddCache("cache");

// Secrets, generated on first run and kept in this AppHost's user-secrets (azd asks or generates them).
var accountNumberKey = builder.AddParameter("trading-account-number-key",
    new GenerateParameterDefault { MinLength = 44, Special = false }, secret: true, persist: true);

// Services. Only the gateway is reachable from outside; it is the single public entry point.
var identity = builder.AddProject<Projects.Identity_Api>("identity")
    .WithReference(cache).WaitFor(cache)
    .WithHttpHealthCheck("/health");

var trading = builder.AddProject<Projects.Trading_Api>("trading")
    .WithReference(cache).WaitFor(cache)
    .WithReference(identity)
    .WithEnvironment("Trading__Encryption__ActiveKeyId", "k1")
    .WithEnvironment("Trading__Encryption__Keys__k1", accountNumberKey)
    .WithHttpHealthCheck("/health");

var gateway = builder.AddProject<Projects.Gateway_Api>("gateway")
    .WithReference(cache).WaitFor(cache)
    .WithReference(identity).WaitFor(identity)
    .WithReference(trading)
    .WithHttpHealthCheck("/health")
    .WithExternalHttpEndpoints();

builder.AnnounceWhenReady(gateway);

builder.Build().Run();
