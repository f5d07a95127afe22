using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using System.Text.RegularExpressions;
using AspireGateway.Tests;

namespace Gateway.Api.Tests.Auditing;

/// <summary>
/// Proofs and receipts as someone outside the gateway checks them: with
/// <see cref="IndependentLogVerifier"/>, which shares no code with the gateway, against trees it
/// rebuilds itself from the leaf hashes it reads from the store.
/// </summary>
public sealed partial class AuditProofTests(AuditFixture fixture) : IClassFixture<AuditFixture>
{
    [Fact]
    public async Task InclusionAndConsistencyProofsVerifyForRandomTreesAndFailWhenAltered()
    {
        var site = fixture.NewSite();
        await using var gateway = fixture.CreateGateway(site);
        using (var client = gateway.CreateClient())
        {
            for (var i = 0; i < 40; i++)
            {
                (await client.GetAsync(new Uri("/", UriKind.Relative))).Dispose();
            }
        }

        var leaves = (await AuditDatabase.WaitForAsync(site.Database, r => r.Count >= 40)).Take(40).Select(r => Convert.FromHexString(r.LeafHash!)).ToList();
        using var auditor = fixture.Client(gateway, fixture.Tokens.Mint(Guid.NewGuid().ToString(), roles: ["auditor"]));
        var random = new Random(20261202);
        for (var round = 0; round < 25; round++)
        {
            var size = random.Next(1, leaves.Count + 1);
            var leaf = random.Next(0, size);
            var root = IndependentLogVerifier.TreeHash(leaves[..size]);
            var inclusion = await auditor.GetFromJsonAsync<JsonElement>(new Uri($"/api/v1/admin/audit/proof/inclusion?leaf={leaf}&size={size}", UriKind.Relative));
            var path = Hashes(inclusion.GetProperty("audit_path"));

            Assert.Equal(Convert.ToHexStringLower(leaves[leaf]), inclusion.GetProperty("leaf_hash").GetString());
            Assert.True(IndependentLogVerifier.VerifyInclusion(leaf, size, leaves[leaf], path, root), $"inclusion of {leaf} in {size}");
            if (path.Count > 0)
            {
                path[random.Next(path.Count)][0] ^= 1;
                Assert.False(IndependentLogVerifier.VerifyInclusion(leaf, size, leaves[leaf], path, root), $"altered inclusion of {leaf} in {size}");
            }

            var first = random.Next(1, size + 1);
            var consistency = await auditor.GetFromJsonAsync<JsonElement>(new Uri($"/api/v1/admin/audit/proof/consistency?from={first}&to={size}", UriKind.Relative));
            var proof = Hashes(consistency.GetProperty("proof"));
            var firstRoot = IndependentLogVerifier.TreeHash(leaves[..first]);

            Assert.True(IndependentLogVerifier.VerifyConsistency(first, size, firstRoot, root, proof), $"consistency of {first} with {size}");
            if (proof.Count > 0)
            {
                proof[random.Next(proof.Count)][^1] ^= 0x80;
                Assert.False(IndependentLogVerifier.VerifyConsistency(first, size, firstRoot, root, proof), $"altered consistency of {first} with {size}");
            }
        }
    }

    [Fact]
    public async Task TheLatestCheckpointIsSignedByTheKeyPublishedAtTheWellKnownPathAndIsTheRootOfTheStoredLeaves()
    {
        var site = fixture.NewSite();
        await using var gateway = fixture.CreateGateway(site);
        using var anonymous = gateway.CreateClient();
        for (var i = 0; i < 7; i++)
        {
            (await anonymous.GetAsync(new Uri("/", UriKind.Relative))).Dispose();
        }

        await AuditDatabase.WaitForAsync(site.Database, r => r.Count >= 7);
        await site.WaitForCheckpointAsync(7);
        var key = await anonymous.GetFromJsonAsync<JsonElement>(new Uri("/.well-known/audit-log-key", UriKind.Relative));
        using var auditor = fixture.Client(gateway, fixture.Tokens.Mint(Guid.NewGuid().ToString(), roles: ["auditor"]));
        var latest = await auditor.GetFromJsonAsync<JsonElement>(new Uri("/api/v1/admin/audit/checkpoint", UriKind.Relative));
        var leaves = (await AuditDatabase.ReadAsync(site.Database)).Select(r => Convert.FromHexString(r.LeafHash!)).ToList();

        var checkpoint = IndependentLogVerifier.ReadCheckpoint(latest, key.GetProperty("log_id").GetString());
        Assert.NotNull(checkpoint);
        Assert.Equal(IndependentLogVerifier.TreeHash(leaves[..(int)checkpoint.TreeSize]), checkpoint.RootHash);
        Assert.Null(IndependentLogVerifier.ReadCheckpoint(latest, new string('0', 64)));
    }

