using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;

namespace Gateway.Api.Auditing;

internal static class AuditingExtensions
{
    /// <summary>
    /// The audit trail, by role: <c>Capture/</c> (the middleware, <c>UseAuditing</c>, with its
    /// receipts; the queue; the import of identity's security events), <c>Store/</c> (the one
    /// writer, the spill files, the store <c>ConnectionStrings:auditdb</c> on PostgreSQL or SQLite),
    /// <c>Log/</c> (the Merkle tree, signed checkpoints and their copies outside the store) and
    /// <c>Admin/</c> (the endpoints, <c>MapAuditEndpoints</c>, the verifier and the offline command).
    /// </summary>
    public static IHostApplicationBuilder AddAuditing(this IHostApplicationBuilder builder)
    {
        builder.Services.AddOptions<AuditOptions>()
            .BindConfiguration(AuditOptions.Section)
            .ValidateDataAnnotations()
            .Validate(
                options => !options.Enabled || options.CheckpointKey is { Length: >= 32 },
                $"{AuditOptions.Section}:CheckpointKey must be set (a PEM EC P-256 private key, or a secret of at least 32 characters): the audit log signs its checkpoints with it. The AppHost generates one; see the README.")
            .ValidateOnStart();

        builder.AddAuditStore();

        builder.Services.TryAddSingleton(TimeProvider.System);
        builder.Services.AddSingleton<AuditMetrics>();
        builder.Services.AddSingleton<AuditQueue>();
        builder.Services.AddSingleton<AuditStore>();
        builder.Services.AddSingleton<AuditSpill>();
        builder.Services.AddSingleton<CheckpointSigner>();
        builder.Services.AddSingleton<CheckpointCopies>();
        builder.Services.AddSingleton<AuditWriter>();
        builder.Services.AddHealthChecks().AddCheck<AuditHealthCheck>(AuditHealthCheck.Name);
        builder.Services.AddHostedService(services => services.GetRequiredService<AuditWriter>());

        builder.Services.AddHttpClient(IdentityEventsClient.HttpClientName, (services, http) =>
            http.BaseAddress = new Uri(services.GetRequiredService<IOptions<AuditOptions>>().Value.IdentityAddress.TrimEnd('/') + "/"));
        builder.Services.AddHostedService<IdentityEventsPuller>();
        return builder;
    }
}
