using System.Diagnostics.Metrics;
using System.Text;
using System.Text.Json;
using Gateway.Api.Auditing;
using Microsoft.Extensions.DependencyInjection;

namespace Gateway.Api.Tests.Auditing;

public sealed class AuditSpillTests(AuditFixture fixture) : IClassFixture<AuditFixture>
{
    [Fact]
    public void ASpillFileHeldByALivingWriterIsNeverClaimedByAnother()
    {
        var directory = Directory.CreateTempSubdirectory("audit-spill-").FullName;
        var owned = SpillFile.Create(directory, DateTimeOffset.UtcNow);
        owned.Append([Entry("held")]);

        Assert.Null(SpillFile.TryClaim(owned.Path));

        owned.Dispose();
        using var claimed = SpillFile.TryClaim(owned.Path);
        Assert.NotNull(claimed);
        Assert.Equal("held", Assert.Single(claimed.Read(0, 10).Entries).RequestId);
        claimed.Delete();
        Directory.Delete(directory);
    }

    [Fact]
    public async Task ALeftOverSpillFileIsReplayedInOrderAndItsUnreadableLinesAreCountedAsDropped()
    {
        var site = fixture.NewSite();
        Directory.CreateDirectory(site.SpillDirectory);
        var lines = new StringBuilder()
            .Append(Line(Entry("left-1"))).Append(Line(Entry("left-2")))
            .Append("{\"this is\": not json\n")
            .Append(Line(Entry("left-3")))
            .Append("{\"time\":\"2026-01-01T00:00:00Z\",\"sou"); // a write a crash cut short
        await File.WriteAllTextAsync(Path.Combine(site.SpillDirectory, "20260101T0000000000000-crashed" + SpillFile.Extension), lines.ToString());
        using var probe = new AuditMeterProbe();

        await using var gateway = fixture.CreateGateway(site);
        var meters = gateway.Services.GetRequiredService<IMeterFactory>();
        var records = await AuditDatabase.WaitForAsync(site.Database, r => r.Count >= 3);
        await AuditDatabase.WaitUntilAsync(() => site.SpillFiles() == 0);

        Assert.Equal(["left-1", "left-2", "left-3"], records.Select(r => r.RequestId));
        Assert.Equal(0, site.SpillFiles());
        Assert.Equal(2, probe.Total(meters, "audit.records.dropped"));
        using var admin = fixture.Client(gateway, fixture.Admin());
        Assert.True((await AuditFixture.VerifyAsync(admin)).Valid);
    }

    private static AuditEntry Entry(string requestId) => new(
        AuditChain.Truncate(DateTimeOffset.UtcNow), AuditSources.Gateway, AuditSources.HttpRequestEvent, requestId, null, "anonymous",
        null, "127.0.0.1", "GET", "/", "/", 200, AuditOutcomes.Allowed, null, 10, null, null);

    private static string Line(AuditEntry entry) => JsonSerializer.Serialize(entry, AuditJson.Default.AuditEntry) + "\n";
}
