using System.Runtime.CompilerServices;
using System.Security.Cryptography;

namespace Gateway.Api.Tests;

/// <summary>
/// Settings every gateway this test process starts has unless its fixture says otherwise: a
/// checkpoint key of this process's own (so its log id, and the cache key of its checkpoint copy,
/// are its own even on a shared cache server), and an audit store in a folder of its own instead
/// of <c>Gateway.Api/data</c>, which <c>dotnet run --project AppHost</c> uses.
/// </summary>
internal static class TestSettings
{
    public static readonly string Folder = Path.Combine(Path.GetTempPath(), "gateway-tests", Guid.NewGuid().ToString("N"));

    [ModuleInitializer]
    internal static void Apply()
    {
        Directory.CreateDirectory(Folder);
        Environment.SetEnvironmentVariable("Gateway__Audit__CheckpointKey", NewCheckpointKey());
        Environment.SetEnvironmentVariable("ConnectionStrings__auditdb", $"Data Source={Path.Combine(Folder, "audit.db")}");
    }

    public static string NewCheckpointKey() => Convert.ToBase64String(RandomNumberGenerator.GetBytes(33));
}
