using AspireGateway.Tests;
using System.IdentityModel.Tokens.Jwt;
using System.Net;
using System.Net.Http.Json;

namespace Identity.Api.Tests;

[Collection(IdentityCollection.Name)]
public sealed class SecurityEventTests(IdentityFixture fixture)
{
    [Fact]
    public async Task LoginFailureSuccessRefreshReuseAndLogoutLandInTheOutboxInOrder()
    {
        using var api = fixture.Api();
        var (_, email, password) = await api.NewUserAsync();
        await api.StatusAsync(api.LoginAsync(email, IdentityClient.NewPassword()));
        var tokens = await api.LoginOkAsync(email, password);
        var userId = new JwtSecurityTokenHandler().ReadJwtToken(tokens.AccessToken).Subject;
        var sid = SessionTests.Sid(tokens.AccessToken);
        using var refreshed = await api.RefreshAsync(tokens.RefreshToken!);
        await api.StatusAsync(api.RefreshAsync(tokens.RefreshToken!));

        var events = await EventsAsync(userId);

        Assert.Equal(
            ["registered", "login_failed", "login_succeeded", "token_refreshed", "refresh_token_reused", "session_revoked"],
            events.Select(e => e.Type));
        Assert.Equal("wrong_password", events[1].Reason);
        Assert.All(events.Skip(2), e => Assert.Equal(sid, e.SessionId));
        Assert.All(events, e => Assert.Equal("gateway-web", e.ClientId ?? "gateway-web"));
        Assert.True(events.Zip(events.Skip(1)).All(pair => pair.First.Id < pair.Second.Id));
    }

    [Fact]
    public async Task TheOutboxNeverHoldsAPasswordOrAToken()
    {
        using var api = fixture.Api();
        var (tokens, email, password) = await api.NewUserAsync();
        await api.StatusAsync(api.LoginAsync(email, password + "x"));
        await api.StatusAsync(api.PostAsync("/api/v1/auth/logout", tokens.AccessToken));

        await using var connection = await fixture.Database.OpenAsync();
        await using var command = TestDatabase.Command(connection, """SELECT * FROM "SecurityEvents" """);
        await using var reader = await command.ExecuteReaderAsync();
        while (await reader.ReadAsync())
        {
            for (var column = 0; column < reader.FieldCount; column++)
            {
                var value = reader.IsDBNull(column) ? string.Empty : reader.GetValue(column).ToString()!;
                Assert.DoesNotContain(password, value, StringComparison.Ordinal);
                Assert.DoesNotContain(tokens.RefreshToken!, value, StringComparison.Ordinal);
                Assert.DoesNotContain(email, value, StringComparison.OrdinalIgnoreCase);
            }
        }
    }

    [Fact]
    public async Task NoLogLineFromInformationUpHoldsAPasswordATokenOrAClientSecret()
    {
        var logs = new CapturedLogs();
        await using var service = fixture.WithSettings(new Dictionary<string, string?>(), logs: logs);
        using var api = new IdentityClient(service.CreateClient());
        var (first, email, password) = await api.NewUserAsync();
        await api.StatusAsync(api.LoginAsync(email, password + "x"));
        using var refreshed = await api.RefreshAsync(first.RefreshToken!);
        var second = (await refreshed.Content.ReadFromJsonAsync<TokenResponse>())!;
        await api.StatusAsync(api.RefreshAsync(first.RefreshToken!));
        await api.StatusAsync(api.TokenAsync(("grant_type", "client_credentials"), ("client_id", IdentityFixture.PartnerClientId), ("client_secret", fixture.PartnerSecret)));

        Assert.Contains(logs.Lines, line => line.Contains(" OpenIddict.", StringComparison.Ordinal));
        Assert.Contains(logs.Lines, line => line.Contains("refresh_token_reused", StringComparison.Ordinal));
        foreach (var secret in new[] { password, first.AccessToken, first.RefreshToken!, second.AccessToken, second.RefreshToken!, fixture.PartnerSecret, fixture.DemoPassword })
        {
            var leak = logs.Lines.FirstOrDefault(line => line.Contains(secret, StringComparison.Ordinal));
            Assert.True(leak is null, $"a log line holds a secret: {leak?[..Math.Min(leak.Length, 600)]}");
        }
    }

    [Fact]
    public async Task RefreshTokensAreStoredOnlyAsHashes()
    {
        using var api = fixture.Api();
        var (tokens, _, _) = await api.NewUserAsync();

        Assert.Equal(0L, await fixture.Database.CountAsync(
            """SELECT COUNT(*) FROM "OpenIddictTokens" WHERE "ReferenceId" = @token OR "Payload" LIKE '%' || @token || '%'""", ("@token", tokens.RefreshToken)));
        Assert.True(await fixture.Database.CountAsync(
            """SELECT COUNT(*) FROM "OpenIddictTokens" WHERE "Type" LIKE '%refresh_token' AND "ReferenceId" IS NOT NULL""") > 0);
    }

    private async Task<List<Row>> EventsAsync(string userId)
    {
        await using var connection = await fixture.Database.OpenAsync();
        await using var command = TestDatabase.Command(connection,
            """SELECT "Id", "Type", "Reason", "SessionId", "ClientId" FROM "SecurityEvents" WHERE "UserId" = @user ORDER BY "Id" """, ("@user", userId));
        await using var reader = await command.ExecuteReaderAsync();
        var rows = new List<Row>();
        while (await reader.ReadAsync())
        {
            rows.Add(new Row(reader.GetInt64(0), reader.GetString(1), reader.IsDBNull(2) ? null : reader.GetString(2),
                reader.IsDBNull(3) ? null : reader.GetString(3), reader.IsDBNull(4) ? null : reader.GetString(4)));
        }

        return rows;
    }

    private sealed record Row(long Id, string Type, string? Reason, string? SessionId, string? ClientId);
}
