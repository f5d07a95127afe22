namespace Gateway.Api.Auth;

/// <summary>
/// The request feature that names the key a DPoP-bound request proved possession of (its RFC 7638
/// thumbprint): set once, where the proof is checked, and read by the audit trail, so nothing
/// parses the token's <c>cnf</c> claim a second time.
/// </summary>
internal sealed record DPoPKeyFeature(string Thumbprint);
