using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore;

namespace Identity.Api.Data;

internal static class DatabaseExtensions
{
    public const string ConnectionName = "identitydb";
    private const string DefaultConnectionString = "Data Source=data/identity.db";

    public static IHostApplicationBuilder AddIdentityDatabase(this IHostApplicationBuilder builder)
    {
        var connectionString = builder.Configuration.GetConnectionString(ConnectionName) ?? DefaultConnectionString;
        EnsureFolder(connectionString);
        builder.Services.AddDbContext<IdentityDb>(options =>
        {
            options.UseSqlite(connectionString);
            options.UseOpenIddict();
        });
        builder.Services.AddHostedService<DatabaseInitializer>();
        builder.Services.AddHealthChecks().AddCheck<DatabaseHealthCheck>(ConnectionName, timeout: TimeSpan.FromSeconds(2));
        return builder;
    }

    private static void EnsureFolder(string connectionString)
    {
        var path = new SqliteConnectionStringBuilder(connectionString).DataSource;
        var folder = Path.GetDirectoryName(Path.GetFullPath(path));
        if (!string.IsNullOrEmpty(folder) && path != ":memory:")
        {
            Directory.CreateDirectory(folder);
        }
    }
}
