using System.Text;
using AspireGateway.Tests;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Trading.Api.Accounts;
using Trading.Api.Data;

namespace Trading.Api.Tests;

public sealed class EncryptionAtRestTests(TradingFixture fixture) : IClassFixture<TradingFixture>
{
    [Fact]
    public async Task TheDatabaseHoldsNoAccountNumberInClear()
    {
        using var client = fixture.Client(fixture.Tokens.Trader());
        var account = await client.AccountAsync();
        string accountNumber, cipher;
        await using (var scope = fixture.Service.Services.CreateAsyncScope())
        {
            var stored = await scope.ServiceProvider.GetRequiredService<TradingDbContext>().Accounts.AsNoTracking().SingleAsync(a => a.Id == account.AccountId);
            cipher = stored.AccountNumberCipher;
            accountNumber = fixture.Get<AccountNumberProtector>().Unprotect(cipher, stored.Id);
        }

        var raw = await ReadDatabaseAsync();

        Assert.Equal(account.AccountNumber, AccountNumberProtector.Mask(accountNumber));
        Assert.Contains(cipher, raw, StringComparison.Ordinal);
        Assert.DoesNotContain(accountNumber, raw, StringComparison.Ordinal);
    }

    [Fact]
    public void TheSameNumberSealsDifferentlyEachTimeAndOnlyForItsOwnAccount()
    {
        var protector = fixture.Get<AccountNumberProtector>();
        var id = Guid.NewGuid();

        var first = protector.Protect("123456789012", id);
        var second = protector.Protect("123456789012", id);

        Assert.NotEqual(first, second);
        Assert.StartsWith("k1:", first, StringComparison.Ordinal);
        Assert.Equal("123456789012", protector.Unprotect(second, id));
        Assert.ThrowsAny<System.Security.Cryptography.CryptographicException>(() => protector.Unprotect(first, Guid.NewGuid()));
    }

    /// <summary>The SQLite file and its log byte for byte; on PostgreSQL, every account row as text.</summary>
    private async Task<string> ReadDatabaseAsync()
    {
        var text = new StringBuilder();
        if (fixture.Database.File is not { } file)
        {
            await using var connection = await fixture.Database.OpenAsync();
            await using var command = TestDatabase.Command(connection, """SELECT row_to_json(a)::text FROM "Accounts" AS a""");
            await using var rows = await command.ExecuteReaderAsync();
            while (await rows.ReadAsync())
            {
                text.Append(rows.GetString(0));
            }

            return text.ToString();
        }

        foreach (var path in new[] { file, file + "-wal" }.Where(File.Exists))
        {
            using var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete);
            using var reader = new StreamReader(stream, Encoding.Latin1);
            text.Append(reader.ReadToEnd());
        }

        return text.ToString();
    }
}
