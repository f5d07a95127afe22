using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json.Serialization;
using AspireGateway.Tests;

namespace Gateway.Api.Tests.Auditing;

/// <summary>
/// A real cache, a token issuer, an echoing backend for the identity cluster and a stopped one
/// (a port nobody listens on) for the trading cluster. Each test gets its own audit database
/// database and spill folder (<see cref="AuditSite"/>) and starts gateways on it as it needs.
/// </summary>
public sealed class AuditFixture : IAsyncLifetime
{
    private readonly string _root = Path.Combine(Path.GetTempPath(), "gateway-audit-tests", Guid.NewGuid().ToString("N"));

    public CacheServer Cache { get; } = new();

    public StubBackend Backend { get; private set; } = null!;

    public TestTokenIssuer Tokens { get; private set; } = null!;

    public string StoppedBackend { get; } = $"http://127.0.0.1:{Ports.FreeLoopback()}";

    public async Task InitializeAsync()
    {
        Backend = await StubBackend.StartAsync();
        Tokens = await TestTokenIssuer.StartAsync();
    }

    private readonly List<AuditSite> _sites = [];

    public AuditSite NewSite()
    {
        var site = new AuditSite(Path.Combine(_root, Guid.NewGuid().ToString("N")));
        lock (_sites)
        {
            _sites.Add(site);
        }

        return site;
    }

    public ServiceFactory<Program> CreateGateway(AuditSite site, IReadOnlyDictionary<string, string?>? settings = null)
    {
        var all = new Dictionary<string, string?>
        {
            ["ReverseProxy:Clusters:identity:Destinations:primary:Address"] = Backend.Address,
            ["ReverseProxy:Clusters:trading:Destinations:primary:Address"] = StoppedBackend,
            ["Auth:Authority"] = Tokens.Address,
            ["ConnectionStrings:auditdb"] = site.Database.ConnectionString,
            ["Gateway:Audit:SpillDirectory"] = site.SpillDirectory,
            ["Gateway:Audit:CommitTimeout"] = "00:00:01",
            ["Gateway:Audit:RetryInterval"] = "00:00:00.250",
            ["Gateway:Audit:CheckpointKey"] = site.CheckpointKey,
            ["Gateway:Audit:CheckpointFile"] = site.CheckpointFile,
            ["Gateway:Audit:CheckpointInterval"] = "00:00:00.200",
            // These tests count records; a shared limit must not turn their requests into 429s.
            ["Gateway:RateLimiting:Enabled"] = "false",
        };
        foreach (var (key, value) in settings ?? new Dictionary<string, string?>())
        {
            all[key] = value;
        }

        return new ServiceFactory<Program>(Cache, all);
    }

    public HttpClient Client(ServiceFactory<Program> gateway, string? token = null)
    {
        var client = gateway.CreateClient();
        if (token is not null)
        {
            client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", token);
        }

        return client;
    }

    public string Admin() => Tokens.Mint(TestTokenIssuer.NewSubject(), roles: ["admin"]);

    public static async Task<VerifyBody> VerifyAsync(HttpClient admin)
    {
        var body = await admin.GetFromJsonAsync<VerifyBody>(new Uri("/api/v1/admin/audit/verify", UriKind.Relative));
        return body ?? throw new InvalidOperationException("verify answered nothing");
    }

    public async Task DisposeAsync()
    {
        await Backend.DisposeAsync();
        await Tokens.DisposeAsync();
        Cache.Dispose();
        foreach (var site in _sites)
        {
            await site.Database.DisposeAsync();
        }

        try
        {
            Directory.Delete(_root, recursive: true);
        }
        catch (IOException)
        {
            // A file still held by a stopping host: the temp folder is cleaned by the OS.
        }
    }
}

/// <summary>Where one test's gateways keep their audit trail: a database of its own and a spill folder.</summary>
public sealed class AuditSite(string directory)
{
    public string Directory { get; } = directory;

    public TestDatabase Database { get; } = new("audit", directory);

    public string SpillDirectory => Path.Combine(Directory, "spill");

    /// <summary>The log's key: each site is a log of its own, also in a cache other tests share.</summary>
    public string CheckpointKey { get; } = TestSettings.NewCheckpointKey();

    /// <summary>The copy of the latest checkpoint outside the store.</summary>
    public string CheckpointFile => Path.Combine(Directory, "audit-checkpoint.json");

    /// <summary>Until the checkpoint file covers at least <paramref name="size"/> leaves (or patience runs out).</summary>
    public Task WaitForCheckpointAsync(long size) => AuditDatabase.WaitUntilAsync(() =>
    {
        try
        {
            return File.Exists(CheckpointFile)
                && System.Text.Json.JsonDocument.Parse(File.ReadAllText(CheckpointFile)).RootElement.GetProperty("tree_size").GetInt64() >= size;
        }
        catch (IOException)
        {
            return false;
        }
    });

    public long SpilledBytes() => System.IO.Directory.Exists(SpillDirectory)
        ? System.IO.Directory.GetFiles(SpillDirectory).Sum(f => new FileInfo(f).Length)
        : 0;

    public int SpillFiles() => System.IO.Directory.Exists(SpillDirectory) ? System.IO.Directory.GetFiles(SpillDirectory).Length : 0;
}

public sealed record VerifyBody(
    [property: JsonPropertyName("valid")] bool Valid,
    [property: JsonPropertyName("records_checked")] long RecordsChecked,
    [property: JsonPropertyName("first_broken_seq")] long? FirstBrokenSeq,
    [property: JsonPropertyName("problem")] string? Problem,
    [property: JsonPropertyName("tree_size")] long TreeSize,
    [property: JsonPropertyName("root_hash")] string RootHash);
