using System.Collections.Concurrent;
using System.Diagnostics.Metrics;
using System.Net.Http.Headers;
using Microsoft.Extensions.DependencyInjection;

namespace Gateway.Api.Tests.Auditing;

public sealed class AuditDurabilityTests(AuditFixture fixture) : IClassFixture<AuditFixture>
{
    [Fact]
    public async Task RecordsMadeWhileTheDatabaseIsLockedArriveInOrderOnceItIsFreeAgain()
    {
        var site = fixture.NewSite();
        using var probe = new AuditMeterProbe();
        await using var gateway = fixture.CreateGateway(site);
        using var client = gateway.CreateClient();
        var sent = new List<string>();
        await SendAsync(client, sent, 10);
        await AuditDatabase.WaitForAsync(site.Database, r => r.Count >= 10);

        await using (await AuditDatabase.LockAsync(site.Database))
        {

            await SendAsync(client, sent, 30);
            await AuditDatabase.WaitUntilAsync(() => site.SpilledBytes() > 0);

            Assert.True(site.SpilledBytes() > 0, "records wait in the spill file while the store is locked");
            Assert.Equal(10, (await AuditDatabase.ReadAsync(site.Database)).Count);
            await SendAsync(client, sent, 10);
            await Task.Delay(1500); // the writer keeps failing against the lock meanwhile
        }

        var records = await AuditDatabase.WaitForAsync(site.Database, r => r.Count >= 50);
        await AuditDatabase.WaitUntilAsync(() => site.SpillFiles() == 0);

        Assert.Equal(sent, records.Select(r => r.RequestId));
        Assert.Equal(Enumerable.Range(0, 50).Select(i => (long)i), records.Select(r => r.LeafIndex));
        Assert.Equal(0, site.SpillFiles());
        using var admin = fixture.Client(gateway, fixture.Admin());
        Assert.True((await AuditFixture.VerifyAsync(admin)).Valid);
        var meters = gateway.Services.GetRequiredService<IMeterFactory>();
        Assert.True(probe.Total(meters, "audit.records.spilled") >= 40);
        Assert.Equal(0, probe.Total(meters, "audit.records.dropped"));
    }

    [Fact]
    public async Task StoppingTheGatewayDuringTrafficLosesNoRecord()
    {
        var site = fixture.NewSite();
        var gateway = fixture.CreateGateway(site);
        gateway.UseKestrel(0); // a real server stops taking requests before the writer's last flush, as in production
        gateway.StartServer();
        var token = fixture.Tokens.Mint(Guid.NewGuid().ToString(), roles: ["trader"]);
        var answered = new ConcurrentQueue<string>();
        var attempted = 0;
        using var client = gateway.CreateClient();
        var workers = Enumerable.Range(0, 4).Select(worker => Task.Run(async () =>
        {
            while (true)
            {
                var id = $"w{worker}-{Interlocked.Increment(ref attempted)}";
                using var request = new HttpRequestMessage(HttpMethod.Get, new Uri(worker % 2 == 0 ? "/api/v1/auth/me" : "/", UriKind.Relative));
                request.Headers.Add("X-Request-Id", id);
                request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
                try
                {
                    using var response = await client.SendAsync(request);
                    answered.Enqueue(id);
                }
                catch (Exception ex) when (ex is HttpRequestException or ObjectDisposedException or TaskCanceledException)
                {
                    return;
                }
            }
        })).ToList();

        await AuditDatabase.WaitUntilAsync(() => answered.Count >= 300);
        await gateway.DisposeAsync();
        await Task.WhenAll(workers);

        var records = await AuditDatabase.ReadAsync(site.Database);
        var recorded = records.Select(r => r.RequestId).ToHashSet();
        Assert.True(answered.Count >= 300);
        Assert.All(answered, id => Assert.Contains(id, recorded));
        Assert.Equal(records.Count, recorded.Count);
        Assert.All(records, r => Assert.True(System.Net.IPAddress.IsLoopback(System.Net.IPAddress.Parse(r.ClientIp!))));

        await using var restarted = fixture.CreateGateway(site);
        using var admin = fixture.Client(restarted, fixture.Admin());
        var verdict = await AuditFixture.VerifyAsync(admin);
        Assert.True(verdict.Valid);
        Assert.True(verdict.RecordsChecked >= records.Count);
    }

    [Fact]
    public async Task StoppingWhileTheDatabaseIsLockedKeepsTheRecordsOnDiskForTheNextStart()
    {
        var site = fixture.NewSite();
        var sent = new List<string>();
        var gateway = fixture.CreateGateway(site);
        using (var client = gateway.CreateClient())
        {
            await SendAsync(client, sent, 5);
            await AuditDatabase.WaitForAsync(site.Database, r => r.Count >= 5);
            await using var locker = await AuditDatabase.LockAsync(site.Database);

            await SendAsync(client, sent, 20);
            await gateway.DisposeAsync();

            Assert.Equal(5, (await AuditDatabase.ReadAsync(site.Database)).Count);
            Assert.True(site.SpilledBytes() > 0);
        }

        await using var restarted = fixture.CreateGateway(site);
        _ = restarted.Services; // starting it claims and replays the spill file left behind
        var records = await AuditDatabase.WaitForAsync(site.Database, r => r.Count >= 25);

        Assert.Equal(sent, records.Select(r => r.RequestId));
        await AuditDatabase.WaitUntilAsync(() => site.SpillFiles() == 0);
        Assert.Equal(0, site.SpillFiles());
        using var admin = fixture.Client(restarted, fixture.Admin());
        Assert.True((await AuditFixture.VerifyAsync(admin)).Valid);
    }

    [Fact]
    public async Task AGroupIsCommittedOnceEnoughRecordsWaitWithoutWaitingForTheRestOfTheInterval()
    {
        var site = fixture.NewSite();
        await using var gateway = fixture.CreateGateway(site, new Dictionary<string, string?>
        {
            ["Gateway:Audit:GroupCommitInterval"] = "00:00:10",
            ["Gateway:Audit:GroupCommitRecords"] = "20",
        });
        using var client = gateway.CreateClient();
        var sent = new List<string>();
        await SendAsync(client, sent, 5);
        await Task.Delay(1000);
        Assert.Empty(await AuditDatabase.ReadAsync(site.Database)); // fewer than 20 wait for the interval

        var clock = System.Diagnostics.Stopwatch.StartNew();
        await SendAsync(client, sent, 20);
        var records = await AuditDatabase.WaitForAsync(site.Database, r => r.Count >= 25);

        Assert.True(clock.Elapsed < TimeSpan.FromSeconds(5), $"the group waited {clock.Elapsed} for a 10 s interval");
        Assert.Equal(sent, records.Select(r => r.RequestId));
    }

    private static async Task SendAsync(HttpClient client, List<string> sent, int count)
    {
        for (var i = 0; i < count; i++)
        {
            var id = $"req-{sent.Count:D4}";
            using var request = new HttpRequestMessage(HttpMethod.Get, new Uri(i % 3 == 0 ? "/missing" : "/", UriKind.Relative));
            request.Headers.Add("X-Request-Id", id);
            using var response = await client.SendAsync(request);
            sent.Add(id);
        }
    }
}
