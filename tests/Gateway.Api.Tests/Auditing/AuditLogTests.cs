using System.Data.Common;
using System.Text;
using System.Text.Json;
using AspireGateway.Tests;
using Gateway.Api.Auditing;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Infrastructure;
using Microsoft.EntityFrameworkCore.Migrations;

namespace Gateway.Api.Tests.Auditing;

/// <summary>
/// The log as an attacker with write access to the audit store would treat it, and as an auditor
/// checks it: online (<c>/api/v1/admin/audit/verify</c>) and offline (<c>audit verify</c> with the
/// checkpoint file kept outside the store).
/// </summary>
public sealed class AuditLogTests(AuditFixture fixture) : IClassFixture<AuditFixture>
{
    [Fact]
    public async Task EditingOneFieldOfOneRecordMakesVerifyNameThatLeaf()
    {
        var (site, gateway) = await GatewayWithRecordsAsync(10);
        await using (gateway)
        {
            using var admin = fixture.Client(gateway, fixture.Admin());
            Assert.True((await AuditFixture.VerifyAsync(admin)).Valid);

            await AuditDatabase.ExecuteAsync(site.Database, AuditDatabase.Unlock(site.Database) + "UPDATE audit_records SET status = 200, outcome = 'allowed' WHERE leaf_index = 3;"); // a 404 made to look allowed
            var verdict = await AuditFixture.VerifyAsync(admin);

            Assert.False(verdict.Valid);
            Assert.Equal(3, verdict.FirstBrokenSeq);
            Assert.Contains("Leaf 3", verdict.Problem, StringComparison.Ordinal);
        }
    }

    [Fact]
    public async Task DeletingARecordMakesVerifyNameTheMissingLeafOnlineAndOffline()
    {
        var (site, gateway) = await GatewayWithRecordsAsync(10);
        await using (gateway)
        {
            await site.WaitForCheckpointAsync(10);
            Assert.Equal((0, true, null), await VerifyOfflineAsync(site, await AuditDatabase.ExportAsync(site.Database)));

            await AuditDatabase.ExecuteAsync(site.Database, AuditDatabase.Unlock(site.Database) + "DELETE FROM audit_records WHERE leaf_index = 7;");
            using var admin = fixture.Client(gateway, fixture.Admin());
            var online = await AuditFixture.VerifyAsync(admin);

            Assert.False(online.Valid);
            Assert.Equal(7, online.FirstBrokenSeq);
            Assert.Equal((1, false, 7L), await VerifyOfflineAsync(site, await AuditDatabase.ExportAsync(site.Database)));
        }
    }

    [Fact]
    public async Task AnEditedRecordWhoseLeafHashWasRecomputedIsFoundByTheCheckpointThatCoversIt()
    {
        var (site, gateway) = await GatewayWithRecordsAsync(6);
        await gateway.DisposeAsync(); // the final checkpoint covers every leaf
        Assert.Equal((0, true, null), await VerifyOfflineAsync(site, await AuditDatabase.ExportAsync(site.Database)));

        await ForgeAsync(site.Database, leaf: 3);
        var (exit, valid, first) = await VerifyOfflineAsync(site, await AuditDatabase.ExportAsync(site.Database));

        Assert.Equal((1, false), (exit, valid));
        Assert.InRange(first!.Value, 0, 3);
    }

    [Fact]
    public async Task CuttingOffTheLastRecordsWithTheirCheckpointsAndHeadIsFoundByTheCopiesOutsideTheStore()
    {
        var (site, gateway) = await GatewayWithRecordsAsync(10);
        await gateway.DisposeAsync();
        var outside = await File.ReadAllTextAsync(site.CheckpointFile);
        Assert.Equal(10, JsonDocument.Parse(outside).RootElement.GetProperty("tree_size").GetInt64());

        // Everything in the store now describes a log of 6 leaves.
        await TruncateAsync(site.Database, keep: 6);
        Assert.Equal((1, false, 6L), await VerifyOfflineAsync(site, await AuditDatabase.ExportAsync(site.Database)));

        await using var restarted = fixture.CreateGateway(site);
        using var admin = fixture.Client(restarted, fixture.Admin());
        var online = await AuditFixture.VerifyAsync(admin);
        Assert.False(online.Valid);
        Assert.Equal(6, online.FirstBrokenSeq);
        Assert.Contains("records were deleted", online.Problem, StringComparison.Ordinal);
    }

