using AppHost;
using Microsoft.Extensions.Configuration;

var builder = DistributedApplication.CreateBuilder(args);

// Resources: the shared cache (connection string, container or embedded server; see CacheResource.cs).
var cache = builder.AddCache("cache");

// Databases: connection strings, a PostgreSQL container or SQLite files (see DatabaseResource.cs).
var databases = builder.AddDatabases();

// Replicas of each service (1 by default): "Replicas=2" runs two of each, on the same databases and cache.
var replicas = builder.Configuration.GetValue("Replicas", 1);

// Secrets, generated on first run and kept in this AppHost's user-secrets (azd asks or generates them).
var accountNumberKey = builder.AddSecret("trading-account-number-key");
var signingKeySecret = builder.AddSecret("identity-key-secret");
var auditClientSecret = builder.AddSecret("gateway-audit-client-secret");
var auditCheckpointKey = builder.AddSecret("gateway-audit-checkpoint-key");
var demoPassword = builder.AddParameter("demo-user-password",
    new GenerateParameterDefault { MinLength = 20, MinLower = 2, MinUpper = 2, MinNumeric = 2, MinSpecial = 1 }, secret: true, persist: true);

// Services. Only the gateway is reachable from outside; it is the single public entry point.
var identity = builder.AddProject<Projects.Identity_Api>("identity")
    .WithReplicas(replicas)
    .WithReference(cache).WaitFor(cache)
    .WithDatabase(databases.Identity, databases)
    .WithEnvironment("Identity__Keys__Secret", signingKeySecret)
    .WithEnvironment("Identity__DemoUsers__Password", demoPassword)
    .WithEnvironment("Identity__Clients__0__ClientId", "gateway-audit")
    .WithEnvironment("Identity__Clients__0__ClientSecret", auditClientSecret)
    .WithEnvironment("Identity__Clients__0__Scopes", "audit:read")
    .WithHttpHealthCheck("/health");

var trading = builder.AddProject<Projects.Trading_Api>("trading")
    .WithReplicas(replicas)
    .WithReference(cache).WaitFor(cache)
    .WithDatabase(databases.Trading, databases)
    .WithReference(identity)
    .WithEnvironment("Trading__Encryption__ActiveKeyId", "k1")
    .WithEnvironment("Trading__Encryption__Keys__k1", accountNumberKey)
    .WithHttpHealthCheck("/health");

var gateway = builder.AddProject<Projects.Gateway_Api>("gateway")
    .WithReplicas(replicas)
    .WithReference(cache).WaitFor(cache)
    .WithDatabase(databases.Audit, databases)
    .WithReference(identity).WaitFor(identity)
    .WithReference(trading)
    .WithEnvironment("Gateway__Audit__IdentityClientSecret", auditClientSecret)
    .WithEnvironment("Gateway__Audit__CheckpointKey", auditCheckpointKey)
    .WithHttpHealthCheck("/health")
    .WithExternalHttpEndpoints()
    .BehindTheIngressWhenDeployed();

// The issuer in every token and in discovery is the gateway's public URL: clients only ever see the gateway.
identity.WithEnvironment("Identity__Issuer", gateway.PublicEndpoint());

builder.AnnounceWhenReady(gateway, demoPassword);

builder.Build().Run();
