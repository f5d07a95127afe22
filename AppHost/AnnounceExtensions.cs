using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace AppHost;

internal static partial class AnnounceExtensions
{
    /// <summary>Prints the gateway's URL once it is healthy, next to the dashboard URL Aspire prints.</summary>
    public static void AnnounceWhenReady(this IDistributedApplicationBuilder builder, IResourceBuilder<ProjectResource> gateway)
    {
        builder.Eventing.Subscribe<ResourceReadyEvent>(gateway.Resource, (e, _) =>
        {
            var logger = e.Services.GetRequiredService<ILoggerFactory>().CreateLogger("AppHost");
            foreach (var endpoint in gateway.Resource.GetEndpoints())
            {
                LogGatewayReady(logger, endpoint.Url);
            }

            return Task.CompletedTask;
        });
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Gateway ready at {Url} (try {Url}/health)")]
    private static partial void LogGatewayReady(ILogger logger, string url);
}
