using System.Buffers;
using System.Text.Json;
using Microsoft.Win32.SafeHandles;

namespace Gateway.Api.Auditing;

/// <summary>
/// One spill file: JSON Lines, one <see cref="SpillLine"/> (the entry and its leaf hash) per
/// <c>\n</c>-terminated ASCII line, only ever appended, each group written and then fsync'd before
/// the writer goes on. On replay a line that does not parse, or whose entry does not hash to its
/// leaf hash, is not the record that was written: it is copied to <c>&lt;file&gt;.rejected</c>
/// (kept, never deleted) and reported by the caller. Files of the first version
/// (<see cref="FirstExtension"/>, lines without a leaf hash) are still read. The owner
/// keeps it open under an OS lock; a file nobody holds was left by a process that ended, and the
/// next writer claims and replays it. How far a file has been replayed (a byte offset) is
/// committed in the same transaction as the records, as cursor <see cref="CursorName"/>.
/// <para>
/// The groups its own writer appended are also held in memory until replayed (up to
/// <see cref="MaxHeldEntries"/> records), and the replay takes them from there: a writer that fell
/// behind under load spills every group and replays it moments later, and reading, parsing and
/// re-hashing each line cost it more than the insert itself. The disk copy is what survives a crash;
/// files claimed from ended processes are always read from disk, and checked line by line.
/// </para>
/// </summary>
internal sealed class SpillFile : IDisposable
{
    public const string Extension = ".audit-spill.v2.jsonl";
    public const string FirstExtension = ".audit-spill.v1.jsonl";
    public const string RejectedExtension = ".rejected";
    private const int MaxChunkBytes = 4 * 1024 * 1024;
    private const int MaxHeldEntries = 20_000;
    private readonly SafeFileHandle _handle;
    private readonly Queue<HeldGroup> _held = new();
    private int _heldEntries;

    private SpillFile(string path, SafeFileHandle handle, long? replayed)
    {
        Path = path;
        _handle = handle;
        Length = RandomAccess.GetLength(handle);
        Replayed = replayed;
    }

    public string Path { get; }

    public string CursorName => "spill:" + System.IO.Path.GetFileName(Path);

    public long Length { get; private set; }

    /// <summary>Bytes already committed to the store; null until read from it.</summary>
    public long? Replayed { get; set; }

    /// <summary>A new file of this process; names sort by creation time.</summary>
    public static SpillFile Create(string directory, DateTimeOffset now)
    {
        var name = $"{now.UtcDateTime:yyyyMMdd'T'HHmmssfffffff}-{Guid.NewGuid():N}{Extension}";
        var path = System.IO.Path.Combine(directory, name);
        return new SpillFile(path, File.OpenHandle(path, FileMode.CreateNew, FileAccess.ReadWrite, FileShare.Read), replayed: 0);
    }

    /// <summary>The file, if no living process holds it.</summary>
    public static SpillFile? TryClaim(string path)
    {
        try
        {
            return new SpillFile(path, File.OpenHandle(path, FileMode.Open, FileAccess.ReadWrite, FileShare.None), replayed: null);
        }
        catch (IOException)
        {
            return null;
        }
    }

    public void Append(IReadOnlyList<AuditEntry> entries)
    {
        var buffer = new ArrayBufferWriter<byte>(entries.Count * 512);
        using (var json = new Utf8JsonWriter(buffer))
        {
            foreach (var entry in entries)
            {
                JsonSerializer.Serialize(json, new SpillLine(AuditLeaf.Hash(entry), entry), AuditJson.Default.SpillLine);
                json.Flush();
                json.Reset();
                buffer.Write("\n"u8);
            }
        }

        try
        {
            RandomAccess.Write(_handle, buffer.WrittenSpan, Length);
            RandomAccess.FlushToDisk(_handle);
        }
        catch (IOException)
        {
            // Cut a half-written group off, so the next append starts on a line boundary.
            RandomAccess.SetLength(_handle, Length);
            throw;
        }

        var start = Length;
        Length += buffer.WrittenCount;
        if (_heldEntries + entries.Count <= MaxHeldEntries)
        {
            _held.Enqueue(new HeldGroup(start, Length, [.. entries]));
            _heldEntries += entries.Count;
        }
    }

