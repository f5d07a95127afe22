using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Design;

namespace Identity.Api.Data;

/// <summary>Lets <c>dotnet ef migrations add --context SqliteIdentityDb</c> build the model without starting the service.</summary>
internal sealed class SqliteDesignTimeFactory : IDesignTimeDbContextFactory<SqliteIdentityDb>
{
    public SqliteIdentityDb CreateDbContext(string[] args) => new(new DbContextOptionsBuilder<SqliteIdentityDb>()
        .UseSqlite("Data Source=design-time.db")
        .UseOpenIddict()
        .Options);
}

/// <summary>Lets <c>dotnet ef migrations add --context PostgresIdentityDb</c> build the model; no server is contacted.</summary>
internal sealed class PostgresDesignTimeFactory : IDesignTimeDbContextFactory<PostgresIdentityDb>
{
    public PostgresIdentityDb CreateDbContext(string[] args) => new(new DbContextOptionsBuilder<PostgresIdentityDb>()
        .UseNpgsql("Host=localhost;Database=identitydb")
        .UseOpenIddict()
        .Options);
}
