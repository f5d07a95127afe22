using Microsoft.Extensions.Configuration;

namespace AppHost;

/// <summary>Where the services' databases come from; <c>Database:Source</c> overrides the automatic choice.</summary>
internal enum DatabaseSource
{
    Auto,
    ConnectionString,
    Container,
    Sqlite,
}

/// <summary>The three databases, one per service that keeps state.</summary>
internal sealed record Databases(
    IResourceBuilder<IResourceWithConnectionString> Identity,
    IResourceBuilder<IResourceWithConnectionString> Trading,
    IResourceBuilder<IResourceWithConnectionString> Audit,
    DatabaseSource Source);

internal static class DatabaseResourceExtensions
{
    public static readonly string[] Names = ["identitydb", "tradingdb", "auditdb"];

    /// <summary>
    /// The databases, from the first source that is available, as for the cache: configured
    /// connection strings (<c>ConnectionStrings:identitydb</c>, <c>tradingdb</c>, <c>auditdb</c>: an
    /// existing PostgreSQL such as Azure Database for PostgreSQL), a PostgreSQL container with a
    /// data volume when a container runtime answers, else a SQLite file per service. Publishing
    /// (azd) always emits PostgreSQL: the connection strings as parameters when they are configured,
    /// the container otherwise. SQLite files would live on a replica's disk and vanish with it.
    /// </summary>
    public static Databases AddDatabases(this IDistributedApplicationBuilder builder)
    {
        var source = ChooseSource(builder);
        Console.WriteLine($"Databases {string.Join(", ", Names)}: {Describe(source)}");
        switch (source)
        {
            case DatabaseSource.ConnectionString:
                return new(builder.AddConnectionString(Names[0]), builder.AddConnectionString(Names[1]), builder.AddConnectionString(Names[2]), source);
            case DatabaseSource.Container:
                var server = builder.AddPostgres("postgres").WithDataVolume();
                return new(server.AddDatabase(Names[0]), server.AddDatabase(Names[1]), server.AddDatabase(Names[2]), source);
            default:
                return new(
                    builder.AddSqliteFile(Names[0], new Projects.Identity_Api().ProjectPath, "identity.db"),
                    builder.AddSqliteFile(Names[1], new Projects.Trading_Api().ProjectPath, "trading.db"),
                    builder.AddSqliteFile(Names[2], new Projects.Gateway_Api().ProjectPath, "audit.db"),
                    source);
        }
    }

    /// <summary>The service's database, and with a server the wait for it to be up.</summary>
    public static IResourceBuilder<ProjectResource> WithDatabase(
        this IResourceBuilder<ProjectResource> service, IResourceBuilder<IResourceWithConnectionString> database, Databases databases)
    {
        service.WithReference(database);
        return databases.Source == DatabaseSource.Sqlite ? service : service.WaitFor(database);
    }

    private static DatabaseSource ChooseSource(IDistributedApplicationBuilder builder)
    {
        var configured = builder.Configuration.GetValue("Database:Source", DatabaseSource.Auto);
        var connectionStrings = Names.All(name => !string.IsNullOrWhiteSpace(builder.Configuration.GetConnectionString(name)));
        if (builder.ExecutionContext.IsPublishMode)
        {
            return configured == DatabaseSource.ConnectionString || connectionStrings ? DatabaseSource.ConnectionString : DatabaseSource.Container;
        }

        if (configured != DatabaseSource.Auto)
        {
            return configured;
        }

        if (connectionStrings)
        {
            return DatabaseSource.ConnectionString;
        }

        return ContainerRuntime.Answers(builder.Configuration) ? DatabaseSource.Container : DatabaseSource.Sqlite;
    }

    private static string Describe(DatabaseSource source) => source switch
    {
        DatabaseSource.ConnectionString => "the configured connection strings (PostgreSQL)",
        DatabaseSource.Container => "a PostgreSQL container with a data volume",
        _ => "a SQLite file per service (one machine; no container runtime answered)",
    };

    /// <summary>
    /// A SQLite file in the service's <c>data</c> folder (or, when <c>Database:SqliteFolder</c> is
    /// set, in that folder: a separate set of databases, as the AppHost tests use), shown in the
    /// dashboard with its path. The file is the service's own: nothing runs for it, so it is
    /// "Running" as soon as it is named.
    /// </summary>
    private static IResourceBuilder<SqliteFileResource> AddSqliteFile(this IDistributedApplicationBuilder builder, string name, string projectPath, string file)
    {
        var folder = builder.Configuration["Database:SqliteFolder"] is { Length: > 0 } configured
            ? Path.GetFullPath(configured)
            : Path.Combine(Path.GetDirectoryName(projectPath)!, "data");
        var path = Path.Combine(folder, file);
        return builder.AddResource(new SqliteFileResource(name, path))
            .WithInitialState(new CustomResourceSnapshot
            {
                ResourceType = "SQLite file",
                State = KnownResourceStates.Running,
                Properties = [new("database.source", "sqlite"), new("database.path", path)],
            });
    }
}

/// <summary>A service's SQLite database file; its connection string is the file's path.</summary>
internal sealed class SqliteFileResource(string name, string path) : Resource(name), IResourceWithConnectionString
{
    public ReferenceExpression ConnectionStringExpression => ReferenceExpression.Create($"Data Source={path}");
}