    [Fact]
    public async Task DeletingAWholeRunsRecordsAndRenumberingTheRestIsFound()
    {
        var site = fixture.NewSite();
        foreach (var run in new[] { "first", "second" })
        {
            await using var gateway = fixture.CreateGateway(site);
            using var client = gateway.CreateClient();
            for (var i = 0; i < 5; i++)
            {
                using var request = new HttpRequestMessage(HttpMethod.Get, new Uri("/", UriKind.Relative));
                request.Headers.Add("X-Request-Id", $"{run}-{i}");
                (await client.SendAsync(request)).Dispose();
            }

            await AuditDatabase.WaitForAsync(site.Database, r => r.Count(x => x.RequestId?.StartsWith(run, StringComparison.Ordinal) == true) >= 5);
        }

        // The first run's leaves go, the second run's move down to 0…4, and the head and the stored
        // checkpoints are rebuilt to match: only the copy outside the store remembers.
        await AuditDatabase.ExecuteAsync(site.Database, AuditDatabase.Unlock(site.Database) + "DELETE FROM audit_records WHERE request_id LIKE 'first-%';");
        await AuditDatabase.ExecuteAsync(site.Database, "UPDATE audit_records SET leaf_index = leaf_index - 5;");
        await TruncateAsync(site.Database, keep: 5);

        var (exit, valid, _) = await VerifyOfflineAsync(site, await AuditDatabase.ExportAsync(site.Database));
        Assert.Equal((1, false), (exit, valid));
        Assert.Equal(["second-0", "second-1", "second-2", "second-3", "second-4"], (await AuditDatabase.ReadAsync(site.Database)).Select(r => r.RequestId));
    }

    [Fact]
    public async Task TheStoreRefusesToUpdateOrDeleteRecordsAndCheckpoints()
    {
        var (site, gateway) = await GatewayWithRecordsAsync(2);
        await using (gateway)
        {
            await site.WaitForCheckpointAsync(2);
            foreach (var table in new[] { "audit_records", "audit_checkpoints" })
            {
                var update = await Assert.ThrowsAnyAsync<DbException>(() => AuditDatabase.ExecuteAsync(site.Database, $"UPDATE {table} SET time = time"));
                var delete = await Assert.ThrowsAnyAsync<DbException>(() => AuditDatabase.ExecuteAsync(site.Database, $"DELETE FROM {table}"));

                Assert.Contains("append-only", update.Message, StringComparison.Ordinal);
                Assert.Contains("append-only", delete.Message, StringComparison.Ordinal);
            }

            Assert.Equal(2, (await AuditDatabase.ReadAsync(site.Database)).Count);
        }
    }

    [Fact]
    public async Task TwoGatewaysAppendingAtTheSameMomentBuildOneLogWithoutGaps()
    {
        var site = fixture.NewSite();
        await using var first = fixture.CreateGateway(site);
        await using var second = fixture.CreateGateway(site);
        using var a = first.CreateClient();
        using var b = second.CreateClient();

        var responses = await Together.RunAsync(60, i =>
        {
            var request = new HttpRequestMessage(HttpMethod.Get, new Uri("/", UriKind.Relative));
            request.Headers.Add("X-Request-Id", $"both-{i}");
            return (i % 2 == 0 ? a : b).SendAsync(request);
        });
        foreach (var response in responses)
        {
            response.Dispose();
        }

        var records = await AuditDatabase.WaitForAsync(site.Database, r => r.Count >= 60);
        using var admin = fixture.Client(first, fixture.Admin());
        var verdict = await AuditFixture.VerifyAsync(admin);

        Assert.Equal(Enumerable.Range(0, 60).Select(i => $"both-{i}").Order(StringComparer.Ordinal), records.Select(r => r.RequestId!).Order(StringComparer.Ordinal));
        Assert.Equal(Enumerable.Range(0, records.Count).Select(i => (long)i), records.Select(r => r.LeafIndex).Order());
        Assert.True(verdict.Valid, verdict.Problem);
    }

    [Fact]
    public async Task RecordsOfTheFormerHashChainsBecomeTheLogsFirstLeavesWhenTheStoreIsUpgraded()
    {
        var site = fixture.NewSite();
        await using (var db = AuditDatabase.Context(site.Database))
        {
            await db.GetService<IMigrator>().MigrateAsync(db.Database.GetMigrations().First());
        }

        // Three records of one chain, as the previous version wrote them (format 1).
        var previous = new string('0', 64);
        for (var seq = 1; seq <= 3; seq++)
        {
            var record = new AuditRecord
            {
                Format = AuditLeaf.ChainFormat, ChainId = "gw-old", Seq = seq, PrevHash = previous,
                Time = new DateTime(2026, 11, 30, 12, 0, seq, DateTimeKind.Utc), Source = "gateway", Event = "http_request",
                RequestId = $"old-{seq}", Actor = "anonymous", ClientIp = "127.0.0.1", Method = "GET", Route = "/", Path = "/",
                Status = 200, Outcome = "allowed", LatencyMicros = 100 * seq,
            };
            record.Hash = Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(AuditLeaf.Canonical(record).WrittenSpan));
            await site.Database.ExecuteAsync(
                """
                INSERT INTO audit_records (chain_id, seq, format, time, source, event, request_id, actor, client_ip, method, route, path, status, outcome, latency_micros, prev_hash, hash)
                VALUES (@chain, @seq, 1, @time, 'gateway', 'http_request', @request, 'anonymous', '127.0.0.1', 'GET', '/', '/', 200, 'allowed', @latency, @prev, @hash)
                """,
                ("@chain", record.ChainId), ("@seq", record.Seq), ("@time", record.Time), ("@request", record.RequestId),
                ("@latency", record.LatencyMicros), ("@prev", record.PrevHash), ("@hash", record.Hash));
            previous = record.Hash;
        }

