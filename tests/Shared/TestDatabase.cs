using System.Data.Common;
using Microsoft.Data.Sqlite;
using Npgsql;

namespace AspireGateway.Tests;

/// <summary>
/// A real database of a fixture's own: a new database on the PostgreSQL server that
/// <c>ConnectionStrings__postgres</c> names when CI sets it, else a SQLite file in the temp folder.
/// SQL written against it quotes its identifiers and names parameters <c>@name</c>, which both read.
/// </summary>
public sealed class TestDatabase : IAsyncDisposable
{
    private readonly string? _server;
    private readonly string _name;

    /// <param name="service">Names the database (or file), for whoever looks at the server or folder.</param>
    /// <param name="folder">Where the SQLite file goes; the temp folder by default.</param>
    public TestDatabase(string service, string? folder = null)
    {
        _name = $"{service}_tests_{Guid.NewGuid():N}";
        var server = Environment.GetEnvironmentVariable("ConnectionStrings__postgres");
        if (string.IsNullOrWhiteSpace(server))
        {
            File = Path.Combine(folder ?? Path.GetTempPath(), _name + ".db");
            Directory.CreateDirectory(Path.GetDirectoryName(File)!);
            ConnectionString = $"Data Source={File}";
            return;
        }

        _server = server;
        using (var connection = new NpgsqlConnection(server))
        {
            connection.Open();
            using var command = connection.CreateCommand();
            command.CommandText = $"CREATE DATABASE \"{_name}\"";
            command.ExecuteNonQuery();
        }

        ConnectionString = new NpgsqlConnectionStringBuilder(server) { Database = _name }.ToString();
    }

    public string ConnectionString { get; }

    /// <summary>The SQLite file; null on PostgreSQL.</summary>
    public string? File { get; }

    /// <summary>Which engine answers, for test output.</summary>
    public string Kind => _server is null ? "SQLite file" : "PostgreSQL (ConnectionStrings__postgres)";

    /// <summary>A connection of its own; <paramref name="pooled"/> false for one that holds a lock or a transaction.</summary>
    public async Task<DbConnection> OpenAsync(bool pooled = true)
    {
        var connectionString = pooled ? ConnectionString : ConnectionString + ";Pooling=False";
        DbConnection connection = _server is null ? new SqliteConnection(connectionString) : new NpgsqlConnection(connectionString);
        await connection.OpenAsync();
        return connection;
    }

    /// <summary>Runs a statement, as an operator or another replica would behind the service's back.</summary>
    public async Task<int> ExecuteAsync(string sql, params (string Name, object? Value)[] parameters)
    {
        await using var connection = await OpenAsync();
        await using var command = Command(connection, sql, parameters);
        return await command.ExecuteNonQueryAsync();
    }

    public async Task<long> CountAsync(string sql, params (string Name, object? Value)[] parameters)
    {
        await using var connection = await OpenAsync();
        await using var command = Command(connection, sql, parameters);
        return Convert.ToInt64(await command.ExecuteScalarAsync(), System.Globalization.CultureInfo.InvariantCulture);
    }

    public static DbCommand Command(DbConnection connection, string sql, params (string Name, object? Value)[] parameters)
    {
        var command = connection.CreateCommand();
        command.CommandText = sql;
        foreach (var (name, value) in parameters)
        {
            var parameter = command.CreateParameter();
            parameter.ParameterName = name;
            parameter.Value = value ?? DBNull.Value;
            command.Parameters.Add(parameter);
        }

        return command;
    }

    public async ValueTask DisposeAsync()
    {
        if (_server is null)
        {
            SqliteConnection.ClearAllPools();
            foreach (var file in new[] { File!, File + "-wal", File + "-shm" })
            {
                System.IO.File.Delete(file);
            }

            return;
        }

        NpgsqlConnection.ClearAllPools();
        await using var connection = new NpgsqlConnection(_server);
        await connection.OpenAsync();
        await using var command = connection.CreateCommand();
        command.CommandText = $"DROP DATABASE IF EXISTS \"{_name}\" WITH (FORCE)";
        await command.ExecuteNonQueryAsync();
    }
}
