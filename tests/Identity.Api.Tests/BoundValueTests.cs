using System.Net.Http.Json;
using AspireGateway.Tests;

namespace Identity.Api.Tests;

[Collection(IdentityCollection.Name)]
public sealed class BoundValueTests(IdentityFixture fixture)
{
    [Fact]
    public async Task AValueThatCannotBindIsA400ProblemNamingTheParameterOnEveryRoute()
    {
        using var api = fixture.Api();
        var admin = await api.LoginOkAsync("admin@example.com", fixture.DemoPassword);
        using var tokenResponse = await api.TokenAsync(
            ("grant_type", "client_credentials"), ("client_id", IdentityFixture.AuditClientId),
            ("client_secret", fixture.AuditSecret), ("scope", "audit:read"));
        var audit = (await tokenResponse.Content.ReadFromJsonAsync<TokenResponse>())!.AccessToken;
        using var asAdmin = fixture.CreateClient();
        asAdmin.DefaultRequestHeaders.Authorization = new("Bearer", admin.AccessToken);
        using var asAuditClient = fixture.CreateClient();
        asAuditClient.DefaultRequestHeaders.Authorization = new("Bearer", audit);
        var probes = BoundValues.Walk(fixture.Service.Services);

        var failures = await BoundValues.FailuresAsync(probes, probe =>
            probe.Path.StartsWith("/internal/", StringComparison.Ordinal) ? asAuditClient : asAdmin);

        Assert.Contains(probes, probe => probe.Path == "/internal/security-events?after=abc");
        Assert.Contains(probes, probe => probe is { Method: "POST", Parameter: "id" });
        Assert.Empty(failures);
    }
}
