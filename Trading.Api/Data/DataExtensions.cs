using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Design;

namespace Trading.Api.Data;

internal static class DataExtensions
{
    public const string ConnectionName = "tradingdb";

    /// <summary>
    /// The trading database (<c>ConnectionStrings:tradingdb</c>: PostgreSQL, or SQLite with
    /// <c>data/trading.db</c> as the default), migrated before the matcher starts. Endpoints only
    /// see <see cref="TradingDbContext"/>.
    /// </summary>
    public static IHostApplicationBuilder AddTradingData(this IHostApplicationBuilder builder)
    {
        builder.AddStore<TradingDbContext, SqliteTradingDbContext, PostgresTradingDbContext>(ConnectionName, "data/trading.db");
        return builder;
    }
}

/// <summary>Lets <c>dotnet ef migrations add --context SqliteTradingDbContext</c> build the model.</summary>
internal sealed class SqliteDesignTimeFactory : IDesignTimeDbContextFactory<SqliteTradingDbContext>
{
    public SqliteTradingDbContext CreateDbContext(string[] args) =>
        new(new DbContextOptionsBuilder<SqliteTradingDbContext>().UseSqlite("Data Source=design-time.db").Options);
}

/// <summary>Lets <c>dotnet ef migrations add --context PostgresTradingDbContext</c> build the model; no server is contacted.</summary>
internal sealed class PostgresDesignTimeFactory : IDesignTimeDbContextFactory<PostgresTradingDbContext>
{
    public PostgresTradingDbContext CreateDbContext(string[] args) =>
        new(new DbContextOptionsBuilder<PostgresTradingDbContext>().UseNpgsql("Host=localhost;Database=tradingdb").Options);
}
