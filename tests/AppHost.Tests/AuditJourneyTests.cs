using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;
using AspireGateway.Tests;

namespace AppHost.Tests;

/// <summary>The audit trail as an auditor reads it, with every service real.</summary>
public sealed class AuditJourneyTests(AppHostFixture fixture) : IClassFixture<AppHostFixture>
{
    [Fact]
    public async Task GatewayRequestsAndIdentityEventsOfAUserAppearInTheVerifiedAuditTrail()
    {
        using var client = fixture.CreateGatewayClient();
        var email = $"audit-{Guid.NewGuid():N}@example.com";
        using var registered = await CredentialsBudget.PostAsJsonAsync(client, "/api/v1/auth/register",
            new { username = $"audit-{Guid.NewGuid():N}", email, password = "a long enough passphrase" });
        Assert.Equal(HttpStatusCode.Created, registered.StatusCode);
        var token = (await registered.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("access_token").GetString();
        using (var wrongPassword = await CredentialsBudget.PostAsJsonAsync(client, "/api/v1/auth/login", new { email, password = "not the passphrase" }))
        {
            Assert.Equal(HttpStatusCode.Unauthorized, wrongPassword.StatusCode);
        }

        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", token);
        var userId = (await client.GetFromJsonAsync<JsonElement>(new Uri("/api/v1/auth/me", UriKind.Relative))).GetProperty("user_id").GetString();
        var accounts = await client.GetFromJsonAsync<JsonElement>(new Uri("/api/v1/trading/accounts", UriKind.Relative));
        using var order = new HttpRequestMessage(HttpMethod.Post, "/api/v1/trading/orders")
        {
            Content = JsonContent.Create(new { account_id = accounts.GetProperty("accounts")[0].GetProperty("account_id").GetGuid(), symbol = "AAPL", side = "buy", type = "market", quantity = 1, time_in_force = "day" }),
        };
        order.Headers.Add("Idempotency-Key", Guid.NewGuid().ToString());
        using var placed = await client.SendAsync(order);
        Assert.Equal(HttpStatusCode.Created, placed.StatusCode);
        var receipt = System.Text.RegularExpressions.Regex.Match(placed.Headers.GetValues("Audit-Receipt").Single(), "leaf_hash=\"([0-9a-f]{64})\", time=\"([^\"]+)\"");
        var leafHash = receipt.Groups[1].Value;
        var named = $"/api/v1/admin/audit/proof/inclusion?leaf_hash={leafHash}&time={Uri.EscapeDataString(receipt.Groups[2].Value)}";

        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", await AuditorTokenAsync(client));
        var events = await PollForAsync(client, userId!, ["registered", "login_failed"], TimeSpan.FromSeconds(30));
        var verify = await client.GetFromJsonAsync<JsonElement>(new Uri("/api/v1/admin/audit/verify", UriKind.Relative));

        // The order's receipt, proved against the first checkpoint after it, by code that is not the gateway's.
        var proved = await Poll.UntilAsync(() => client.GetAsync(new Uri(named, UriKind.Relative)), HttpStatusCode.OK, TimeSpan.FromSeconds(30), TimeSpan.FromMilliseconds(250));
        Assert.Equal(HttpStatusCode.OK, proved);
        var proof = await client.GetFromJsonAsync<JsonElement>(new Uri(named, UriKind.Relative));
        var key = await client.GetFromJsonAsync<JsonElement>(new Uri("/.well-known/audit-log-key", UriKind.Relative));
        var checkpoint = IndependentLogVerifier.ReadCheckpoint(proof.GetProperty("checkpoint"), key.GetProperty("log_id").GetString());
        Assert.NotNull(checkpoint);
        Assert.True(IndependentLogVerifier.VerifyInclusion(proof, checkpoint));

        Assert.Contains(events, r => r.GetProperty("source").GetString() == "gateway" && r.GetProperty("path").GetString() == "/api/v1/trading/accounts" && r.GetProperty("status").GetInt32() == 200);
        Assert.Contains(events, r => r.GetProperty("leaf_hash").GetString() == leafHash && r.GetProperty("status").GetInt32() == 201);
        Assert.Contains(events, r => r.GetProperty("event").GetString() == "registered");
        Assert.Contains(events, r => r.GetProperty("event").GetString() == "login_failed");
        Assert.True(verify.GetProperty("valid").GetBoolean(), verify.GetRawText());
    }

    private async Task<string> AuditorTokenAsync(HttpClient client)
    {
        var password = await fixture.DemoPasswordAsync();
        using var login = await CredentialsBudget.PostAsJsonAsync(client, "/api/v1/auth/login", new { email = "auditor@example.com", password });
        Assert.Equal(HttpStatusCode.OK, login.StatusCode);
        return (await login.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("access_token").GetString()!;
    }

    /// <summary>Identity's events arrive by a pull every few seconds: wait for them, bounded.</summary>
    private static async Task<List<JsonElement>> PollForAsync(HttpClient client, string userId, string[] identityEvents, TimeSpan within)
    {
        var deadline = DateTime.UtcNow + within;
        List<JsonElement> records;
        do
        {
            var page = await client.GetFromJsonAsync<JsonElement>(new Uri($"/api/v1/admin/audit?user={Uri.EscapeDataString(userId)}&limit=100", UriKind.Relative));
            records = [.. page.GetProperty("records").EnumerateArray()];
            if (identityEvents.All(e => records.Any(r => r.GetProperty("event").GetString() == e)))
            {
                break;
            }

            await Task.Delay(500);
        }
        while (DateTime.UtcNow < deadline);
        return records;
    }
}
