using System.Text.Json;
using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore;

namespace Gateway.Api.Auditing;

/// <summary>
/// <c>dotnet run --project Gateway.Api -- audit verify --db &lt;path&gt;</c>: verifies an exported
/// audit database offline, without the gateway's configuration or dependencies. Prints what
/// <c>GET /api/v1/admin/audit/verify</c> answers; exit code 0 valid, 1 broken, 2 unusable input.
/// </summary>
internal static class AuditCommand
{
    public static bool Matches(string[] args) => args is ["audit", ..];

    public static async Task<int> RunAsync(string[] args, TextWriter output, TextWriter error)
    {
        if (args is not ["audit", "verify", "--db", var path])
        {
            await error.WriteLineAsync("usage: audit verify --db <path to the audit SQLite file>");
            return 2;
        }

        if (!File.Exists(path))
        {
            await error.WriteLineAsync($"No such file: {path}");
            return 2;
        }

        // Read-only: verifying must not change the evidence.
        var connection = new SqliteConnectionStringBuilder { DataSource = path, Mode = SqliteOpenMode.ReadOnly, Pooling = false };
        var options = new DbContextOptionsBuilder<AuditDbContext>().UseSqlite(connection.ToString()).Options;
        try
        {
            await using var db = new AuditDbContext(options);
            var result = await AuditVerifier.VerifyAsync(db, CancellationToken.None);
            await output.WriteLineAsync(JsonSerializer.Serialize(result, AuditJson.Default.AuditVerification));
            return result.Valid ? 0 : 1;
        }
        catch (SqliteException ex)
        {
            await error.WriteLineAsync($"Not a readable audit database: {ex.Message}");
            return 2;
        }
    }
}
