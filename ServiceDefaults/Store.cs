using System.Data.Common;
using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Npgsql;

namespace Microsoft.Extensions.Hosting;

/// <summary>The database engine behind a service's store.</summary>
public enum StoreProvider
{
    /// <summary>A file next to the process: the embedded default, one process on one machine.</summary>
    Sqlite,

    /// <summary>A shared server: every replica of a service reads and writes the same rows.</summary>
    PostgreSql,
}

/// <summary>
/// One way for every service to open its database. <c>ConnectionStrings:{name}</c> chooses the
/// engine: a PostgreSQL connection string (<c>Host=...</c>) or a SQLite one (<c>Data Source=...</c>);
/// without one, the service's default SQLite file. Each engine has its own context type deriving from
/// the service's context (<c>TSqlite</c>, <c>TPostgres</c>), because
/// each has its own generated migrations set; the service itself only ever asks for the base type.
/// </summary>
public static class StoreExtensions
{
    /// <summary>
    /// Registers the service's context (scoped, and as a factory), a readiness check named after the
    /// connection (unless <paramref name="readiness"/> is false: a store the service works without),
    /// and returns the engine chosen. <paramref name="commandTimeout"/> bounds every command
    /// (on SQLite also the wait for a locked file). With <paramref name="migrateAtStart"/> the schema is
    /// brought up to date before the other hosted services start: call it before they are added.
    /// </summary>
    public static StoreProvider AddStore<TContext, TSqlite, TPostgres>(
        this IHostApplicationBuilder builder,
        string connectionName,
        string defaultSqliteFile,
        Action<IServiceProvider, DbContextOptionsBuilder>? configure = null,
        TimeSpan? commandTimeout = null,
        bool migrateAtStart = true,
        bool readiness = true)
        where TContext : DbContext
        where TSqlite : TContext
        where TPostgres : TContext
    {
        var connectionString = builder.Configuration.GetConnectionString(connectionName) ?? $"Data Source={defaultSqliteFile}";
        var provider = ProviderOf(connectionString);
        int? seconds = commandTimeout is { } timeout ? Math.Max(1, (int)Math.Ceiling(timeout.TotalSeconds)) : null;
        if (provider == StoreProvider.PostgreSql)
        {
            Register<TContext, TPostgres>(builder.Services, (services, options) =>
            {
                options.UseNpgsql(connectionString, npgsql => npgsql.CommandTimeout(seconds));
                configure?.Invoke(services, options);
            });

            // Aspire's integration adds Npgsql's traces and metrics. Its retrying strategy stays off: the
            // services run their own transactions and decide themselves what a conflict means.
            builder.EnrichNpgsqlDbContext<TPostgres>(settings =>
            {
                settings.DisableRetry = true;
                settings.DisableHealthChecks = true;
            });
        }
        else
        {
            EnsureFolder(connectionString);
            Register<TContext, TSqlite>(builder.Services, (services, options) =>
            {
                options.UseSqlite(connectionString, sqlite => sqlite.CommandTimeout(seconds));
                configure?.Invoke(services, options);
            });
        }

        if (readiness)
        {
            builder.Services.AddHealthChecks().AddCheck<StoreHealthCheck<TContext>>(connectionName, timeout: TimeSpan.FromSeconds(2));
        }

        if (migrateAtStart)
        {
            builder.Services.AddHostedService<StoreMigrator<TContext>>();
        }

        return provider;
    }

    /// <summary>PostgreSQL when the connection string names a host, SQLite otherwise.</summary>
    public static StoreProvider ProviderOf(string connectionString)
    {
        var parts = new DbConnectionStringBuilder { ConnectionString = connectionString };
        return parts.ContainsKey("Host") || parts.ContainsKey("Server") ? StoreProvider.PostgreSql : StoreProvider.Sqlite;
    }

