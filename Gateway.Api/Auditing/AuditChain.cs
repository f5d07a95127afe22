using System.Buffers;
using System.Globalization;
using System.Security.Cryptography;
using System.Text;

namespace Gateway.Api.Auditing;

/// <summary>
/// The hash chain. <c>hash = lowercase hex SHA-256(canonical form)</c>, and each record's
/// <c>prev_hash</c> is the hash of the record before it in its chain (64 zeros for seq 1).
/// <para>
/// Canonical form, format 1 (never changed once written; a new form gets a new format number):
/// the ASCII bytes <c>audit-record/1</c>, then each field below, in this order, as a netstring:
/// the decimal count of its UTF-8 bytes, <c>:</c>, the bytes, <c>,</c> (so <c>"ok"</c> is
/// <c>2:ok,</c>); a missing value is <c>~,</c>. Integers are invariant decimal text; the time is
/// <c>yyyy-MM-ddTHH:mm:ss.ffffffZ</c> in UTC.
/// </para>
/// Fields: format, chain_id, seq, prev_hash, time, source, event, request_id, trace_id, actor,
/// client_id, client_ip, method, route, path, status, outcome, reason, latency_micros, session_id,
/// source_event_id. Length prefixes make the encoding unambiguous whatever a field contains.
/// </summary>
internal static class AuditChain
{
    public const int Format = 1;
    public const string TimeFormat = "yyyy-MM-dd'T'HH:mm:ss.ffffff'Z'";
    public static readonly string Genesis = new('0', 64);
    private static readonly byte[] Prefix = "audit-record/1"u8.ToArray();

    public static string Hash(AuditRecord record) =>
        Convert.ToHexStringLower(SHA256.HashData(Canonical(record).WrittenSpan));

    public static ArrayBufferWriter<byte> Canonical(AuditRecord record)
    {
        var buffer = new ArrayBufferWriter<byte>(512);
        buffer.Write(Prefix);
        Number(buffer, record.Format);
        Text(buffer, record.ChainId);
        Number(buffer, record.Seq);
        Text(buffer, record.PrevHash);
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
        return buffer;
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
