using Aspire.Hosting;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

[assembly: CollectionBehavior(DisableTestParallelization = true)]

namespace AppHost.Tests;

/// <summary>
/// The whole AppHost (cache, identity, trading, gateway) started once per test class, the way
/// <c>dotnet run --project AppHost</c> starts it, and stopped at the end.
/// </summary>
public class AppHostFixture : IAsyncLifetime
{
    public static readonly TimeSpan StartTimeout = TimeSpan.FromMinutes(5);
    public static readonly TimeSpan RequestTimeout = TimeSpan.FromSeconds(30);

    private readonly string _folder = Path.Combine(Path.GetTempPath(), "apphost-tests", Guid.NewGuid().ToString("N"));
    private readonly string[] _args;

    public AppHostFixture() : this([])
    {
    }

    /// <summary>
    /// Each fixture is an audit log of its own: SQLite databases of its own (when no connection
    /// strings name others) and a checkpoint key of its own. Neither may come from elsewhere: the
    /// AppHost a developer ran keeps its generated key in user secrets, which test hosts copy, and
    /// CI's shared cache server keeps every log's latest checkpoint under that key's log id.
    /// </summary>
    protected AppHostFixture(string[] args) =>
        _args =
        [
            $"Database:SqliteFolder={_folder}",
            $"Parameters:gateway-audit-checkpoint-key={Convert.ToBase64String(System.Security.Cryptography.RandomNumberGenerator.GetBytes(33))}",
            .. args,
        ];

    public DistributedApplication App { get; private set; } = null!;

    public virtual async Task InitializeAsync()
    {
        using var cts = new CancellationTokenSource(StartTimeout);
        var builder = await DistributedApplicationTestingBuilder.CreateAsync<Projects.AppHost>(_args, cts.Token);
        builder.Services.AddLogging(logging => logging.SetMinimumLevel(LogLevel.Warning));

        // The testing builder points OTLP at a port where nothing listens; the exporters then
        // retry at shutdown and every service takes ~14 s to stop. No dashboard runs here anyway.
        foreach (var project in builder.Resources.OfType<ProjectResource>())
        {
            project.Annotations.Add(new EnvironmentCallbackAnnotation(context =>
                context.EnvironmentVariables.Remove("OTEL_EXPORTER_OTLP_ENDPOINT")));
        }

        // The gateway's checkpoint file goes with this fixture's log too (on PostgreSQL there is no
        // SQLite folder for it to sit next to, and the default would be the developer's data folder).
        builder.Resources.OfType<ProjectResource>().Single(p => p.Name == "gateway").Annotations.Add(new EnvironmentCallbackAnnotation(context =>
            context.EnvironmentVariables["Gateway__Audit__CheckpointFile"] = Path.Combine(_folder, "audit-checkpoint.json")));

        Configure(builder);
        App = await builder.BuildAsync(cts.Token);
        await App.StartAsync(cts.Token);
        await App.ResourceNotifications.WaitForResourceHealthyAsync("gateway", cts.Token).WaitAsync(StartTimeout);
    }

    /// <summary>A fixture's own settings for the resources, applied before the app is built.</summary>
    protected virtual void Configure(IDistributedApplicationTestingBuilder builder)
    {
    }

    /// <summary>The demo users' password, the parameter the AppHost generated for this run.</summary>
    public async Task<string> DemoPasswordAsync() =>
        (await App.Services.GetRequiredService<DistributedApplicationModel>().Resources.OfType<ParameterResource>()
            .Single(p => p.Name == "demo-user-password").GetValueAsync(CancellationToken.None))!;

    public HttpClient CreateGatewayClient()
    {
        var client = App.CreateHttpClient("gateway");
        client.Timeout = RequestTimeout;
        return client;
    }

    public async Task DisposeAsync()
    {
        if (App is not null)
        {
            await App.DisposeAsync().AsTask().WaitAsync(TimeSpan.FromMinutes(1));
        }
    }
}

/// <summary>The AppHost forced onto its embedded cache, which the tests may stop and start.</summary>
public sealed class EmbeddedCacheAppHostFixture() : AppHostFixture(["Cache:Source=Embedded"]);
