using System.Text;

namespace Gateway.Api.Tests.Auditing;

public sealed class IdentityEventsTests(AuditFixture fixture) : IClassFixture<AuditFixture>
{
    private const string Identity = "source = 'identity'";

    [Fact]
    public async Task IdentitySecurityEventsBecomeAuditRecordsWithoutTheirSecrets()
    {
        await using var identity = await StandInIdentity.StartAsync();
        identity.Add(2, "login_failed", "failure");
        identity.Add(1, "login_succeeded", "success");
        var site = fixture.NewSite();

        await using var gateway = Gateway(site, identity);
        _ = gateway.Services;
        var records = await AuditDatabase.WaitForAsync(site.Database, r => r.Count >= 3, Identity);

        Assert.Equal(new long?[] { 1, 2, 3 }, records.Select(r => r.SourceEventId));
        Assert.Equal(new[] { "login_failed", "login_failed", "login_succeeded" }, records.Select(r => r.Event));
        Assert.Equal(new[] { "denied", "denied", "allowed" }, records.Select(r => r.Outcome));
        Assert.Equal(new string?[] { "bad_credentials", "bad_credentials", null }, records.Select(r => r.Reason));
        var first = records[0];
        Assert.Equal(("user-1", "gateway-web", "203.0.113.7", "session-1"), (first.Actor, first.ClientId, first.ClientIp, first.SessionId));
        Assert.DoesNotContain("must-never-be-stored", await AuditDatabase.StoredTextAsync(site.Database), StringComparison.Ordinal);

        var token = Assert.Single(identity.TokenRequests);
        Assert.Equal("client_credentials", token["grant_type"]);
        Assert.Equal("gateway-audit", token["client_id"]);
        Assert.Equal("audit:read", token["scope"]);
    }

    [Fact]
    public async Task ImportResumesAfterTheLastStoredEventIdAcrossRestartsWithoutDuplicates()
    {
        await using var identity = await StandInIdentity.StartAsync();
        identity.Add(1_203);
        var site = fixture.NewSite();
        await using (var first = Gateway(site, identity))
        {
            _ = first.Services;
            await AuditDatabase.WaitForAsync(site.Database, r => r.Count >= 1_203, Identity);
        }

        Assert.Equal(new long[] { 0, 500, 1_000 }, identity.Requests.Take(3));
        identity.Add(4, "session_revoked", "success");
        var asked = identity.Requests.Count;

        await using var second = Gateway(site, identity);
        _ = second.Services;
        var records = await AuditDatabase.WaitForAsync(site.Database, r => r.Count >= 1_207, Identity);
        await Task.Delay(500);
        records = await AuditDatabase.ReadAsync(site.Database, Identity);

        Assert.Equal(1_203L, identity.Requests.Skip(asked).First());
        Assert.Equal(Enumerable.Range(1, 1_207).Select(i => (long?)i), records.Select(r => r.SourceEventId));
        Assert.Equal("session_revoked", records[^1].Event);
    }

    [Fact]
    public async Task TwoGatewaysImportingTheSameEventsAtTheSameMomentRecordEachEventOnce()
    {
        await using var identity = await StandInIdentity.StartAsync();
        identity.Add(700);
        identity.AnswerTogether(2);
        var site = fixture.NewSite();
        await using var first = Gateway(site, identity);
        await using var second = Gateway(site, identity);

        // Both gateways' first requests for events are held until both have asked, and are
        // answered with the same page; then more events arrive while both poll every 100 ms.
        _ = first.Services;
        _ = second.Services;
        for (var batch = 0; batch < 5; batch++)
        {
            await Task.Delay(150);
            identity.Add(60, "session_revoked", "success");
        }

        await AuditDatabase.WaitForAsync(site.Database, r => r.Count >= 1_000, Identity);
        await Task.Delay(500); // time for a duplicate to arrive, were one coming
        var records = await AuditDatabase.ReadAsync(site.Database, Identity);

        Assert.Equal([0L, 0L], identity.Requests.Take(2));
        Assert.Equal(Enumerable.Range(1, 1_000).Select(i => (long?)i), records.Select(r => r.SourceEventId).Order());
    }

    [Fact]
    public async Task WithoutAClientSecretTheGatewayNeverCallsIdentity()
    {
        await using var identity = await StandInIdentity.StartAsync();
        identity.Add(3);
        var site = fixture.NewSite();

        await using var gateway = Gateway(site, identity, secret: null);
        _ = gateway.Services;
        await Task.Delay(1_000);

        Assert.Empty(identity.TokenRequests);
        Assert.Empty(identity.Requests);
        Assert.Empty(await AuditDatabase.ReadAsync(site.Database, Identity));
    }

    private AspireGateway.Tests.ServiceFactory<Program> Gateway(AuditSite site, StandInIdentity identity, string? secret = StandInIdentity.Secret) =>
        fixture.CreateGateway(site, new Dictionary<string, string?>
        {
            ["Gateway:Audit:IdentityAddress"] = identity.Address,
            ["Gateway:Audit:IdentityClientSecret"] = secret,
            ["Gateway:Audit:IdentityPollInterval"] = "00:00:00.100",
        });
}
