using System.Text.Json;
using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Design;

namespace Gateway.Api.Auditing;

/// <summary>
/// The audit store. Endpoints, the writer and the offline verifier only see this context;
/// <see cref="SqliteAuditDbContext"/> and <see cref="PostgresAuditDbContext"/> exist only so that each
/// engine has its own migrations set. Columns are snake_case so that auditors can read the table
/// with plain SQL.
/// </summary>
internal abstract class AuditDbContext(DbContextOptions options) : DbContext(options)
{
    public DbSet<AuditRecord> Records => Set<AuditRecord>();

    public DbSet<AuditCursor> Cursors => Set<AuditCursor>();

    public DbSet<AuditLogHead> Heads => Set<AuditLogHead>();

    public DbSet<AuditNode> Nodes => Set<AuditNode>();

    public DbSet<AuditCheckpoint> Checkpoints => Set<AuditCheckpoint>();

    protected override void OnModelCreating(ModelBuilder modelBuilder)
    {
        modelBuilder.Entity<AuditRecord>(record =>
        {
            record.ToTable("audit_records");
            record.HasKey(r => r.Id);
            record.HasIndex(r => r.LeafIndex).IsUnique();
            record.HasIndex(r => r.Time);
            record.HasIndex(r => r.Actor);
            record.Property(r => r.LeafHash).HasMaxLength(64);
            record.Property(r => r.KeyThumbprint).HasMaxLength(64);
            record.Property(r => r.ChainId).HasMaxLength(100);
            record.Property(r => r.Hash).HasMaxLength(64);
            record.Property(r => r.PrevHash).HasMaxLength(64);
            // SQLite hands DateTime back without a kind; every stored time is UTC.
            record.Property(r => r.Time).HasConversion(v => v, v => DateTime.SpecifyKind(v, DateTimeKind.Utc));
        });

        modelBuilder.Entity<AuditLogHead>(head =>
        {
            head.ToTable("audit_log");
            head.HasKey(h => h.Id);
            head.Property(h => h.Id).ValueGeneratedNever();
            head.HasData(new AuditLogHead { Id = AuditLogHead.SingleId, Size = 0, Frontier = string.Empty });
        });

        modelBuilder.Entity<AuditNode>(node =>
        {
            node.ToTable("audit_nodes");
            node.HasKey(n => new { n.Level, n.Position });
            node.Property(n => n.Hash).HasMaxLength(64);
        });

        modelBuilder.Entity<AuditCheckpoint>(checkpoint =>
        {
            checkpoint.ToTable("audit_checkpoints");
            checkpoint.HasKey(c => c.TreeSize);
            checkpoint.Property(c => c.TreeSize).ValueGeneratedNever();
            checkpoint.Property(c => c.LogId).HasMaxLength(64);
            checkpoint.Property(c => c.RootHash).HasMaxLength(64);
            checkpoint.Property(c => c.Signature).HasMaxLength(200);
            checkpoint.Property(c => c.Time).HasConversion(v => v, v => DateTime.SpecifyKind(v, DateTimeKind.Utc));
        });

        modelBuilder.Entity<AuditCursor>(cursor =>
        {
            cursor.ToTable("audit_cursors");
            cursor.HasKey(c => c.Name);
            cursor.Property(c => c.Name).HasMaxLength(200);
        });

        foreach (var property in modelBuilder.Model.GetEntityTypes().SelectMany(e => e.GetProperties()))
        {
            property.SetColumnName(JsonNamingPolicy.SnakeCaseLower.ConvertName(property.Name));
        }
    }
}

/// <summary>The audit store on SQLite (the embedded default); migrations in <c>Migrations/Sqlite</c>.</summary>
internal sealed class SqliteAuditDbContext(DbContextOptions<SqliteAuditDbContext> options) : AuditDbContext(options);

/// <summary>The audit store on PostgreSQL; migrations in <c>Migrations/Postgres</c>.</summary>
internal sealed class PostgresAuditDbContext(DbContextOptions<PostgresAuditDbContext> options) : AuditDbContext(options);

internal static class AuditStorage
{
    public const string ConnectionName = "auditdb";
    public const string DefaultFile = "data/audit.db";

    /// <summary>
    /// Registers the store. A locked SQLite file or a slow server must fail a commit fast (and the
    /// group go to the spill file), not wait 30 s. The schema is applied by the writer, lazily, and
    /// the store is not part of readiness: the gateway starts and serves while it is down, records
    /// wait in the spill file, and the writer's own health entry reports it.
    /// </summary>
    public static void AddAuditStore(this IHostApplicationBuilder builder)
    {
        var options = builder.Configuration.GetSection(AuditOptions.Section).Get<AuditOptions>() ?? new AuditOptions();
        builder.AddStore<AuditDbContext, SqliteAuditDbContext, PostgresAuditDbContext>(
            ConnectionName, DefaultFile, commandTimeout: options.CommitTimeout, migrateAtStart: false, readiness: false);
    }

    /// <summary>The folder of the SQLite file, where the spill files go too; null for a server or in-memory database.</summary>
    public static string? SqliteFolder(IConfiguration configuration)
    {
        var connectionString = configuration.GetConnectionString(ConnectionName) ?? $"Data Source={DefaultFile}";
        if (StoreExtensions.ProviderOf(connectionString) != StoreProvider.Sqlite)
        {
            return null;
        }

        var dataSource = new SqliteConnectionStringBuilder(connectionString).DataSource;
        return string.IsNullOrEmpty(dataSource) || dataSource == ":memory:"
            ? null
            : Path.GetDirectoryName(Path.GetFullPath(dataSource)) ?? Directory.GetCurrentDirectory();
    }
}

/// <summary>Lets <c>dotnet ef migrations add --context SqliteAuditDbContext</c> build the model.</summary>
internal sealed class SqliteAuditDesignTimeFactory : IDesignTimeDbContextFactory<SqliteAuditDbContext>
{
    public SqliteAuditDbContext CreateDbContext(string[] args) =>
        new(new DbContextOptionsBuilder<SqliteAuditDbContext>().UseSqlite($"Data Source={AuditStorage.DefaultFile}").Options);
}

/// <summary>Lets <c>dotnet ef migrations add --context PostgresAuditDbContext</c> build the model; no server is contacted.</summary>
internal sealed class PostgresAuditDesignTimeFactory : IDesignTimeDbContextFactory<PostgresAuditDbContext>
{
    public PostgresAuditDbContext CreateDbContext(string[] args) =>
        new(new DbContextOptionsBuilder<PostgresAuditDbContext>().UseNpgsql("Host=localhost;Database=auditdb").Options);
}
