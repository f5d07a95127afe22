using Gateway.Api.Hardening;
using Microsoft.AspNetCore.Authentication.JwtBearer;
using Microsoft.IdentityModel.Tokens;

namespace Gateway.Api.Auth;

/// <summary>
/// Sender-constrained tokens at the edge (RFC 9449 §7): a token whose <c>cnf.jkt</c> binds it to
/// a key is accepted only as <c>Authorization: DPoP</c> with a valid proof by that key for this
/// request. Refusals answer 401 with a <c>WWW-Authenticate: DPoP</c> challenge naming the error,
/// except a proof whose single use the shared cache could not confirm: that is a 503 problem with
/// <c>Retry-After</c>, because the same client may pass with a new proof once the cache answers.
/// </summary>
internal static class DPoPBinding
{
    private const string ErrorItem = "gateway:dpop-error";

    /// <summary>Runs once the token itself is valid; fails the authentication when the binding does not hold.</summary>
    public static async Task CheckAsync(TokenValidatedContext context)
    {
        var request = context.HttpContext.Request;
        var accessToken = DPoPScheme.TokenOf(request);
        if (DPoPProofValidator.BoundThumbprint(context.Principal?.FindFirst("cnf")?.Value) is not { } thumbprint)
        {
            return;
        }

        if (accessToken is null)
        {
            EdgeDenial.Record(context.HttpContext, EdgeDenialReason.DPoPBoundTokenAsBearer);
            Refuse(context, "invalid_token", "This access token is bound to a key: send it as 'Authorization: DPoP' with a DPoP proof.");
            return;
        }

        if (request.Headers[DPoPScheme.Name] is not [{ Length: > 0 } proof])
        {
            EdgeDenial.Record(context.HttpContext, EdgeDenialReason.DPoPProof);
            Refuse(context, "invalid_dpop_proof", "Send exactly one DPoP proof header.");
            return;
        }

        // The URL the client called, as the gateway sees it after the trusted forwarded headers.
        var url = $"{request.Scheme}://{request.Host}{request.PathBase}{request.Path}";
        var validator = context.HttpContext.RequestServices.GetRequiredService<DPoPProofValidator>();
        var result = await validator.ValidateAsync(request.Method, url, proof, accessToken, thumbprint);
        if (result.Error is { } error)
        {
            EdgeDenial.Record(context.HttpContext, result.ReplayUnchecked ? EdgeDenialReason.DPoPReplayUnchecked : EdgeDenialReason.DPoPProof);
            Refuse(context, "invalid_dpop_proof", error);
            return;
        }

        context.HttpContext.Features.Set(new DPoPKeyFeature(thumbprint));
    }

    /// <summary>
    /// The challenge: <c>DPoP</c> for a request that used the DPoP scheme or failed a binding rule,
    /// JwtBearer's own <c>Bearer</c> challenge otherwise.
    /// </summary>
    public static Task ChallengeAsync(JwtBearerChallengeContext context)
    {
        var request = context.HttpContext.Request;
        var failure = context.HttpContext.Items[ErrorItem] as (string Error, string Description)?;
        if (failure is { } refusal && context.HttpContext.Features.Get<EdgeDenial>()?.Reason == EdgeDenialReason.DPoPReplayUnchecked)
        {
            context.HandleResponse();
            context.Response.Headers.RetryAfter = "1";
            return EdgeProblems.WriteAsync(context.HttpContext, StatusCodes.Status503ServiceUnavailable, refusal.Description);
        }

        EdgeDenial.Record(context.HttpContext, EdgeDenialReason.Missing); // kept only when nothing refused the token before

        if (failure is null && DPoPScheme.TokenOf(request) is null)
        {
            return Task.CompletedTask;
        }

        context.HandleResponse();
        var (error, description) = failure ?? ("invalid_token", "The access token is missing or invalid.");
        context.Response.StatusCode = StatusCodes.Status401Unauthorized;
        context.Response.Headers.WWWAuthenticate =
            $"DPoP error=\"{error}\", error_description=\"{description.Replace("\"", "'", StringComparison.Ordinal)}\", algs=\"{string.Join(' ', AuthenticationExtensions.AllowedAlgorithms)}\"";
        return Task.CompletedTask;
    }

    private static void Refuse(TokenValidatedContext context, string error, string description)
    {
        context.HttpContext.Items[ErrorItem] = (error, description);
        context.Fail(new SecurityTokenValidationException(description));
    }
}
