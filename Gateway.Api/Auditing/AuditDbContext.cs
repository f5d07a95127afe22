using System.Text.Json;
using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Design;

namespace Gateway.Api.Auditing;

/// <summary>
/// The audit store. Endpoints, the writer and the offline verifier only see this context, so a
/// PostgreSQL provider is one more branch in <see cref="AuditStorage.Configure"/> plus its own
/// migrations set. Columns are snake_case so that auditors can read the table with plain SQL.
/// </summary>
internal sealed class AuditDbContext(DbContextOptions<AuditDbContext> options) : DbContext(options)
{
    public DbSet<AuditRecord> Records => Set<AuditRecord>();

    public DbSet<AuditCursor> Cursors => Set<AuditCursor>();

    protected override void OnModelCreating(ModelBuilder modelBuilder)
    {
        modelBuilder.Entity<AuditRecord>(record =>
        {
            record.ToTable("audit_records");
            record.HasKey(r => r.Id);
            record.HasIndex(r => new { r.ChainId, r.Seq }).IsUnique();
            record.HasIndex(r => r.Time);
            record.HasIndex(r => r.Actor);
            record.Property(r => r.ChainId).HasMaxLength(100);
            record.Property(r => r.Hash).HasMaxLength(64);
            record.Property(r => r.PrevHash).HasMaxLength(64);
            // SQLite hands DateTime back without a kind; every stored time is UTC.
            record.Property(r => r.Time).HasConversion(v => v, v => DateTime.SpecifyKind(v, DateTimeKind.Utc));
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

internal static class AuditStorage
{
    public const string ConnectionName = "auditdb";
    public const string DefaultConnectionString = "Data Source=data/audit.db";

    public static string ConnectionString(IConfiguration configuration) =>
        configuration.GetConnectionString(ConnectionName) ?? DefaultConnectionString;

    public static void Configure(DbContextOptionsBuilder options, string connectionString, TimeSpan commandTimeout)
    {
        // A locked file must fail fast (and the group go to the spill file), not wait 30 s.
        var seconds = Math.Max(1, (int)Math.Ceiling(commandTimeout.TotalSeconds));
        var sqlite = new SqliteConnectionStringBuilder(connectionString) { DefaultTimeout = seconds };
        options.UseSqlite(sqlite.ToString(), o => o.CommandTimeout(seconds));
    }

    /// <summary>The folder of a SQLite file, created if it can be; null for an in-memory database.</summary>
    public static string? EnsureDirectory(string connectionString)
    {
        var dataSource = new SqliteConnectionStringBuilder(connectionString).DataSource;
        if (string.IsNullOrEmpty(dataSource) || dataSource == ":memory:")
        {
            return null;
        }

        var directory = Path.GetDirectoryName(Path.GetFullPath(dataSource)) ?? Directory.GetCurrentDirectory();
        try
        {
            Directory.CreateDirectory(directory);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            // The gateway still starts: the writer reports the store as unavailable and keeps trying.
        }

        return directory;
    }
}

/// <summary>Lets <c>dotnet ef</c> build the model without starting the gateway and its dependencies.</summary>
internal sealed class AuditDesignTimeFactory : IDesignTimeDbContextFactory<AuditDbContext>
{
    public AuditDbContext CreateDbContext(string[] args)
    {
        var options = new DbContextOptionsBuilder<AuditDbContext>();
        AuditStorage.Configure(options, AuditStorage.DefaultConnectionString, TimeSpan.FromSeconds(30));
        return new AuditDbContext(options.Options);
    }
}
