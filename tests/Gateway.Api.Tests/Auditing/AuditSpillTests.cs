using System.Diagnostics.Metrics;
using System.Text;
using System.Text.Json;
using Gateway.Api.Auditing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.HealthChecks;

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
    public async Task ALeftOverSpillFileIsReplayedInOrderAndLinesThatAreNotTheirLeafAreKeptAsideAndReported()
    {
        var site = fixture.NewSite();
        Directory.CreateDirectory(site.SpillDirectory);
        var altered = Line(Entry("left-altered")).Replace("\"status\":200", "\"status\":201", StringComparison.Ordinal);
        var lines = new StringBuilder()
            .Append(Line(Entry("left-1"))).Append(Line(Entry("left-2")))
            .Append("{\"this is\": not json\n")
            .Append(altered)
            .Append(Line(Entry("left-3")))
            .Append("{\"leaf_hash\":\"00\",\"entry\":{\"time\":\"2026-01-01T00:00:00Z\",\"sou"); // a write a crash cut short
        var spill = Path.Combine(site.SpillDirectory, "20260101T0000000000000-crashed" + SpillFile.Extension);
        await File.WriteAllTextAsync(spill, lines.ToString());
        using var probe = new AuditMeterProbe();

        await using var gateway = fixture.CreateGateway(site);
        var meters = gateway.Services.GetRequiredService<IMeterFactory>();
        var records = await AuditDatabase.WaitForAsync(site.Database, r => r.Count >= 3);
        await AuditDatabase.WaitUntilAsync(() => site.SpillFiles() == 1);
        using var admin = fixture.Client(gateway, fixture.Admin());
        var health = await gateway.Services.GetRequiredService<HealthCheckService>().CheckHealthAsync(check => check.Name == AuditHealthCheck.Name);
        var entry = health.Entries[AuditHealthCheck.Name];

        Assert.Equal(["left-1", "left-2", "left-3"], records.Select(r => r.RequestId).Take(3));
        Assert.Equal(3, probe.Total(meters, "audit.spill.rejected"));
        Assert.Equal(0, probe.Total(meters, "audit.records.dropped"));
        var rejected = await File.ReadAllTextAsync(spill + SpillFile.RejectedExtension);
        Assert.Contains("not json", rejected, StringComparison.Ordinal);
        Assert.Contains("left-altered", rejected, StringComparison.Ordinal);
        Assert.Contains("\"sou", rejected, StringComparison.Ordinal);
        Assert.Equal(HealthStatus.Degraded, entry.Status);
        Assert.Contains("rejected", entry.Description, StringComparison.Ordinal);
        Assert.True((await AuditFixture.VerifyAsync(admin)).Valid);
    }

    [Fact]
    public void ASpillLineCarriesTheLeafHashOfItsEntry()
    {
        var directory = Directory.CreateTempSubdirectory("audit-spill-").FullName;
        using var file = SpillFile.Create(directory, DateTimeOffset.UtcNow);
        var entry = Entry("hashed");
        file.Append([entry]);

        var line = JsonDocument.Parse(File.ReadAllText(file.Path)).RootElement;

        Assert.Equal(AuditLeaf.Hash(entry), line.GetProperty("leaf_hash").GetString());
        Assert.Equal("hashed", line.GetProperty("entry").GetProperty("request_id").GetString());
        file.Delete();
        Directory.Delete(directory);
    }

    [Fact]
    public void TheWriterReplaysEachGroupItSpilledAsTheSameEntriesAndOffsetsAClaimantReadsFromDisk()
    {
        var directory = Directory.CreateTempSubdirectory("audit-spill-").FullName;
        var owned = SpillFile.Create(directory, DateTimeOffset.UtcNow);
        string[][] groups = [["a1", "a2", "a3"], ["b1"], ["c1", "c2", "c3", "c4", "c5"]];
        foreach (var group in groups)
        {
            owned.Append([.. group.Select(Entry)]);
        }

        var chunks = new List<(long Start, SpillChunk Chunk)>();
        for (var offset = 0L; offset < owned.Length; offset = chunks[^1].Chunk.EndOffset)
        {
            chunks.Add((offset, owned.Read(offset, maxLines: 5)));
        }

        // One chunk per group, as it was appended (a read from disk would fill each chunk to 5 lines).
        Assert.Equal(groups, chunks.Select(c => c.Chunk.Entries.Select(e => e.RequestId!).ToArray()));
        owned.Dispose();
        using var claimed = SpillFile.TryClaim(owned.Path);
        Assert.NotNull(claimed);
        foreach (var (start, chunk) in chunks)
        {
            var fromDisk = claimed.Read(start, chunk.Entries.Count);
            Assert.Equal(chunk.Entries, fromDisk.Entries);
            Assert.Equal(chunk.EndOffset, fromDisk.EndOffset);
        }

        claimed.Delete();
        Directory.Delete(directory);
    }

    [Fact]
    public void AHeldGroupLargerThanAChunkIsReadFromDiskAndTheReplayGoesOnWithoutLosingOrRepeatingALine()
    {
        var directory = Directory.CreateTempSubdirectory("audit-spill-").FullName;
        using var owned = SpillFile.Create(directory, DateTimeOffset.UtcNow);
        owned.Append([Entry("a1"), Entry("a2"), Entry("a3")]);
        owned.Append([Entry("b1")]);

        var replayed = new List<string>();
        for (var offset = 0L; offset < owned.Length;)
        {
            var chunk = owned.Read(offset, maxLines: 2);
            replayed.AddRange(chunk.Entries.Select(e => e.RequestId!));
            offset = chunk.EndOffset;
        }

        Assert.Equal(["a1", "a2", "a3", "b1"], replayed);
        owned.Delete();
        Directory.Delete(directory);
    }

    private static AuditEntry Entry(string requestId) => new(
        AuditLeaf.Truncate(DateTimeOffset.UtcNow), AuditSources.Gateway, AuditSources.HttpRequestEvent, requestId, null, "anonymous",
        null, "127.0.0.1", "GET", "/", "/", 200, AuditOutcomes.Allowed, null, 10, null, null);

    private static string Line(AuditEntry entry) => JsonSerializer.Serialize(new SpillLine(AuditLeaf.Hash(entry), entry), AuditJson.Default.SpillLine) + "\n";
}
