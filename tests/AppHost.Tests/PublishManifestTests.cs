namespace AppHost.Tests;

public sealed class PublishManifestTests(PublishedManifest manifest) : IClassFixture<PublishedManifest>
{
    [Fact]
    public void PublishManifestNamesEveryServiceAndTheRedisContainer()
    {
        var resources = manifest.Resources;
        Assert.Equal("container.v0", resources.GetProperty("cache").GetProperty("type").GetString());
        Assert.Contains("redis", resources.GetProperty("cache").GetProperty("image").GetString(), StringComparison.Ordinal);
        foreach (var service in new[] { "identity", "trading", "gateway" })
        {
            Assert.Equal("project.v0", resources.GetProperty(service).GetProperty("type").GetString());
        }

        // Only the gateway is reachable from outside the environment.
        Assert.True(resources.GetProperty("gateway").GetProperty("bindings").GetProperty("http").GetProperty("external").GetBoolean());
        Assert.False(resources.GetProperty("trading").GetProperty("bindings").GetProperty("http").TryGetProperty("external", out _));
    }

    [Fact]
    public void PublishingDeploysPostgreSqlWithAVolumeAndEachServiceReadsItsOwnDatabase()
    {
        var postgres = manifest.Resources.GetProperty("postgres");
        Assert.Equal("container.v0", postgres.GetProperty("type").GetString());
        Assert.Contains("postgres", postgres.GetProperty("image").GetString(), StringComparison.Ordinal);
        Assert.Contains(postgres.GetProperty("volumes").EnumerateArray(), volume => volume.GetProperty("target").GetString()!.StartsWith("/var/lib/postgresql", StringComparison.Ordinal));
        foreach (var (service, database) in new[] { ("identity", "identitydb"), ("trading", "tradingdb"), ("gateway", "auditdb") })
        {
            Assert.Equal("{postgres.connectionString};Database=" + database, manifest.Resources.GetProperty(database).GetProperty("connectionString").GetString());
            Assert.Equal($"{{{database}.connectionString}}", manifest.Resources.GetProperty(service).GetProperty("env").GetProperty($"ConnectionStrings__{database}").GetString());
        }
    }

    [Fact]
    public void TheDeployedGatewayBelievesTheIngressAndTheIssuerIsItsPublicHttpsUrl()
    {
        var gateway = manifest.Resources.GetProperty("gateway");
        var identity = manifest.Resources.GetProperty("identity");

        // Container Apps' ingress terminates TLS and appends the client's address: the gateway is told so.
        Assert.Equal("Ingress", gateway.GetProperty("env").GetProperty("Gateway__Edge__ForwardedHeaders").GetString());
        // azd resolves this to https://gateway.<environment domain>, the URL clients call.
        Assert.Equal("{gateway.bindings.https.url}", identity.GetProperty("env").GetProperty("Identity__Issuer").GetString());
        Assert.True(gateway.GetProperty("bindings").GetProperty("https").GetProperty("external").GetBoolean());
    }
}
