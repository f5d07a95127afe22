using System.Net;
using System.Text;
using Gateway.Api.Auth;
using Microsoft.Extensions.DependencyInjection;

namespace Gateway.Api.Tests.Auditing;

public sealed class AuditCaptureTests(AuditFixture fixture) : IClassFixture<AuditFixture>
{
    private sealed record Case(string Name, HttpMethod Method, string Path, string? Token, int? Status, string Actor, string Outcome, string? Reason, string? Route, string? Body = null, string ContentType = "application/json");

    [Fact]
    public async Task EveryRequestAllowedOrDeniedLeavesExactlyOneRecordWithItsActorStatusAndOutcome()
    {
        var site = fixture.NewSite();
        // A login budget of 2: the 415 and the first login spend it, so the last login is answered 429.
        // The policy has a name of its own: other tests' logins on a shared cache must not spend it.
        var policy = $"capture-{Guid.NewGuid():N}";
        await using var gateway = fixture.CreateGateway(site, new Dictionary<string, string?>
        {
            ["Gateway:RateLimiting:Enabled"] = "true",
            [$"Gateway:RateLimiting:Policies:{policy}:PermitLimit"] = "2",
            [$"Gateway:RateLimiting:Policies:{policy}:Window"] = "00:01:00",
            ["ReverseProxy:Routes:auth-login:Metadata:RateLimitPolicy"] = policy,
        });
        using var client = gateway.CreateClient();
        var trader = Guid.NewGuid().ToString();
        var traderToken = fixture.Tokens.Mint(trader, roles: ["trader"]);
        var auditor = Guid.NewGuid().ToString();
        var revokedSession = Guid.NewGuid().ToString("N");
        gateway.Services.GetRequiredService<RevocationSet>().Add(revokedSession, TimeSpan.FromMinutes(5));
        const string Password = "Corr3ct-Horse-Battery";
        var login = $$"""{"email":"someone@example.com","password":"{{Password}}"}""";

        Case[] cases =
        [
            new("root", HttpMethod.Get, "/", null, 200, "anonymous", "allowed", null, "/"),
            new("proxied", HttpMethod.Get, "/api/v1/auth/me", traderToken, 200, trader, "allowed", null, "auth-me"),
            new("query values", HttpMethod.Get, "/api/v1/auth/me?password=hunter2&api_key=k3y", traderToken, 200, trader, "allowed", null, "auth-me"),
            new("no token", HttpMethod.Get, "/api/v1/auth/me", null, 401, "anonymous", "denied", "token_missing", "auth-me"),
            new("expired", HttpMethod.Get, "/api/v1/auth/me", fixture.Tokens.Mint(trader, roles: ["trader"], notBefore: DateTime.UtcNow.AddMinutes(-20)), 401, "anonymous", "denied", "token_expired", "auth-me"),
            new("garbage", HttpMethod.Get, "/api/v1/auth/me", "not-a-token", 401, "anonymous", "denied", "token_invalid", "auth-me"),
            new("revoked", HttpMethod.Get, "/api/v1/auth/me", fixture.Tokens.Mint(trader, roles: ["trader"], sessionId: revokedSession), 401, "anonymous", "denied", "token_revoked", "auth-me"),
            new("wrong role", HttpMethod.Get, "/api/v1/admin/users/42/sessions", traderToken, 403, trader, "denied", "forbidden", "admin-users"),
            new("audit as trader", HttpMethod.Get, "/api/v1/admin/audit", traderToken, 403, trader, "denied", "forbidden", "/api/v1/admin/audit"),
            new("unknown path", HttpMethod.Get, "/no/such/path", null, 404, "anonymous", "denied", "not_found", null),
            new("wrong media type", HttpMethod.Post, "/api/v1/auth/login", null, 415, "anonymous", "denied", "unsupported_media_type", "auth-login", "email=a", "text/plain"),
            new("stopped backend", HttpMethod.Get, "/api/v1/trading/accounts", traderToken, 503, trader, "error", "upstream_unavailable", "trading-read"),
            new("audit as auditor", HttpMethod.Get, "/api/v1/admin/audit?limit=1", fixture.Tokens.Mint(auditor, roles: ["auditor"]), 200, auditor, "allowed", null, "/api/v1/admin/audit"),
            new("login 1", HttpMethod.Post, "/api/v1/auth/login", null, null, "anonymous", "?", null, "auth-login", login),
            new("login over the limit", HttpMethod.Post, "/api/v1/auth/login", null, 429, "anonymous", "denied", "rate_limited", "auth-login", login),
        ];

        var sent = new List<(Case Case, string RequestId, HttpStatusCode Status)>();
        foreach (var c in cases)
        {
            var requestId = $"capture-{sent.Count}-{Guid.NewGuid():N}";
            using var request = new HttpRequestMessage(c.Method, new Uri(c.Path, UriKind.Relative));
            request.Headers.Add("X-Request-Id", requestId);
            if (c.Token is not null)
            {
                request.Headers.Authorization = new("Bearer", c.Token);
            }

            if (c.Body is not null)
            {
                request.Content = new StringContent(c.Body, Encoding.UTF8, c.ContentType);
            }

            using var response = await client.SendAsync(request);
            if (c.Status is { } expected)
            {
                Assert.True(expected == (int)response.StatusCode, $"{c.Name}: expected {expected}, got {(int)response.StatusCode}");
            }

            sent.Add((c, requestId, response.StatusCode));
        }

        var records = await AuditDatabase.WaitForAsync(site.Database, r => r.Count >= cases.Length);
        await Task.Delay(500); // a late duplicate would show up within a few group commits
        records = await AuditDatabase.ReadAsync(site.Database);

        Assert.Equal(cases.Length, records.Count);
        foreach (var (c, requestId, status) in sent)
        {
            var record = Assert.Single(records, r => r.RequestId == requestId);
            Assert.Equal((int)status, record.Status);
            Assert.Equal(c.Actor, record.Actor);
            Assert.Equal(c.Route, record.Route);
            Assert.Equal(c.Method.Method, record.Method);
            Assert.Equal(c.Path.Split('?')[0], record.Path);
            Assert.Equal("gateway", record.Source);
            Assert.Matches("^[0-9a-f]{32}$", record.TraceId);
            Assert.True(record.LatencyMicros >= 0, c.Name);
            if (c.Status is not null)
            {
                Assert.Equal(c.Outcome, record.Outcome);
                Assert.Equal(c.Reason, record.Reason);
            }
            else
            {
                // The first login: 200 from the stand-in, or 429 if a shared cache already counted other logins.
                var limited = status == HttpStatusCode.TooManyRequests;
                Assert.Equal(limited ? "denied" : "allowed", record.Outcome);
                Assert.Equal(limited ? "rate_limited" : null, record.Reason);
            }
        }

        Assert.Equal("gateway-web", Assert.Single(records, r => r.RequestId == sent[1].RequestId).ClientId);
        Assert.Equal(Enumerable.Range(0, cases.Length).Select(i => (long)i), records.Select(r => r.LeafIndex));

        // Never a token, a password, a query string value or a body.
        var stored = await AuditDatabase.StoredTextAsync(site.Database);
        Assert.DoesNotContain(traderToken, stored, StringComparison.Ordinal);
        Assert.DoesNotContain(traderToken.Split('.')[2], stored, StringComparison.Ordinal);
        Assert.DoesNotContain(Password, stored, StringComparison.Ordinal);
        Assert.DoesNotContain("hunter2", stored, StringComparison.Ordinal);
        Assert.DoesNotContain("k3y", stored, StringComparison.Ordinal);
        Assert.DoesNotContain("someone@example.com", stored, StringComparison.Ordinal);
    }

