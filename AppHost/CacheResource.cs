using System.Net;
using System.Net.Sockets;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;

namespace AppHost;

/// <summary>Where the shared cache comes from; <c>Cache:Source</c> overrides the automatic choice.</summary>
internal enum CacheSource
{
    Auto,
    ConnectionString,
    Container,
    Embedded,
}

internal static class CacheResourceExtensions
{
    /// <summary>
    /// The cache, from the first source that is available: a configured connection string
    /// (<c>ConnectionStrings:cache</c>), a Redis container when a container runtime answers, else a
    /// Redis-protocol server (Garnet) embedded in this AppHost. Publishing (azd) always emits the
    /// Redis container, the only one of the three Azure Container Apps can run.
    /// </summary>
    public static IResourceBuilder<IResourceWithConnectionString> AddCache(this IDistributedApplicationBuilder builder, string name)
    {
        var source = ChooseSource(builder, name);
        Console.WriteLine($"Cache '{name}': {Describe(source)}");
        return source switch
        {
            CacheSource.ConnectionString => builder.AddConnectionString(name),
            CacheSource.Container => builder.AddRedis(name),
            _ => builder.AddEmbeddedCache(name),
        };
    }

    private static CacheSource ChooseSource(IDistributedApplicationBuilder builder, string name)
    {
        if (builder.ExecutionContext.IsPublishMode)
        {
            return CacheSource.Container;
        }

        var configured = builder.Configuration.GetValue("Cache:Source", CacheSource.Auto);
        if (configured != CacheSource.Auto)
        {
            return configured;
        }

        if (!string.IsNullOrWhiteSpace(builder.Configuration.GetConnectionString(name)))
        {
            return CacheSource.ConnectionString;
        }

        return ContainerRuntime.Answers(builder.Configuration) ? CacheSource.Container : CacheSource.Embedded;
    }

    private static string Describe(CacheSource source) => source switch
    {
        CacheSource.ConnectionString => "the configured connection string ConnectionStrings:cache",
        CacheSource.Container => "a Redis container",
        _ => "the embedded Redis-protocol server (Garnet) inside the AppHost; no container runtime answered",
    };

    private static IResourceBuilder<EmbeddedCacheResource> AddEmbeddedCache(this IDistributedApplicationBuilder builder, string name)
    {
        var port = builder.Configuration.GetValue("Cache:EmbeddedPort", 0);
        var resource = new EmbeddedCacheResource(name, port > 0 ? port : FreeLoopbackPort());
        builder.Services.AddSingleton(new EmbeddedCacheServer(resource));

        var healthCheckKey = $"{name}-ping";
        builder.Services.AddHealthChecks().AddRedis(resource.ConnectionString, name: healthCheckKey);

        builder.Eventing.Subscribe<BeforeStartEvent>(async (e, ct) =>
        {
            var server = e.Services.GetRequiredService<EmbeddedCacheServer>();
            await server.StartAsync(e.Services.GetRequiredService<ResourceNotificationService>()).ConfigureAwait(false);
        });

        return builder.AddResource(resource)
            .WithInitialState(new CustomResourceSnapshot
            {
                ResourceType = "Garnet (embedded)",
                State = KnownResourceStates.Starting,
                Properties = [new("cache.source", "embedded"), new("cache.endpoint", resource.ConnectionString)],
            })
            .WithHealthCheck(healthCheckKey)
            .WithCommand(EmbeddedCacheServer.StopCommand, "Stop", async context =>
            {
                await context.Services.GetRequiredService<EmbeddedCacheServer>()
                    .StopAsync(context.Services.GetRequiredService<ResourceNotificationService>()).ConfigureAwait(false);
                return CommandResults.Success();
            }, new CommandOptions { IconName = "Stop" })
            .WithCommand(EmbeddedCacheServer.StartCommand, "Start", async context =>
            {
                await context.Services.GetRequiredService<EmbeddedCacheServer>()
                    .StartAsync(context.Services.GetRequiredService<ResourceNotificationService>()).ConfigureAwait(false);
                return CommandResults.Success();
            }, new CommandOptions { IconName = "Play" });
    }

    private static int FreeLoopbackPort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}
