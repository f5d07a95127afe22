using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace AppHost;

internal static partial class AnnounceExtensions
{
    /// <summary>
    /// A secret parameter: 44 random letters and digits (also valid base64 of 33 bytes), generated
    /// on first run and kept in the AppHost's user-secrets so data sealed with it stays readable.
    /// </summary>
    public static IResourceBuilder<ParameterResource> AddSecret(this IDistributedApplicationBuilder builder, string name) =>
        builder.AddParameter(name, new GenerateParameterDefault { MinLength = 44, Special = false }, secret: true, persist: true);

    /// <summary>Prints the gateway's URL once it is healthy, next to the dashboard URL Aspire prints.</summary>
    public static void AnnounceWhenReady(this IDistributedApplicationBuilder builder, IResourceBuilder<ProjectResource> gateway, IResourceBuilder<ParameterResource> demoPassword)
    {
        builder.Eventing.Subscribe<ResourceReadyEvent>(gateway.Resource, (e, _) =>
        {
            var logger = e.Services.GetRequiredService<ILoggerFactory>().CreateLogger("AppHost");
            foreach (var endpoint in gateway.Resource.GetEndpoints())
            {
                LogGatewayReady(logger, endpoint.Url);
            }

            if (builder.Environment.IsDevelopment())
            {
                LogDemoUsers(logger, demoPassword.Resource.Name);
            }

            return Task.CompletedTask;
        });
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Demo users admin@example.com, trader@example.com, auditor@example.com: the password is parameter {Parameter} (dashboard, or: dotnet user-secrets list --project AppHost)")]
    private static partial void LogDemoUsers(ILogger logger, string parameter);

    [LoggerMessage(Level = LogLevel.Information, Message = "Gateway ready at {Url} (try {Url}/health)")]
    private static partial void LogGatewayReady(ILogger logger, string url);
}
