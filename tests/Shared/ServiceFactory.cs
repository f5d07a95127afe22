using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;

namespace AspireGateway.Tests;

/// <summary>
/// A service under test with its real dependencies: the shared cache server and, where the
/// service has one, a database file of its own. Settings go through UseSetting so that Aspire
/// client integrations, which read configuration while Program.cs runs, see them.
/// </summary>
public class ServiceFactory<TProgram>(
    CacheServer cache,
    IReadOnlyDictionary<string, string?>? settings = null,
    Action<Microsoft.Extensions.DependencyInjection.IServiceCollection>? services = null)
    : WebApplicationFactory<TProgram> where TProgram : class
{
    public CacheServer Cache { get; } = cache;

    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        builder.UseEnvironment("Development");
        builder.UseSetting("ConnectionStrings:cache", Cache.ConnectionString);
        foreach (var (key, value) in settings ?? new Dictionary<string, string?>())
        {
            builder.UseSetting(key, value);
        }

        if (services is not null)
        {
            builder.ConfigureServices(services);
        }
    }
}
