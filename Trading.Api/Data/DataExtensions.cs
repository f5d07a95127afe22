using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore;

namespace Trading.Api.Data;

internal static class DataExtensions
{
    public const string ConnectionName = "tradingdb";

    /// <summary>
    /// SQLite by default (<c>ConnectionStrings:tradingdb</c>, a file). Endpoints only see
    /// <see cref="TradingDbContext"/>, so another provider is a change here and a migrations set.
    /// </summary>
    public static IHostApplicationBuilder AddTradingData(this IHostApplicationBuilder builder)
    {
        var connectionString = builder.Configuration.GetConnectionString(ConnectionName) ?? "Data Source=data/trading.db";
        EnsureDirectory(connectionString);
        builder.Services.AddDbContext<TradingDbContext>(options => options.UseSqlite(connectionString));
        builder.Services.AddHealthChecks().AddDbContextCheck<TradingDbContext>("tradingdb");
        return builder;
    }

    /// <summary>Applies pending migrations and switches SQLite to WAL so readers never wait for the writer.</summary>
    public static async Task MigrateTradingDataAsync(this WebApplication app)
    {
        await using var scope = app.Services.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<TradingDbContext>();
        await db.Database.MigrateAsync();
        if (db.Database.IsSqlite())
        {
            await db.Database.ExecuteSqlRawAsync("PRAGMA journal_mode=WAL;");
        }
    }

    private static void EnsureDirectory(string connectionString)
    {
        var dataSource = new SqliteConnectionStringBuilder(connectionString).DataSource;
        var directory = Path.GetDirectoryName(Path.GetFullPath(dataSource));
        if (!string.IsNullOrEmpty(directory))
        {
            Directory.CreateDirectory(directory);
        }
    }
}
