using System.Buffers;

namespace Gateway.Api.Hardening;

/// <summary>
/// <c>X-Request-Id</c>: a well-formed client value (1–128 of <c>[A-Za-z0-9._-]</c>) is
/// kept, anything else replaced by the trace id; the result is returned, passed downstream and audited.
/// </summary>
internal static class RequestId
{
    public const string Header = "X-Request-Id";
    private const string ItemKey = "gateway.request-id";
    private static readonly SearchValues<char> Allowed = SearchValues.Create("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789._-");

    public static string Get(HttpContext context) => context.Items[ItemKey] as string ?? Assign(context);

    public static string Assign(HttpContext context)
    {
        var supplied = context.Request.Headers[Header];
        var id = supplied.Count == 1 && IsWellFormed(supplied[0])
            ? supplied[0]!
            : System.Diagnostics.Activity.Current?.TraceId.ToString() ?? Guid.NewGuid().ToString("N");
        context.Items[ItemKey] = id;
        context.Request.Headers[Header] = id;
        return id;
    }

    public static bool IsWellFormed(string? value) =>
        value is { Length: >= 1 and <= 128 } && !value.AsSpan().ContainsAnyExcept(Allowed);
}
