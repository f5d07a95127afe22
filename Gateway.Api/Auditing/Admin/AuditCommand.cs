using System.Text.Json;
using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore;
using Npgsql;

namespace Gateway.Api.Auditing;

/// <summary>
/// <c>dotnet run --project Gateway.Api -- audit verify --db &lt;path&gt; --checkpoint &lt;file&gt; [--log-id &lt;id&gt;]</c>:
/// rebuilds an exported audit database's log offline, without the gateway's configuration or
/// dependencies, and checks it against its stored checkpoints and a checkpoint kept elsewhere
/// (the checkpoint file, or the JSON of <c>GET /api/v1/admin/audit/checkpoint</c> saved earlier).
/// The log's public key comes from that checkpoint; <c>--log-id</c> pins it to the id the auditor
/// knows. <c>--db</c> also takes a PostgreSQL connection string (<c>Host=...</c>). Prints what
/// <c>GET /api/v1/admin/audit/verify</c> answers; exit code 0 valid, 1 broken (the output names
/// the first bad leaf), 2 unusable input.
/// </summary>
internal static class AuditCommand
{
    private const string Usage = "usage: audit verify --db <audit SQLite file | PostgreSQL connection string> --checkpoint <checkpoint JSON file> [--log-id <log id>]";

    public static bool Matches(string[] args) => args is ["audit", ..];

    public static async Task<int> RunAsync(string[] args, TextWriter output, TextWriter error)
    {
        if (args is not ["audit", "verify", .. var rest] || Options(rest) is not { } options
            || !options.TryGetValue("--db", out var path) || !options.TryGetValue("--checkpoint", out var checkpointFile))
        {
            await error.WriteLineAsync(Usage);
            return 2;
        }

        var onServer = path.Contains('=', StringComparison.Ordinal) && StoreExtensions.ProviderOf(path) == StoreProvider.PostgreSql;
        if (!onServer && !File.Exists(path))
        {
            await error.WriteLineAsync($"No such file: {path}");
            return 2;
        }

        if (!File.Exists(checkpointFile))
        {
            await error.WriteLineAsync($"No such file: {checkpointFile}");
            return 2;
        }

        var outside = OutsideCheckpoint.Parse(CheckpointCopies.FileSource, await File.ReadAllTextAsync(checkpointFile));
        if (outside.View?.PublicKeyBytes() is not { } publicKey)
        {
            await error.WriteLineAsync($"Not a checkpoint with a public key: {checkpointFile}");
            return 2;
        }

        if (options.TryGetValue("--log-id", out var logId) && logId != Checkpoint.LogIdOf(publicKey))
        {
            await error.WriteLineAsync($"The checkpoint's key is log {Checkpoint.LogIdOf(publicKey)}, not {logId}.");
            return 1;
        }

        try
        {
            await using AuditDbContext db = onServer ? OnServer(path) : InFile(path);
            var result = await AuditVerifier.VerifyAsync(db, publicKey, [outside], CancellationToken.None);
            await output.WriteLineAsync(JsonSerializer.Serialize(result, AuditJson.Default.AuditVerification));
            return result.Valid ? 0 : 1;
        }
        catch (Exception ex) when (ex is SqliteException or NpgsqlException)
        {
            await error.WriteLineAsync($"Not a readable audit database: {ex.Message}");
            return 2;
        }
    }

    private static Dictionary<string, string>? Options(string[] args)
    {
        if (args.Length % 2 != 0)
        {
            return null;
        }

        var options = new Dictionary<string, string>(StringComparer.Ordinal);
        for (var i = 0; i < args.Length; i += 2)
        {
            if (args[i] is not ("--db" or "--checkpoint" or "--log-id") || !options.TryAdd(args[i], args[i + 1]))
            {
                return null;
            }
        }

        return options;
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
