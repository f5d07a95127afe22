using Microsoft.Extensions.Options;

namespace Gateway.Api.Auditing;

/// <summary>
/// The durable local buffer: spill files in replay order (those left by ended processes first,
/// then this process's own). Only the writer loop touches it, so it needs no locking.
/// </summary>
internal sealed class AuditSpill : IDisposable
{
    private readonly Queue<SpillFile> _files = new();
    private readonly TimeProvider _time;
    private SpillFile? _current;

    public AuditSpill(IOptions<AuditOptions> options, IConfiguration configuration, TimeProvider time)
    {
        _time = time;
        Directory = options.Value.SpillDirectory is { Length: > 0 } configured
            ? Path.GetFullPath(configured)
            : Path.Combine(AuditStorage.SqliteFolder(configuration) ?? Path.GetFullPath("data"), "audit-spill");
    }

    public string Directory { get; }

    /// <summary>Records are waiting on disk; new ones must queue up behind them to keep the order.</summary>
    public bool HasPending => _files.Count > 0;

    public SpillFile? Oldest => _files.TryPeek(out var file) ? file : null;

    /// <summary>Lines rejected on replay since this process started (each also kept in a <c>.rejected</c> file).</summary>
    public long Rejected { get; set; }

    /// <summary>Takes over the files of processes that ended (crashed, or stopped while the store was down).</summary>
    public int ClaimOrphans()
    {
        System.IO.Directory.CreateDirectory(Directory);
        var claimed = 0;
        var paths = System.IO.Directory.GetFiles(Directory, "*" + SpillFile.FirstExtension).Concat(System.IO.Directory.GetFiles(Directory, "*" + SpillFile.Extension));
        foreach (var path in paths.Order(StringComparer.Ordinal))
        {
            if (_files.All(f => f.Path != path) && SpillFile.TryClaim(path) is { } file)
            {
                _files.Enqueue(file);
                claimed++;
            }
        }

        return claimed;
    }

    /// <summary>Appends a group behind everything already spilled and fsyncs it.</summary>
    public void Append(IReadOnlyList<AuditEntry> group)
    {
        if (_current is null)
        {
            System.IO.Directory.CreateDirectory(Directory);
            _current = SpillFile.Create(Directory, _time.GetUtcNow());
            _files.Enqueue(_current);
        }

        _current.Append(group);
    }

    /// <summary>Removes the oldest file, every line of which is now in the store.</summary>
    public void RetireOldest()
    {
        var file = _files.Dequeue();
        if (file == _current)
        {
            _current = null;
        }

        file.Delete();
    }

    public void Dispose()
    {
        foreach (var file in _files)
        {
            file.Dispose();
        }
    }
}
