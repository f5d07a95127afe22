using System.Text;
using System.Text.Json;
using Gateway.Api.Auditing;
using System.Data.Common;
using AspireGateway.Tests;

namespace Gateway.Api.Tests.Auditing;

public sealed class AuditChainTests(AuditFixture fixture) : IClassFixture<AuditFixture>
{
    [Fact]
    public async Task EditingOneFieldOfOneRecordMakesVerifyReportThatRecordsSequence()
    {
        var (site, gateway) = await GatewayWithRecordsAsync(10);
        await using (gateway)
        {
            using var admin = fixture.Client(gateway, fixture.Admin());
            Assert.True((await AuditFixture.VerifyAsync(admin)).Valid);

            await AuditDatabase.ExecuteAsync(site.Database, AuditDatabase.Unlock(site.Database) + "UPDATE audit_records SET status = 200, outcome = 'allowed' WHERE seq = 4;");
            var verdict = await AuditFixture.VerifyAsync(admin);

            Assert.False(verdict.Valid);
            Assert.Equal(4, verdict.FirstBrokenSeq);
            Assert.Equal(4, verdict.RecordsChecked);
        }
    }

    [Fact]
    public async Task DeletingARecordMakesVerifyReportTheMissingSequenceOnlineAndOffline()
    {
        var (site, gateway) = await GatewayWithRecordsAsync(10);
        await using (gateway)
        {
            var export = await AuditDatabase.ExportAsync(site.Database);
            Assert.Equal((0, true, 10L), await VerifyOfflineAsync(export, brokenAt: null));

            await AuditDatabase.ExecuteAsync(site.Database, AuditDatabase.Unlock(site.Database) + "DELETE FROM audit_records WHERE seq = 7;");
            using var admin = fixture.Client(gateway, fixture.Admin());
            var online = await AuditFixture.VerifyAsync(admin);
            var tampered = await AuditDatabase.ExportAsync(site.Database);

            Assert.False(online.Valid);
            Assert.Equal(7, online.FirstBrokenSeq);
            Assert.Equal((1, false, 7L), await VerifyOfflineAsync(tampered, brokenAt: 7));
        }
    }

    [Fact]
    public async Task RehashingAnEditedRecordStillBreaksTheLinkToTheNextOne()
    {
        var (site, gateway) = await GatewayWithRecordsAsync(6);
        await gateway.DisposeAsync();
        var records = await AuditDatabase.ReadAsync(site.Database);
        var forged = await ForgeAsync(site.Database, seq: 3);

        Assert.NotEqual(records.Single(r => r.Seq == 3).Actor, forged);
        Assert.Equal((1, false, 4L), await VerifyOfflineAsync(await AuditDatabase.ExportAsync(site.Database), brokenAt: 4));
    }

    [Fact]
    public async Task TheStoreRefusesToUpdateOrDeleteRecords()
    {
        var (site, gateway) = await GatewayWithRecordsAsync(2);
        await using (gateway)
        {
            var update = await Assert.ThrowsAnyAsync<DbException>(() => AuditDatabase.ExecuteAsync(site.Database, "UPDATE audit_records SET actor = 'x'"));
            var delete = await Assert.ThrowsAnyAsync<DbException>(() => AuditDatabase.ExecuteAsync(site.Database, "DELETE FROM audit_records"));

            Assert.Contains("append-only", update.Message, StringComparison.Ordinal);
            Assert.Contains("append-only", delete.Message, StringComparison.Ordinal);
            Assert.Equal(2, (await AuditDatabase.ReadAsync(site.Database)).Count);
        }
    }

    [Fact]
    public void TheCanonicalFormIsLengthPrefixedFieldsInAFixedOrderAndItsHashIsStable()
    {
        var record = new AuditRecord
        {
            ChainId = "gw-1", Seq = 2, Format = 1, Time = new DateTime(2026, 1, 31, 9, 30, 0, DateTimeKind.Utc).AddTicks(1234560),
            Source = "gateway", Event = "http_request", RequestId = "r-1", TraceId = null, Actor = "anonymous", ClientId = null,
            ClientIp = "127.0.0.1", Method = "GET", Route = "/", Path = "/", Status = 200, Outcome = "allowed", Reason = null,
            LatencyMicros = 1500, SessionId = null, SourceEventId = null, PrevHash = new string('a', 64), Hash = string.Empty,
        };

        var canonical = Encoding.UTF8.GetString(AuditChain.Canonical(record).WrittenSpan);

        Assert.Equal(
            "audit-record/1" + "1:1," + "4:gw-1," + "1:2," + $"64:{new string('a', 64)}," + "27:2026-01-31T09:30:00.123456Z,"
            + "7:gateway," + "12:http_request," + "3:r-1," + "~," + "9:anonymous," + "~," + "9:127.0.0.1," + "3:GET," + "1:/,"
            + "1:/," + "3:200," + "7:allowed," + "~," + "4:1500," + "~," + "~,",
            canonical);
        Assert.Equal(Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(Encoding.UTF8.GetBytes(canonical))), AuditChain.Hash(record));
        // Pinned (and computed independently): a change to the canonical form would break every stored chain.
        Assert.Equal("f5df6dae5ee3d24297c92b149ca98435640300877f1bb2c768fdb1f000b329c1", AuditChain.Hash(record));
    }

    private async Task<(AuditSite Site, AspireGateway.Tests.ServiceFactory<Program> Gateway)> GatewayWithRecordsAsync(int count)
    {
        var site = fixture.NewSite();
        var gateway = fixture.CreateGateway(site);
        using var client = gateway.CreateClient();
        for (var i = 0; i < count; i++)
        {
            (await client.GetAsync(new Uri(i % 2 == 0 ? "/" : "/nowhere", UriKind.Relative))).Dispose();
        }

        await AuditDatabase.WaitForAsync(site.Database, r => r.Count >= count);
        return (site, gateway);
    }

    /// <summary>What someone with the file and this code could do: edit a record and recompute its hash.</summary>
    private static async Task<string> ForgeAsync(TestDatabase database, long seq)
    {
        await using var db = AuditDatabase.Context(database);
        var record = db.Records.Single(r => r.Seq == seq);
        record.Actor = "someone-else";
        var hash = AuditChain.Hash(record);
        await AuditDatabase.ExecuteAsync(database, AuditDatabase.Unlock(database) + $"UPDATE audit_records SET actor = 'someone-else', hash = '{hash}' WHERE seq = {seq};");
        return record.Actor;
    }

    private static async Task<(int ExitCode, bool Valid, long Checked)> VerifyOfflineAsync(string database, long? brokenAt)
    {
        using var output = new StringWriter();
        using var error = new StringWriter();
        var exit = await AuditCommand.RunAsync(["audit", "verify", "--db", database], output, error);
        using var json = JsonDocument.Parse(output.ToString());
        var root = json.RootElement;
        Assert.Equal(brokenAt, root.GetProperty("first_broken_seq").ValueKind == JsonValueKind.Null ? null : root.GetProperty("first_broken_seq").GetInt64());
        return (exit, root.GetProperty("valid").GetBoolean(), root.GetProperty("records_checked").GetInt64());
    }
}