    /// <summary>
    /// The one way the services bring a schema up to date. EF Core holds a migration lock meanwhile
    /// (an advisory lock on PostgreSQL, a lock table on SQLite), so replicas starting together apply
    /// each migration once. A database that does not exist yet is created first; when replicas race
    /// to create it, the loser finds it made. SQLite then runs in WAL mode, so readers never wait for
    /// the writer.
    /// </summary>
    public static async Task MigrateStoreAsync(this DbContext db, CancellationToken cancellationToken)
    {
        try
        {
            await db.Database.MigrateAsync(cancellationToken);
        }
        catch (PostgresException ex) when (ex.SqlState == PostgresErrorCodes.DuplicateDatabase)
        {
            await db.Database.MigrateAsync(cancellationToken);
        }

        if (db.Database.IsSqlite())
        {
            await db.Database.ExecuteSqlRawAsync("PRAGMA journal_mode=WAL;", cancellationToken);
        }
    }

    /// <summary>A unique index or primary key refused the write (both engines).</summary>
    public static bool IsUniqueViolation(this DbUpdateException exception) => exception.InnerException switch
    {
        SqliteException { SqliteErrorCode: 19, SqliteExtendedErrorCode: 2067 or 1555 } => true,
        PostgresException { SqlState: PostgresErrorCodes.UniqueViolation } => true,
        _ => false,
    };

    /// <summary>
    /// Another writer got there first: a concurrency token that no longer matches, or a transaction
    /// the database chose to abort (a deadlock or a serialization failure). Reading again and
    /// deciding again is the answer to each.
    /// </summary>
    public static bool IsWriteConflict(this DbUpdateException exception) =>
        exception is DbUpdateConcurrencyException
        || exception.InnerException is PostgresException { SqlState: PostgresErrorCodes.DeadlockDetected or PostgresErrorCodes.SerializationFailure };

    private static void Register<TContext, TImplementation>(IServiceCollection services, Action<IServiceProvider, DbContextOptionsBuilder> configure)
        where TContext : DbContext
        where TImplementation : TContext
    {
        services.AddDbContextFactory<TImplementation>(configure);
        services.AddScoped<TContext>(provider => provider.GetRequiredService<TImplementation>());
        services.AddSingleton<IDbContextFactory<TContext>>(provider =>
            new BaseContextFactory<TContext, TImplementation>(provider.GetRequiredService<IDbContextFactory<TImplementation>>()));
    }

    private static void EnsureFolder(string connectionString)
    {
        var path = new SqliteConnectionStringBuilder(connectionString).DataSource;
        if (string.IsNullOrEmpty(path) || path == ":memory:")
        {
            return;
        }

        var folder = Path.GetDirectoryName(Path.GetFullPath(path));
        try
        {
            if (!string.IsNullOrEmpty(folder))
            {
                Directory.CreateDirectory(folder);
            }
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            // The service still starts; its readiness check reports the store as unavailable.
        }
    }

    private sealed class BaseContextFactory<TContext, TImplementation>(IDbContextFactory<TImplementation> inner) : IDbContextFactory<TContext>
        where TContext : DbContext
        where TImplementation : TContext
    {
        public TContext CreateDbContext() => inner.CreateDbContext();
    }
}

/// <summary>Readiness includes the store: without it the service can answer nothing that matters.</summary>
internal sealed class StoreHealthCheck<TContext>(TContext db) : IHealthCheck where TContext : DbContext
{
    public async Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default) =>
        await db.Database.CanConnectAsync(cancellationToken)
            ? HealthCheckResult.Healthy()
            : HealthCheckResult.Unhealthy("The database did not answer.");
}

/// <summary>Brings the schema up to date before the service's other hosted services start.</summary>
internal sealed class StoreMigrator<TContext>(IServiceScopeFactory scopes) : IHostedService where TContext : DbContext
{
    public async Task StartAsync(CancellationToken cancellationToken)
    {
        await using var scope = scopes.CreateAsyncScope();
        await scope.ServiceProvider.GetRequiredService<TContext>().MigrateStoreAsync(cancellationToken);
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
}
