using Microsoft.EntityFrameworkCore;

namespace Identity.Api.Data;

internal static class DatabaseExtensions
{
    public const string ConnectionName = "identitydb";

    /// <summary>
    /// The identity database (<c>ConnectionStrings:identitydb</c>: PostgreSQL, or SQLite with
    /// <c>data/identity.db</c> as the default). Added first, so the schema is in place before the
    /// hosted services of the other features (keys, clients, roles, demo users) start.
    /// </summary>
    public static IHostApplicationBuilder AddIdentityDatabase(this IHostApplicationBuilder builder)
    {
        builder.AddStore<IdentityDb, SqliteIdentityDb, PostgresIdentityDb>(ConnectionName, "data/identity.db", (_, options) => options.UseOpenIddict());
        return builder;
    }
}
