using System.Buffers;
using System.Text.Json;
using Microsoft.Win32.SafeHandles;

namespace Gateway.Api.Auditing;

/// <summary>
/// One spill file: JSON Lines, one <see cref="AuditEntry"/> per <c>\n</c>-terminated ASCII line,
/// only ever appended, each group written and then fsync'd before the writer goes on. The owner
/// keeps it open under an OS lock; a file nobody holds was left by a process that ended, and the
/// next writer claims and replays it. How far a file has been replayed (a byte offset) is
/// committed in the same transaction as the records, as cursor <see cref="CursorName"/>.
/// </summary>
internal sealed class SpillFile : IDisposable
{
    public const string Extension = ".audit-spill.v1.jsonl";
    private const int MaxChunkBytes = 4 * 1024 * 1024;
    private readonly SafeFileHandle _handle;

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
                JsonSerializer.Serialize(json, entry, AuditJson.Default.AuditEntry);
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

        Length += buffer.WrittenCount;
    }

    /// <summary>Whole lines from <paramref name="offset"/>: at most <paramref name="maxLines"/>.</summary>
    public SpillChunk Read(long offset, int maxLines)
    {
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
        var corrupt = 0;
        var position = 0;
        while (entries.Count + corrupt < maxLines)
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
                corrupt++;
            }

            position += newline + 1;
        }

        if (position == 0 && read > 0 && maxLines > 0)
        {
            // No line end within reach: a write a crash cut short at the end of the file, or garbage.
            return new SpillChunk([], offset + read, Corrupt: 1);
        }

        return new SpillChunk(entries, offset + position, corrupt);
    }

    /// <summary>Closes and removes the file once every line is in the store.</summary>
    public void Delete()
    {
        _handle.Dispose();
        File.Delete(Path);
    }

    public void Dispose() => _handle.Dispose();

    private static AuditEntry? Parse(ReadOnlySpan<byte> line)
    {
        try
        {
            return JsonSerializer.Deserialize(line, AuditJson.Default.AuditEntry) is { Source: not null, Event: not null, Actor: not null, Outcome: not null } entry
                ? entry
                : null;
        }
        catch (JsonException)
        {
            return null;
        }
    }
}

internal sealed record SpillChunk(IReadOnlyList<AuditEntry> Entries, long EndOffset, int Corrupt);
