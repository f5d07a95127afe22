using System.Text;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Trading.Api.Accounts;
using Trading.Api.Data;

namespace Trading.Api.Tests;

public sealed class EncryptionAtRestTests(TradingFixture fixture) : IClassFixture<TradingFixture>
{
    [Fact]
    public async Task TheDatabaseFileHoldsNoAccountNumberInClear()
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

        var raw = ReadDatabaseFiles();

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

    private string ReadDatabaseFiles()
    {
        var text = new StringBuilder();
        foreach (var path in new[] { fixture.DatabasePath, fixture.DatabasePath + "-wal" }.Where(File.Exists))
        {
            using var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete);
            using var reader = new StreamReader(stream, Encoding.Latin1);
            text.Append(reader.ReadToEnd());
        }

        return text.ToString();
    }
}
