using System.Text.Json;
using Microsoft.AspNetCore;
using Microsoft.Extensions.Options;
using OpenIddict.Abstractions;
using OpenIddict.Server;
using static OpenIddict.Abstractions.OpenIddictConstants;
using static OpenIddict.Server.OpenIddictServerEvents;

namespace Identity.Api.Tokens;

/// <summary>
/// DPoP-bound tokens (RFC 9449 §5) through OpenIddict's event model, on <c>/connect/token</c> and
/// the JSON login, register and refresh routes alike. A token request with a valid <c>DPoP</c>
/// proof (for POST to the public URL the client called) gets an access token with <c>cnf.jkt</c>
/// and <c>token_type: DPoP</c>, and a refresh token bound to the same key: refreshing it needs a
/// proof by that key. Without a proof, bearer tokens as before, unless the server or the client
/// requires DPoP (<c>Identity:RequireDPoP</c>, <c>Identity:Clients:n:RequireDPoP</c>).
/// </summary>
internal static class DPoPBoundTokens
{
    /// <summary>The refresh token's record of the key its session is bound to.</summary>
    public const string BoundKeyClaim = "dpop_jkt";

    private const string ThumbprintProperty = "identity:dpop_jkt";

    public static OpenIddictServerBuilder AddDPoPBoundTokens(this OpenIddictServerBuilder server) => server
        .AddEventHandler(CheckProof.Descriptor)
        .AddEventHandler(BindTokens.Descriptor)
        .AddEventHandler(SayDPoPTokenType)
        .AddEventHandler(AdvertiseAlgorithms.Descriptor);

    /// <summary>Checks the proof of a token request; runs before the refresh token is redeemed, so a thief without the key burns nothing.</summary>
    internal sealed class CheckProof(DPoPProofValidator proofs, IOptionsMonitor<TokenOptions> tokens) : IOpenIddictServerHandler<ValidateTokenRequestContext>
    {
        public static OpenIddictServerHandlerDescriptor Descriptor { get; } =
            OpenIddictServerHandlerDescriptor.CreateBuilder<ValidateTokenRequestContext>()
                .UseSingletonHandler<CheckProof>()
                .SetOrder(int.MaxValue - 200_000)
                .SetType(OpenIddictServerHandlerType.Custom)
                .Build();

        public async ValueTask HandleAsync(ValidateTokenRequestContext context)
        {
            var http = context.Transaction.GetHttpRequest()!;
            var bound = context.Request.IsRefreshTokenGrantType() ? context.RefreshTokenPrincipal?.GetClaim(BoundKeyClaim) : null;
            var headers = http.Headers[DPoPScheme.Name];
            if (headers.Count == 0)
            {
                if (bound is not null || tokens.CurrentValue.RequiresDPoP(context.ClientId))
                {
                    Reject(context, http, bound is null ? "This client must send a DPoP proof." : "This refresh token is bound to a key: send a DPoP proof made with it.");
                }

                return;
            }

            // The URL the client called: under the issuer (the gateway's public base URL), at this path.
            var url = new Uri(context.Options.Issuer!, (http.PathBase + http.Path).Value!.TrimStart('/')).AbsoluteUri;
            var result = headers.Count == 1
                ? await proofs.ValidateAsync(HttpMethods.Post, url, headers[0]!, boundThumbprint: bound)
                : new DPoPProofResult(null, "Send exactly one DPoP proof header.");
            if (result.Error is { } error)
            {
                Reject(context, http, error, result.ReplayUnchecked);
                return;
            }

            context.Transaction.SetProperty(ThumbprintProperty, result.Thumbprint);
        }

        /// <summary>
        /// A bad proof is the client's error (400, <c>invalid_dpop_proof</c>); a proof whose single use
        /// the cache could not confirm is not (503, <c>temporarily_unavailable</c>): a new proof may pass shortly.
        /// </summary>
        private static void Reject(ValidateTokenRequestContext context, HttpRequest http, string detail, bool replayUnchecked = false)
        {
            if (replayUnchecked)
            {
                http.HttpContext.Response.Headers.RetryAfter = "1";
            }

            if (JsonRoutes.Match(http.Path) is not null)
            {
                JsonProblem.Reject(context, replayUnchecked ? StatusCodes.Status503ServiceUnavailable : StatusCodes.Status400BadRequest, detail);
            }
            else
            {
                context.Reject(replayUnchecked ? Errors.TemporarilyUnavailable : "invalid_dpop_proof", detail);
            }
        }
    }

    /// <summary>Puts <c>cnf.jkt</c> in the access token and the key in the refresh token.</summary>
    internal sealed class BindTokens : IOpenIddictServerHandler<ProcessSignInContext>
    {
        public static OpenIddictServerHandlerDescriptor Descriptor { get; } =
            OpenIddictServerHandlerDescriptor.CreateBuilder<ProcessSignInContext>()
                .UseSingletonHandler<BindTokens>()
                .SetOrder(OpenIddictServerHandlers.GenerateAccessToken.Descriptor.Order - 500)
                .SetType(OpenIddictServerHandlerType.Custom)
                .Build();

        public ValueTask HandleAsync(ProcessSignInContext context)
        {
            if (context.Transaction.GetProperty<string>(ThumbprintProperty) is not { } thumbprint)
            {
                return default;
            }

            if (context.AccessTokenPrincipal?.Identity is System.Security.Claims.ClaimsIdentity access)
            {
                access.SetClaim("cnf", JsonSerializer.SerializeToElement(new { jkt = thumbprint }));
            }

            if (context.RefreshTokenPrincipal?.Identity is System.Security.Claims.ClaimsIdentity refresh)
            {
                refresh.SetClaim(BoundKeyClaim, thumbprint);
            }

            return default;
        }
    }

    /// <summary>After OpenIddict wrote <c>token_type: Bearer</c>: a bound token is a DPoP token (RFC 9449 §5).</summary>
    private static OpenIddictServerHandlerDescriptor SayDPoPTokenType { get; } =
        OpenIddictServerHandlerDescriptor.CreateBuilder<ProcessSignInContext>()
            .UseInlineHandler(context =>
            {
                if (context.Transaction.GetProperty<string>(ThumbprintProperty) is not null && !string.IsNullOrEmpty(context.Response.AccessToken))
                {
                    context.Response.TokenType = "DPoP";
                }

                return default;
            })
            .SetOrder(OpenIddictServerHandlers.AttachSignInParameters.Descriptor.Order + 500)
            .SetType(OpenIddictServerHandlerType.Custom)
            .Build();

    /// <summary>RFC 9449 §5.1: discovery names the proof algorithms accepted.</summary>
    internal static class AdvertiseAlgorithms
    {
        public static OpenIddictServerHandlerDescriptor Descriptor { get; } =
            OpenIddictServerHandlerDescriptor.CreateBuilder<HandleConfigurationRequestContext>()
                .UseInlineHandler(context =>
                {
                    context.Metadata["dpop_signing_alg_values_supported"] = new OpenIddictParameter(JsonSerializer.SerializeToElement(AuthenticationExtensions.AllowedAlgorithms));
                    return default;
                })
                .SetType(OpenIddictServerHandlerType.Custom)
                .Build();
    }
}
