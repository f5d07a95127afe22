using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;

namespace Gateway.Api.Auditing;

internal static class AuditingExtensions
{
    /// <summary>
    /// The audit trail: capture (<c>UseAuditing</c>), the queue and its one writer,
    /// the spill files, the store (<c>ConnectionStrings:auditdb</c>: PostgreSQL or SQLite), the import of
    /// identity's security events, and the admin endpoints (<c>MapAuditEndpoints</c>).
    /// </summary>
    public static IHostApplicationBuilder AddAuditing(this IHostApplicationBuilder builder)
    {
        builder.Services.AddOptions<AuditOptions>()
            .BindConfiguration(AuditOptions.Section)
            .ValidateDataAnnotations()
            .ValidateOnStart();

        builder.AddAuditStore();

        builder.Services.TryAddSingleton(TimeProvider.System);
        builder.Services.AddSingleton<AuditMetrics>();
        builder.Services.AddSingleton<AuditQueue>();
        builder.Services.AddSingleton<AuditStore>();
        builder.Services.AddSingleton<AuditSpill>();
        builder.Services.AddSingleton<AuditWriter>();
        builder.Services.AddHostedService(services => services.GetRequiredService<AuditWriter>());

        builder.Services.AddHttpClient(IdentityEventsClient.HttpClientName, (services, http) =>
            http.BaseAddress = new Uri(services.GetRequiredService<IOptions<AuditOptions>>().Value.IdentityAddress.TrimEnd('/') + "/"));
        builder.Services.AddHostedService<IdentityEventsPuller>();
        return builder;
    }
}
