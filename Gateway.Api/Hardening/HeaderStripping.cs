namespace Gateway.Api.Hardening;

/// <summary>
/// Headers only the gateway may set. A client that sends <c>X-User-Id</c> or a
/// forged <c>X-Forwarded-For</c> must not be able to impersonate anyone downstream; the caller's
/// identity travels only as the validated bearer token, and the forwarding headers are rebuilt
/// by the proxy from the connection (after the trusted-proxy rules resolved the client address).
/// </summary>
internal static class HeaderStripping
{
    private static readonly string[] Exact = ["Forwarded", "X-Real-IP", "X-Client-IP", "True-Client-IP", "X-Roles", "X-Scopes", "X-Authenticated-User"];
    private static readonly string[] Prefixes = ["X-User-", "X-Forwarded-", "X-Original-", "X-Identity-", "X-Auth-"];

    public static void RemoveClientSuppliedIdentity(IHeaderDictionary headers)
    {
        List<string>? remove = null;
        foreach (var (name, _) in headers)
        {
            if (IsReserved(name))
            {
                (remove ??= []).Add(name);
            }
        }

        remove?.ForEach(name => headers.Remove(name));
    }

    private static bool IsReserved(string name)
    {
        foreach (var exact in Exact)
        {
            if (exact.Equals(name, StringComparison.OrdinalIgnoreCase))
            {
                return true;
            }
        }

        foreach (var prefix in Prefixes)
        {
            if (name.StartsWith(prefix, StringComparison.OrdinalIgnoreCase))
            {
                return true;
            }
        }

        return false;
    }
}