        await using var gateway = fixture.CreateGateway(site);
        using (var client = gateway.CreateClient())
        {
            (await client.GetAsync(new Uri("/", UriKind.Relative))).Dispose();
        }

        var records = await AuditDatabase.WaitForAsync(site.Database, r => r.Count >= 4);
        await site.WaitForCheckpointAsync(4);
        using var admin = fixture.Client(gateway, fixture.Admin());
        var verdict = await AuditFixture.VerifyAsync(admin);

        Assert.Equal(["old-1", "old-2", "old-3"], records.Take(3).Select(r => r.RequestId));
        Assert.Equal([0L, 1, 2, 3], records.Take(4).Select(r => r.LeafIndex));
        Assert.True(verdict.Valid, verdict.Problem);
        Assert.True(verdict.RecordsChecked >= 4);
    }

    [Fact]
    public void TheCanonicalFormIsLengthPrefixedFieldsInAFixedOrderAndItsLeafHashIsStable()
    {
        var record = new AuditRecord
        {
            Format = 2, Time = new DateTime(2026, 1, 31, 9, 30, 0, DateTimeKind.Utc).AddTicks(1234560),
            Source = "gateway", Event = "http_request", RequestId = "r-1", TraceId = null, Actor = "anonymous", ClientId = null,
            ClientIp = "127.0.0.1", Method = "GET", Route = "/", Path = "/", Status = 200, Outcome = "allowed", Reason = null,
            LatencyMicros = 1500, SessionId = null, SourceEventId = null, KeyThumbprint = "jkt",
        };

        var canonical = Encoding.UTF8.GetString(AuditLeaf.Canonical(record).WrittenSpan);

        Assert.Equal(
            "audit-record/2" + "1:2," + "27:2026-01-31T09:30:00.123456Z,"
            + "7:gateway," + "12:http_request," + "3:r-1," + "~," + "9:anonymous," + "~," + "9:127.0.0.1," + "3:GET," + "1:/,"
            + "1:/," + "3:200," + "7:allowed," + "~," + "4:1500," + "~," + "~," + "3:jkt,",
            canonical);
        Assert.Equal(
            Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData([0x00, .. Encoding.UTF8.GetBytes(canonical)])),
            AuditLeaf.Hash(record));
        // Pinned (computed independently, with Python's hashlib): a change to the canonical form would break every stored leaf.
        Assert.Equal("b00f27d5f442688d3a0522b8efd24513d8cc88b0830be52c0b468b4afe747d59", AuditLeaf.Hash(record));
    }

    private async Task<(AuditSite Site, ServiceFactory<Program> Gateway)> GatewayWithRecordsAsync(int count)
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

    /// <summary>What someone with the database and this code could do: edit a record and recompute its leaf hash.</summary>
    private static async Task ForgeAsync(TestDatabase database, long leaf)
    {
        await using var db = AuditDatabase.Context(database);
        var record = db.Records.Single(r => r.LeafIndex == leaf);
        record.Actor = "someone-else";
        var hash = AuditLeaf.Hash(record);
        await AuditDatabase.ExecuteAsync(database, AuditDatabase.Unlock(database) + $"UPDATE audit_records SET actor = 'someone-else', leaf_hash = '{hash}' WHERE leaf_index = {leaf};");
    }

    /// <summary>
    /// Makes the store describe a log of its first <paramref name="keep"/> leaves: later records,
    /// checkpoints beyond it and subtrees are deleted and the head is rebuilt from the leaves kept.
    /// </summary>
    private static async Task TruncateAsync(TestDatabase database, long keep)
    {
        await using var db = AuditDatabase.Context(database);
        var kept = db.Records.Where(r => r.LeafIndex < keep).OrderBy(r => r.LeafIndex).Select(r => r.LeafHash!).ToList();
        var frontier = MerkleFrontier.Empty();
        foreach (var hash in kept)
        {
            frontier.Append(Convert.FromHexString(hash));
        }

        await AuditDatabase.ExecuteAsync(database, AuditDatabase.Unlock(database)
            + $"DELETE FROM audit_records WHERE leaf_index >= {keep}; DELETE FROM audit_checkpoints WHERE tree_size > {keep}; DELETE FROM audit_nodes;"
            + $"UPDATE audit_log SET size = {frontier.Size}, frontier = '{frontier}';");
    }

    private static async Task<(int ExitCode, bool Valid, long? FirstBroken)> VerifyOfflineAsync(AuditSite site, string database)
    {
        using var output = new StringWriter();
        using var error = new StringWriter();
        var exit = await AuditCommand.RunAsync(["audit", "verify", "--db", database, "--checkpoint", site.CheckpointFile], output, error);
        Assert.True(exit != 2, error.ToString());
        using var json = JsonDocument.Parse(output.ToString());
        var root = json.RootElement;
        var first = root.GetProperty("first_broken_seq");
        return (exit, root.GetProperty("valid").GetBoolean(), first.ValueKind == JsonValueKind.Null ? null : first.GetInt64());
    }
}
