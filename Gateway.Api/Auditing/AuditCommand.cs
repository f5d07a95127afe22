using System.Text.Json;
using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore;
using Npgsql;

namespace Gateway.Api.Auditing;

/// <summary>
/// <c>dotnet run --project Gateway.Api -- audit verify --db &lt;path&gt;</c>: verifies an exported
/// audit database offline, without the gateway's configuration or dependencies. <c>--db</c> also
/// takes a PostgreSQL connection string (<c>Host=...</c>), for a store on a server. Prints what
/// <c>GET /api/v1/admin/audit/verify</c> answers; exit code 0 valid, 1 broken, 2 unusable input.
/// </summary>
internal static class AuditCommand
{
    public static bool Matches(string[] args) => args is ["audit", ..];

    public static async Task<int> RunAsync(string[] args, TextWriter output, TextWriter error)
    {
        if (args is not ["audit", "verify", "--db", var path])
        {
            await error.WriteLineAsync("usage: audit verify --db <path to the audit SQLite file | PostgreSQL connection string>");
            return 2;
        }

        var onServer = path.Contains('=', StringComparison.Ordinal) && StoreExtensions.ProviderOf(path) == StoreProvider.PostgreSql;
        if (!onServer && !File.Exists(path))
        {
            await error.WriteLineAsync($"No such file: {path}");
            return 2;
        }

        try
        {
            await using AuditDbContext db = onServer ? OnServer(path) : InFile(path);
            var result = await AuditVerifier.VerifyAsync(db, CancellationToken.None);
            await output.WriteLineAsync(JsonSerializer.Serialize(result, AuditJson.Default.AuditVerification));
            return result.Valid ? 0 : 1;
        }
        catch (Exception ex) when (ex is SqliteException or NpgsqlException)
        {
            await error.WriteLineAsync($"Not a readable audit database: {ex.Message}");
            return 2;
        }
    }

    /// <summary>Read-only: verifying must not change the evidence.</summary>
    private static SqliteAuditDbContext InFile(string path)
    {
        var connection = new SqliteConnectionStringBuilder { DataSource = path, Mode = SqliteOpenMode.ReadOnly, Pooling = false };
        return new(new DbContextOptionsBuilder<SqliteAuditDbContext>().UseSqlite(connection.ToString()).Options);
    }

    /// <summary>Verification only reads; give it a role that can only read, too.</summary>
    private static PostgresAuditDbContext OnServer(string connectionString) =>
        new(new DbContextOptionsBuilder<PostgresAuditDbContext>().UseNpgsql(connectionString).Options);
}
