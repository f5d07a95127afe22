using AspireGateway.Tests;
using Microsoft.AspNetCore.Hosting;
using Microsoft.Extensions.Configuration;

namespace Gateway.Api.Tests.RateLimiting;

/// <summary>A configuration source a test can change while the gateway runs, as a reloaded file would.</summary>
internal sealed class LiveSettings : ConfigurationProvider, IConfigurationSource
{
    public IConfigurationProvider Build(IConfigurationBuilder builder) => this;

    public new void Set(string key, string? value)
    {
        base.Set(key, value);
        OnReload();
    }
}

internal sealed class LiveSettingsGateway(CacheServer cache, IReadOnlyDictionary<string, string?> settings, LiveSettings live)
    : ServiceFactory<Program>(cache, settings)
{
    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        base.ConfigureWebHost(builder);
        builder.ConfigureAppConfiguration(configuration => configuration.Add(live));
    }
}
