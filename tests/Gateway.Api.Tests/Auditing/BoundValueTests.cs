using AspireGateway.Tests;

namespace Gateway.Api.Tests.Auditing;

/// <summary>The gateway's own routes (the proxied ones are walked in each backend's suite).</summary>
public sealed class BoundValueTests(AuditFixture fixture) : IClassFixture<AuditFixture>
{
    [Fact]
    public async Task AValueThatCannotBindIsA400ProblemNamingTheParameterOnEveryRoute()
    {
        await using var gateway = fixture.CreateGateway(fixture.NewSite());
        using var admin = fixture.Client(gateway, fixture.Admin());
        var probes = BoundValues.Walk(gateway.Services);

        var failures = await BoundValues.FailuresAsync(probes, _ => admin);

        Assert.Contains(probes, probe => probe.Path == "/api/v1/admin/audit?limit=abc");
        Assert.Empty(failures);
    }
}