    /// <summary>Whole lines from <paramref name="offset"/>: at most <paramref name="maxLines"/>.</summary>
    public SpillChunk Read(long offset, int maxLines)
    {
        while (_held.TryPeek(out var passed) && passed.Start < offset)
        {
            _heldEntries -= _held.Dequeue().Entries.Length;
        }

        if (_held.TryPeek(out var held) && held.Start == offset && held.Entries.Length <= maxLines)
        {
            _heldEntries -= _held.Dequeue().Entries.Length;
            return new SpillChunk(held.Entries, held.End, Rejected: 0);
        }

        var bytes = new byte[(int)Math.Min(Length - offset, MaxChunkBytes)];
        var read = 0;
        while (read < bytes.Length)
        {
            var n = RandomAccess.Read(_handle, bytes.AsSpan(read), offset + read);
            if (n == 0)
            {
                break;
            }

            read += n;
        }

        var entries = new List<AuditEntry>();
        var rejected = new List<ReadOnlyMemory<byte>>();
        var position = 0;
        while (entries.Count + rejected.Count < maxLines)
        {
            var newline = bytes.AsSpan(position, read - position).IndexOf((byte)'\n');
            if (newline < 0)
            {
                break;
            }

            if (Parse(bytes.AsSpan(position, newline)) is { } entry)
            {
                entries.Add(entry);
            }
            else
            {
                rejected.Add(bytes.AsMemory(position, newline));
            }

            position += newline + 1;
        }

        if (position == 0 && read > 0 && maxLines > 0)
        {
            // No line end within reach: a write a crash cut short at the end of the file, or garbage.
            KeepAside([bytes.AsMemory(0, read)]);
            return new SpillChunk([], offset + read, Rejected: 1);
        }

        KeepAside(rejected);
        return new SpillChunk(entries, offset + position, rejected.Count);
    }

    /// <summary>Appends rejected lines to <c>&lt;file&gt;.rejected</c>, so the evidence outlives the replayed file.</summary>
    private void KeepAside(List<ReadOnlyMemory<byte>> lines)
    {
        if (lines.Count == 0)
        {
            return;
        }

        using var stream = new FileStream(Path + RejectedExtension, FileMode.Append, FileAccess.Write, FileShare.Read);
        foreach (var line in lines)
        {
            stream.Write(line.Span);
            stream.Write("\n"u8);
        }

        stream.Flush(flushToDisk: true);
    }

    /// <summary>Closes and removes the file once every line is in the store.</summary>
    public void Delete()
    {
        _handle.Dispose();
        File.Delete(Path);
    }

    public void Dispose() => _handle.Dispose();

    private AuditEntry? Parse(ReadOnlySpan<byte> line)
    {
        try
        {
            if (Path.EndsWith(FirstExtension, StringComparison.Ordinal))
            {
                return JsonSerializer.Deserialize(line, AuditJson.Default.AuditEntry) is { } first && IsComplete(first) ? first : null;
            }

            return JsonSerializer.Deserialize(line, AuditJson.Default.SpillLine) is { Entry: { } entry, LeafHash: { } hash } && IsComplete(entry) && AuditLeaf.Hash(entry) == hash
                ? entry
                : null;
        }
        catch (JsonException)
        {
            return null;
        }
    }

    private static bool IsComplete(AuditEntry entry) => entry is { Source: not null, Event: not null, Actor: not null, Outcome: not null };

    /// <summary>A group as its writer appended it: its entries and the bytes they took in the file.</summary>
    private readonly record struct HeldGroup(long Start, long End, AuditEntry[] Entries);
}

internal sealed record SpillChunk(IReadOnlyList<AuditEntry> Entries, long EndOffset, int Rejected);

/// <summary>One line of a spill file: the entry and the leaf hash it had when it was captured.</summary>
internal sealed record SpillLine(
    [property: System.Text.Json.Serialization.JsonPropertyName("leaf_hash")] string LeafHash,
    [property: System.Text.Json.Serialization.JsonPropertyName("entry")] AuditEntry Entry);
