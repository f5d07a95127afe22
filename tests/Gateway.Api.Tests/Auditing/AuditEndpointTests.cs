using System.Net;
using System.Net.Http.Json;
using System.Text.Json;

namespace Gateway.Api.Tests.Auditing;

public sealed class AuditEndpointTests(AuditFixture fixture) : IClassFixture<AuditFixture>
{
    [Fact]
    public async Task AuditorsPageThroughRecordsFilteredByUserOutcomeRouteAndTime()
    {
        var site = fixture.NewSite();
        await using var gateway = fixture.CreateGateway(site);
        var alice = Guid.NewGuid().ToString();
        using var asAlice = fixture.Client(gateway, fixture.Tokens.Mint(alice, roles: ["trader"]));
        using var anonymous = gateway.CreateClient();
        var before = DateTime.UtcNow.AddSeconds(-1);
        for (var i = 0; i < 5; i++)
        {
            (await asAlice.GetAsync(new Uri("/api/v1/auth/me", UriKind.Relative))).Dispose();
            (await anonymous.GetAsync(new Uri("/api/v1/auth/me", UriKind.Relative))).Dispose();
        }

        var stored = await AuditDatabase.WaitForAsync(site.Database, r => r.Count >= 10);
        var route = stored.First(r => r.Actor == alice).Route;
        using var auditor = fixture.Client(gateway, fixture.Tokens.Mint(Guid.NewGuid().ToString(), roles: ["auditor"]));

        var pages = new List<JsonElement>();
        string? cursor = null;
        do
        {
            var page = await auditor.GetFromJsonAsync<JsonElement>(new Uri(
                $"/api/v1/admin/audit?user={alice}&outcome=allowed&route={route}&limit=2&from={before:O}&to={DateTime.UtcNow.AddMinutes(1):O}" + (cursor is null ? string.Empty : $"&cursor={cursor}"),
                UriKind.Relative));
            pages.Add(page);
            cursor = page.GetProperty("next_cursor").GetString();
        }
        while (cursor is not null && pages.Count < 10);

        var records = pages.SelectMany(p => p.GetProperty("records").EnumerateArray()).ToList();
        Assert.Equal(5, records.Count);
        Assert.Equal(3, pages.Count);
        Assert.All(records, r =>
        {
            Assert.Equal(alice, r.GetProperty("actor").GetString());
            Assert.Equal("allowed", r.GetProperty("outcome").GetString());
            Assert.Equal(200, r.GetProperty("status").GetInt32());
            Assert.Equal(route, r.GetProperty("route").GetString());
            Assert.Equal(64, r.GetProperty("leaf_hash").GetString()!.Length);
        });
        var ids = records.Select(r => r.GetProperty("id").GetInt64()).ToList();
        Assert.Equal(ids.OrderDescending(), ids);

        var future = await auditor.GetFromJsonAsync<JsonElement>(new Uri($"/api/v1/admin/audit?from={DateTime.UtcNow.AddHours(1):O}", UriKind.Relative));
        Assert.Empty(future.GetProperty("records").EnumerateArray());
    }

    [Fact]
    public async Task BadAuditFiltersAreAProblemDocumentNeverAServerError()
    {
        await using var gateway = fixture.CreateGateway(fixture.NewSite());
        using var admin = fixture.Client(gateway, fixture.Admin());
        (string Query, string Parameter)[] queries =
        [
            ("from=yesterday", "from"), ("to=2026-13-45T00:00:00Z", "to"), ("from=2026-02-01T00:00:00Z&to=2026-01-01T00:00:00Z", "to"),
            ("outcome=maybe", "outcome"), ("limit=0", "limit"), ("limit=101", "limit"), ("limit=ten", "limit"), ("limit=-1", "limit"),
            ("cursor=-5", "cursor"), ("cursor=abc", "cursor"), ("cursor=99999999999999999999999", "cursor"),
            ("proof/inclusion", "leaf"), ("proof/inclusion?leaf=1&leaf_hash=" + new string('a', 64), "leaf"), ("proof/inclusion?leaf=-1", "leaf"),
            ("proof/inclusion?leaf=x", "leaf"), ("proof/inclusion?leaf_hash=abc", "leaf_hash"), ("proof/inclusion?leaf_hash=" + new string('a', 64), "time"),
            ("proof/inclusion?leaf_hash=" + new string('a', 64) + "&time=noon", "time"), ("proof/inclusion?leaf=0&size=0", "size"),
            ("proof/inclusion?leaf=0&size=99999999999999999999", "size"), ("proof/consistency", "from"), ("proof/consistency?from=5&to=3", "to"),
            ("proof/consistency?from=-1&to=3", "from"),
        ];

        foreach (var (query, parameter) in queries)
        {
            var path = query.StartsWith("proof/", StringComparison.Ordinal) ? $"/api/v1/admin/audit/{query}" : $"/api/v1/admin/audit?{query}";
            using var response = await admin.GetAsync(new Uri(path, UriKind.Relative));

            Assert.True(response.StatusCode == HttpStatusCode.BadRequest, $"{query}: {(int)response.StatusCode}");
            Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
            using var problem = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
            Assert.True(problem.RootElement.GetProperty("errors").TryGetProperty(parameter, out _), $"{query}: {problem.RootElement}");
        }

        // Whether these are a 400 or a 404 depends on what the log holds; either way a problem.
        string[] proofs = ["proof/inclusion?leaf=5&size=3", "proof/consistency?from=0&to=123456789"];
        foreach (var query in proofs)
        {
            using var response = await admin.GetAsync(new Uri($"/api/v1/admin/audit/{query}", UriKind.Relative));

            Assert.True(response.StatusCode is HttpStatusCode.BadRequest or HttpStatusCode.NotFound, $"{query}: {(int)response.StatusCode}");
            Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        }
    }

    [Fact]
    public async Task OnlyAdminsAndAuditorsReadOrVerifyTheTrail()
    {
        await using var gateway = fixture.CreateGateway(fixture.NewSite());
        (string? Role, HttpStatusCode Expected)[] callers =
        [
            (null, HttpStatusCode.Unauthorized), ("trader", HttpStatusCode.Forbidden), ("admin", HttpStatusCode.OK), ("auditor", HttpStatusCode.OK),
        ];

        foreach (var (role, expected) in callers)
        {
            using var client = fixture.Client(gateway, role is null ? null : fixture.Tokens.Mint(Guid.NewGuid().ToString(), roles: [role]));
            using var list = await client.GetAsync(new Uri("/api/v1/admin/audit", UriKind.Relative));
            using var verify = await client.GetAsync(new Uri("/api/v1/admin/audit/verify", UriKind.Relative));
            using var proof = await client.GetAsync(new Uri("/api/v1/admin/audit/proof/consistency?from=0&to=1", UriKind.Relative));
            using var key = await client.GetAsync(new Uri("/.well-known/audit-log-key", UriKind.Relative));

            Assert.Equal(expected, list.StatusCode);
            Assert.Equal(expected, verify.StatusCode);
            // Whether a proof exists yet depends on the writer; whether the caller may ask does not.
            Assert.Equal(expected == HttpStatusCode.OK, proof.StatusCode is not (HttpStatusCode.Unauthorized or HttpStatusCode.Forbidden));
            Assert.Equal(expected == HttpStatusCode.OK ? proof.StatusCode : expected, proof.StatusCode);
            Assert.Equal(HttpStatusCode.OK, key.StatusCode);
        }
    }
}
