using System.Buffers;
using System.Globalization;
using System.Text;

namespace Gateway.Api.Auditing;

/// <summary>
/// The bytes of a record as a leaf of the log, and its leaf hash
/// <c>SHA-256(0x00 || canonical form)</c> (RFC 9162's leaf hash), in lowercase hex.
/// <para>
/// Canonical form: an ASCII prefix naming the format, then each field, in order, as a netstring:
/// the decimal count of its UTF-8 bytes, <c>:</c>, the bytes, <c>,</c> (so <c>"ok"</c> is
/// <c>2:ok,</c>); a missing value is <c>~,</c>. Integers are invariant decimal text; the time is
/// <c>yyyy-MM-ddTHH:mm:ss.ffffffZ</c> in UTC. Length prefixes make the encoding unambiguous
/// whatever a field contains. A form is never changed once written; a new one gets a new number.
/// </para>
/// <list type="bullet">
/// <item>Format 2 (<c>audit-record/2</c>, every record since the log): format, time, source, event,
/// request_id, trace_id, actor, client_id, client_ip, method, route, path, status, outcome, reason,
/// latency_micros, session_id, source_event_id, key_thumbprint. Nothing about the record's place
/// in the log, so the hash is known the moment the record is captured (receipts, spill lines).</item>
/// <item>Format 1 (<c>audit-record/1</c>, records of the former per-process hash chains, which
/// became the first leaves): format, chain_id, seq, prev_hash, then the fields of format 2 up to
/// source_event_id.</item>
/// </list>
/// </summary>
internal static class AuditLeaf
{
    public const int Format = 2;
    public const int ChainFormat = 1;
    public const string TimeFormat = "yyyy-MM-dd'T'HH:mm:ss.ffffff'Z'";

    /// <summary>A record's time as its leaf and its receipt carry it.</summary>
    public static string FormatTime(DateTime time) => time.ToString(TimeFormat, CultureInfo.InvariantCulture);

    /// <summary>A time written by <see cref="FormatTime"/> (a receipt's), as UTC; null for anything else.</summary>
    public static DateTime? ParseTime(string? text) =>
        DateTime.TryParseExact(text, TimeFormat, CultureInfo.InvariantCulture, DateTimeStyles.AdjustToUniversal | DateTimeStyles.AssumeUniversal, out var time)
            ? DateTime.SpecifyKind(time, DateTimeKind.Utc)
            : null;

    // One buffer per thread: the writer hashes whole groups, and receipts hash on request threads.
    [ThreadStatic]
    private static ArrayBufferWriter<byte>? _buffer;

    public static string Hash(AuditRecord record) => Convert.ToHexStringLower(HashBytes(record));

    public static string Hash(AuditEntry entry) => Hash(AuditRecord.From(entry));

    /// <summary>The leaf hash: SHA-256 over the 0x00 prefix and the canonical form, written into one buffer.</summary>
    public static byte[] HashBytes(AuditRecord record)
    {
        var buffer = _buffer ??= new ArrayBufferWriter<byte>(1024);
        buffer.ResetWrittenCount();
        buffer.Write([MerkleTree.LeafPrefix]);
        Write(buffer, record);
        return System.Security.Cryptography.SHA256.HashData(buffer.WrittenSpan);
    }

    public static ArrayBufferWriter<byte> Canonical(AuditRecord record)
    {
        var buffer = new ArrayBufferWriter<byte>(512);
        Write(buffer, record);
        return buffer;
    }

    private static void Write(ArrayBufferWriter<byte> buffer, AuditRecord record)
    {
        switch (record.Format)
        {
            case Format:
                buffer.Write("audit-record/2"u8);
                Number(buffer, record.Format);
                break;
            case ChainFormat:
                buffer.Write("audit-record/1"u8);
                Number(buffer, record.Format);
                Text(buffer, record.ChainId);
                Number(buffer, record.Seq);
                Text(buffer, record.PrevHash);
                break;
            default:
                throw new FormatException($"Unknown audit record format {record.Format}.");
        }

        Span<byte> time = stackalloc byte[32];
        record.Time.TryFormat(time, out var timeLength, TimeFormat, CultureInfo.InvariantCulture);
        Bytes(buffer, time[..timeLength]);
        Text(buffer, record.Source);
        Text(buffer, record.Event);
        Text(buffer, record.RequestId);
        Text(buffer, record.TraceId);
        Text(buffer, record.Actor);
        Text(buffer, record.ClientId);
        Text(buffer, record.ClientIp);
        Text(buffer, record.Method);
        Text(buffer, record.Route);
        Text(buffer, record.Path);
        Number(buffer, record.Status);
        Text(buffer, record.Outcome);
        Text(buffer, record.Reason);
        Number(buffer, record.LatencyMicros);
        Text(buffer, record.SessionId);
        Number(buffer, record.SourceEventId);
        if (record.Format == Format)
        {
            Text(buffer, record.KeyThumbprint);
        }
    }

    /// <summary>UTC, cut to whole microseconds: what SQLite and PostgreSQL both store exactly.</summary>
    public static DateTime Truncate(DateTimeOffset time)
    {
        var ticks = time.UtcTicks;
        return new DateTime(ticks - (ticks % 10), DateTimeKind.Utc);
    }

    private static void Number(ArrayBufferWriter<byte> buffer, long? value)
    {
        if (value is not { } number)
        {
            buffer.Write("~,"u8);
            return;
        }

        Span<byte> digits = stackalloc byte[24];
        number.TryFormat(digits, out var length, provider: CultureInfo.InvariantCulture);
        Bytes(buffer, digits[..length]);
    }

    private static void Text(ArrayBufferWriter<byte> buffer, string? value)
    {
        if (value is null)
        {
            buffer.Write("~,"u8);
            return;
        }

        Length(buffer, Encoding.UTF8.GetByteCount(value));
        buffer.Advance(Encoding.UTF8.GetBytes(value, buffer.GetSpan(value.Length * 3)));
        buffer.Write(","u8);
    }

    private static void Bytes(ArrayBufferWriter<byte> buffer, ReadOnlySpan<byte> value)
    {
        Length(buffer, value.Length);
        buffer.Write(value);
        buffer.Write(","u8);
    }

    private static void Length(ArrayBufferWriter<byte> buffer, int length)
    {
        length.TryFormat(buffer.GetSpan(11), out var written, provider: CultureInfo.InvariantCulture);
        buffer.Advance(written);
        buffer.Write(":"u8);
    }
}
