using Identity.Api.Events;
using Identity.Api.Keys;
using Identity.Api.Sessions;
using Identity.Api.Users;
using Microsoft.AspNetCore.Identity;
using Microsoft.AspNetCore.Identity.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore;

namespace Identity.Api.Data;

/// <summary>
/// The identity database: ASP.NET Core Identity users and roles, OpenIddict applications,
/// authorizations (sessions) and tokens, the signing keys, the security-event outbox and the
/// session revocations still to be published to the cache.
/// Nothing here is specific to an engine: <see cref="SqliteIdentityDb"/> and
/// <see cref="PostgresIdentityDb"/> exist only so that each engine has its own migrations set.
/// </summary>
internal abstract class IdentityDb(DbContextOptions options) : IdentityDbContext<User, IdentityRole, string>(options)
{
    public DbSet<SecurityEvent> SecurityEvents => Set<SecurityEvent>();

    public DbSet<ServerKey> ServerKeys => Set<ServerKey>();

    public DbSet<PendingRevocation> PendingRevocations => Set<PendingRevocation>();

    protected override void OnModelCreating(ModelBuilder builder)
    {
        base.OnModelCreating(builder);
        builder.UseOpenIddict();

        // Emails compare case-insensitively through the normalized column; a unique index closes the
        // race between two concurrent registrations that the UserValidator check alone leaves open.
        builder.Entity<User>().HasIndex(user => user.NormalizedEmail).IsUnique();

        builder.Entity<SecurityEvent>(events =>
        {
            events.ToTable("SecurityEvents");
            events.HasKey(e => e.Id);
            events.Property(e => e.Id).ValueGeneratedOnAdd();
            events.Property(e => e.Type).HasMaxLength(64);
            events.Property(e => e.Outcome).HasMaxLength(32);
            events.Property(e => e.Reason).HasMaxLength(128);
            events.Property(e => e.UserId).HasMaxLength(64);
            events.Property(e => e.ClientId).HasMaxLength(128);
            events.Property(e => e.ClientIp).HasMaxLength(64);
            events.Property(e => e.SessionId).HasMaxLength(64);
            events.Property(e => e.Time).HasConversion(time => time.ToUnixTimeMilliseconds(), value => DateTimeOffset.FromUnixTimeMilliseconds(value));
        });

        builder.Entity<PendingRevocation>(pending =>
        {
            pending.ToTable("PendingRevocations");
            pending.HasKey(p => p.Id);
            pending.Property(p => p.Id).ValueGeneratedOnAdd();
            pending.Property(p => p.SessionId).HasMaxLength(64);
            pending.Property(p => p.ExpiresAt).HasConversion(time => time.ToUnixTimeMilliseconds(), value => DateTimeOffset.FromUnixTimeMilliseconds(value));
        });

        builder.Entity<ServerKey>(keys =>
        {
            keys.ToTable("ServerKeys");
            keys.HasKey(k => k.Id);
            keys.Property(k => k.Id).HasMaxLength(64);
            keys.Property(k => k.Use).HasMaxLength(8);
            keys.HasIndex(k => new { k.Use, k.Generation }).IsUnique();
            keys.Property(k => k.Algorithm).HasMaxLength(16);
            keys.Property(k => k.Protection).HasMaxLength(16);
            keys.Property(k => k.CreatedAt).HasConversion(time => time.ToUnixTimeMilliseconds(), value => DateTimeOffset.FromUnixTimeMilliseconds(value));
            keys.Property(k => k.ActivatesAt).HasConversion(time => time.ToUnixTimeMilliseconds(), value => DateTimeOffset.FromUnixTimeMilliseconds(value));
        });

        builder.Entity<User>().Property(u => u.CreatedAt)
            .HasConversion(time => time.ToUnixTimeMilliseconds(), value => DateTimeOffset.FromUnixTimeMilliseconds(value));
    }
}

/// <summary>The identity database on SQLite (the embedded default); migrations in <c>Migrations/Sqlite</c>.</summary>
internal sealed class SqliteIdentityDb(DbContextOptions<SqliteIdentityDb> options) : IdentityDb(options);

/// <summary>The identity database on PostgreSQL; migrations in <c>Migrations/Postgres</c>.</summary>
internal sealed class PostgresIdentityDb(DbContextOptions<PostgresIdentityDb> options) : IdentityDb(options);