    [Fact]
    public async Task ARequestWithADPoPBoundTokenIsRecordedWithItsKeysThumbprint()
    {
        var site = fixture.NewSite();
        await using var gateway = fixture.CreateGateway(site);
        using var client = gateway.CreateClient();
        using var key = AspireGateway.Tests.DPoPKey.EllipticCurve();
        var bound = fixture.Tokens.Mint(Guid.NewGuid().ToString(), roles: ["trader"], boundToThumbprint: key.Thumbprint);
        var bearer = fixture.Tokens.Mint(Guid.NewGuid().ToString(), roles: ["trader"]);

        using (var withKey = new HttpRequestMessage(HttpMethod.Get, "/api/v1/auth/me"))
        {
            withKey.Headers.Authorization = new System.Net.Http.Headers.AuthenticationHeaderValue("DPoP", bound);
            withKey.Headers.Add("DPoP", key.Proof("GET", "http://localhost/api/v1/auth/me", bound));
            withKey.Headers.Add("X-Request-Id", "with-key");
            using var answered = await client.SendAsync(withKey);
            Assert.Equal(HttpStatusCode.OK, answered.StatusCode);
        }

        using (var withoutKey = new HttpRequestMessage(HttpMethod.Get, "/api/v1/auth/me"))
        {
            withoutKey.Headers.Authorization = new System.Net.Http.Headers.AuthenticationHeaderValue("Bearer", bearer);
            withoutKey.Headers.Add("X-Request-Id", "without-key");
            (await client.SendAsync(withoutKey)).Dispose();
        }

        await AuditDatabase.WaitForAsync(site.Database, r => r.Count >= 2);

        Assert.Equal(1, await site.Database.CountAsync("SELECT COUNT(*) FROM audit_records WHERE request_id = 'with-key' AND key_thumbprint = @jkt", ("@jkt", key.Thumbprint)));
        Assert.Equal(1, await site.Database.CountAsync("SELECT COUNT(*) FROM audit_records WHERE request_id = 'without-key' AND key_thumbprint IS NULL"));
    }

    [Fact]
    public async Task AProofRefusedBecauseTheCacheCannotConfirmItIsRecordedAsAnErrorWithItsOwnReason()
    {
        var site = fixture.NewSite();
        // A cache address nothing answers at.
        await using var gateway = fixture.CreateGateway(site, new Dictionary<string, string?> { ["ConnectionStrings:cache"] = $"127.0.0.1:{AspireGateway.Tests.Ports.FreeLoopback()}" });
        using var client = gateway.CreateClient();
        using var key = AspireGateway.Tests.DPoPKey.EllipticCurve();
        var bound = fixture.Tokens.Mint(Guid.NewGuid().ToString(), roles: ["trader"], boundToThumbprint: key.Thumbprint);
        using var request = new HttpRequestMessage(HttpMethod.Get, "/api/v1/auth/me");
        request.Headers.Authorization = new System.Net.Http.Headers.AuthenticationHeaderValue("DPoP", bound);
        request.Headers.Add("DPoP", key.Proof("GET", "http://localhost/api/v1/auth/me", bound));
        request.Headers.Add("X-Request-Id", "unchecked");

        using var response = await client.SendAsync(request);
        await AuditDatabase.WaitForAsync(site.Database, r => r.Count >= 1);

        Assert.Equal(HttpStatusCode.ServiceUnavailable, response.StatusCode);
        Assert.Equal(1, await site.Database.CountAsync(
            "SELECT COUNT(*) FROM audit_records WHERE request_id = 'unchecked' AND status = 503 AND outcome = 'error' AND reason = 'dpop_replay_unchecked'"));
    }
}