    [Fact]
    public async Task AReceiptFromAPlacedOrderIsProvedByTheLogAgainstALaterCheckpoint()
    {
        var site = fixture.NewSite();
        await using var gateway = fixture.CreateGateway(site, new Dictionary<string, string?>
        {
            ["ReverseProxy:Clusters:trading:Destinations:primary:Address"] = fixture.Backend.Address,
        });
        using var trader = fixture.Client(gateway, fixture.Tokens.Mint(Guid.NewGuid().ToString(), roles: ["trader"]));
        using var order = new HttpRequestMessage(HttpMethod.Post, "/api/v1/trading/orders")
        {
            Content = JsonContent.Create(new { account_id = Guid.NewGuid(), symbol = "AAPL", side = "buy", type = "market", quantity = 1, time_in_force = "day" }),
        };
        order.Headers.Add("Idempotency-Key", Guid.NewGuid().ToString());
        using var placed = await trader.SendAsync(order);
        using var read = await trader.GetAsync(new Uri("/api/v1/trading/orders", UriKind.Relative));

        var receipt = Receipt().Match(Assert.Single(placed.Headers.GetValues("Audit-Receipt")));
        Assert.True(receipt.Success);
        Assert.False(read.Headers.Contains("Audit-Receipt"));
        var (logId, leafHash, time) = (receipt.Groups["log"].Value, receipt.Groups["leaf"].Value, receipt.Groups["time"].Value);
        var named = $"/api/v1/admin/audit/proof/inclusion?leaf_hash={leafHash}&time={Uri.EscapeDataString(time)}";

        // The auditor the client asks: the proof from the receipt's leaf to the first checkpoint after it.
        using var auditor = fixture.Client(gateway, fixture.Tokens.Mint(Guid.NewGuid().ToString(), roles: ["auditor"]));
        var status = await Poll.UntilAsync(() => auditor.GetAsync(new Uri(named, UriKind.Relative)), HttpStatusCode.OK, TimeSpan.FromSeconds(15), TimeSpan.FromMilliseconds(100));
        Assert.Equal(HttpStatusCode.OK, status);
        var proof = await auditor.GetFromJsonAsync<JsonElement>(new Uri(named, UriKind.Relative));
        var key = await auditor.GetFromJsonAsync<JsonElement>(new Uri("/.well-known/audit-log-key", UriKind.Relative));

        Assert.Equal(key.GetProperty("log_id").GetString(), logId);
        var checkpoint = IndependentLogVerifier.ReadCheckpoint(proof.GetProperty("checkpoint"), logId);
        Assert.NotNull(checkpoint);
        Assert.Equal(leafHash, proof.GetProperty("leaf_hash").GetString());
        Assert.True(IndependentLogVerifier.VerifyInclusion(proof, checkpoint));
        var record = Assert.Single(await AuditDatabase.ReadAsync(site.Database), r => r.LeafHash == leafHash);
        Assert.Equal(("POST", "/api/v1/trading/orders", (int)placed.StatusCode), (record.Method, record.Path, record.Status!.Value));
    }

    private static List<byte[]> Hashes(JsonElement array) => [.. array.EnumerateArray().Select(h => Convert.FromHexString(h.GetString()!))];

    [GeneratedRegex("^log=\"(?<log>[0-9a-f]{64})\", leaf_hash=\"(?<leaf>[0-9a-f]{64})\", time=\"(?<time>\\d{4}-\\d\\d-\\d\\dT\\d\\d:\\d\\d:\\d\\d\\.\\d{6}Z)\"$")]
    private static partial Regex Receipt();
}
