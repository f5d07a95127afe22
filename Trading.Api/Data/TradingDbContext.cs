using Microsoft.EntityFrameworkCore;
using Trading.Api.Accounts;
using Trading.Api.Orders;
using Trading.Api.Portfolio;

namespace Trading.Api.Data;

/// <summary>
/// The trading database. Nothing here is specific to an engine: <see cref="SqliteTradingDbContext"/>
/// and <see cref="PostgresTradingDbContext"/> exist only so that each has its own migrations set.
/// </summary>
internal abstract class TradingDbContext(DbContextOptions options) : DbContext(options)
{
    // Money: 4 decimals (sub-cent prices); quantities: 8 decimals (fractional instruments).
    private const int Precision = 28;

    public DbSet<Account> Accounts => Set<Account>();

    public DbSet<Position> Positions => Set<Position>();

    public DbSet<Order> Orders => Set<Order>();

    public DbSet<Execution> Executions => Set<Execution>();

    public DbSet<IdempotencyRecord> IdempotencyRecords => Set<IdempotencyRecord>();

    protected override void OnModelCreating(ModelBuilder modelBuilder)
    {
        modelBuilder.Entity<Account>(account =>
        {
            account.HasKey(a => a.Id);
            // Paper trading: one account per owner, so a race on first use cannot create two.
            account.HasIndex(a => a.OwnerId).IsUnique();
            account.Property(a => a.Currency).HasMaxLength(3);
            account.Property(a => a.Cash).HasPrecision(Precision, 4);
            account.Property(a => a.ReservedCash).HasPrecision(Precision, 4);
            account.Property(a => a.Version).IsConcurrencyToken();
        });

        modelBuilder.Entity<Position>(position =>
        {
            position.HasKey(p => new { p.AccountId, p.Symbol });
            position.Property(p => p.Symbol).HasMaxLength(16);
            position.Property(p => p.Quantity).HasPrecision(Precision, 8);
            position.Property(p => p.ReservedQuantity).HasPrecision(Precision, 8);
            position.Property(p => p.AveragePrice).HasPrecision(Precision, 4);
        });

        modelBuilder.Entity<Order>(order =>
        {
            order.HasKey(o => o.Sequence);
            order.Property(o => o.Sequence).ValueGeneratedOnAdd();
            order.HasIndex(o => o.Id).IsUnique();
            order.HasIndex(o => new { o.OwnerId, o.IdempotencyKey }).IsUnique();
            order.HasIndex(o => o.Status);
            order.Property(o => o.Symbol).HasMaxLength(16);
            order.Property(o => o.IdempotencyKey).HasMaxLength(255);
            order.Property(o => o.Side).HasConversion<string>().HasMaxLength(8);
            order.Property(o => o.Type).HasConversion<string>().HasMaxLength(8);
            order.Property(o => o.TimeInForce).HasConversion<string>().HasMaxLength(8);
            order.Property(o => o.Status).HasConversion<string>().HasMaxLength(16);
            order.Property(o => o.Quantity).HasPrecision(Precision, 8);
            order.Property(o => o.FilledQuantity).HasPrecision(Precision, 8);
            order.Property(o => o.LimitPrice).HasPrecision(Precision, 4);
            order.Property(o => o.AverageFillPrice).HasPrecision(Precision, 4);
            order.Property(o => o.ReservedCash).HasPrecision(Precision, 4);
            order.Property(o => o.Version).IsConcurrencyToken();
            order.HasMany(o => o.Executions).WithOne().HasForeignKey(e => e.OrderId).HasPrincipalKey(o => o.Id);
            order.Ignore(o => o.RemainingQuantity);
            order.Ignore(o => o.IsOpen);
        });

        modelBuilder.Entity<Execution>(execution =>
        {
            execution.Property(e => e.Quantity).HasPrecision(Precision, 8);
            execution.Property(e => e.Price).HasPrecision(Precision, 4);
        });

        modelBuilder.Entity<IdempotencyRecord>(record =>
        {
            record.HasKey(r => new { r.OwnerId, r.Key });
            record.Property(r => r.Key).HasMaxLength(255);
        });
    }
}

/// <summary>The trading database on SQLite (the embedded default); migrations in <c>Migrations/Sqlite</c>.</summary>
internal sealed class SqliteTradingDbContext(DbContextOptions<SqliteTradingDbContext> options) : TradingDbContext(options);

/// <summary>The trading database on PostgreSQL; migrations in <c>Migrations/Postgres</c>.</summary>
internal sealed class PostgresTradingDbContext(DbContextOptions<PostgresTradingDbContext> options) : TradingDbContext(options);
