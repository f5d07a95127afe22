using System.ComponentModel.DataAnnotations;
using System.Text.Json;
using Microsoft.AspNetCore;
using OpenIddict.Abstractions;
using OpenIddict.Server;
using OpenIddict.Server.AspNetCore;
using static OpenIddict.Abstractions.OpenIddictConstants;
using static OpenIddict.Server.OpenIddictServerEvents;

namespace Identity.Api.Tokens;

/// <summary>
/// Reads the JSON body of <see cref="JsonRoutes"/> and turns it into the token request the
/// first-party client would send: password grant for login and register, refresh_token grant
/// for refresh. Input errors are rejected here with the HTTP problem they deserve (400, 405, 413, 415).
/// </summary>
internal sealed class ExtractJsonTokenRequest : IOpenIddictServerHandler<ExtractTokenRequestContext>
{
    private const long MaxBodyBytes = 64 * 1024;
    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);

    public static OpenIddictServerHandlerDescriptor Descriptor { get; } =
        OpenIddictServerHandlerDescriptor.CreateBuilder<ExtractTokenRequestContext>()
            .AddFilter<OpenIddictServerAspNetCoreHandlerFilters.RequireHttpRequest>()
            .AddFilter<RequireJsonRoute<ExtractTokenRequestContext>>()
            .UseSingletonHandler<ExtractJsonTokenRequest>()
            .SetOrder(OpenIddictServerAspNetCoreHandlers.ExtractPostRequest<ExtractTokenRequestContext>.Descriptor.Order)
            .SetType(OpenIddictServerHandlerType.Custom)
            .Build();

    public async ValueTask HandleAsync(ExtractTokenRequestContext context)
    {
        var http = context.Transaction.GetHttpRequest()!;
        var route = JsonRoutes.Match(http.Path);
        if (!HttpMethods.IsPost(http.Method))
        {
            JsonProblem.Reject(context, StatusCodes.Status405MethodNotAllowed, $"The method {http.Method} is not allowed on this path.");
            return;
        }

        if (!http.HasJsonContentType())
        {
            JsonProblem.Reject(context, StatusCodes.Status415UnsupportedMediaType, "The request body must be application/json.");
            return;
        }

        if (http.ContentLength > MaxBodyBytes)
        {
            JsonProblem.Reject(context, StatusCodes.Status413PayloadTooLarge, "The request body is larger than 64 KiB.");
            return;
        }

        var request = route switch
        {
            JsonRoutes.Login => await ReadAsync<LoginRequest>(context, http) is { } login
                ? PasswordRequest(login.Email!, login.Password!) : null,
            JsonRoutes.Register => await ReadAsync<RegisterRequest>(context, http) is { } register
                ? PasswordRequest(register.Email!, register.Password!, register.Username!) : null,
            _ => await ReadAsync<RefreshRequest>(context, http) is { } refresh
                ? new OpenIddictRequest { GrantType = GrantTypes.RefreshToken, RefreshToken = refresh.RefreshToken, ClientId = FirstPartyClient.ClientId }
                : null,
        };

        if (request is not null)
        {
            context.Transaction.Request = request;
        }
    }

    /// <summary>The custom parameter carrying the display username of a registration.</summary>
    public const string RegisterUsernameParameter = "register_username";

    private static OpenIddictRequest PasswordRequest(string email, string password, string? username = null)
    {
        var request = new OpenIddictRequest
        {
            GrantType = GrantTypes.Password,
            Username = email,
            Password = password,
            ClientId = FirstPartyClient.ClientId,
            Scope = Scopes.OfflineAccess,
        };
        if (username is not null)
        {
            request.SetParameter(RegisterUsernameParameter, username);
        }

        return request;
    }

    private static async Task<T?> ReadAsync<T>(ExtractTokenRequestContext context, HttpRequest http) where T : class
    {
        T? body;
        try
        {
            body = await JsonSerializer.DeserializeAsync<T>(http.Body, Json, context.CancellationToken);
        }
        catch (JsonException)
        {
            JsonProblem.Reject(context, StatusCodes.Status400BadRequest, "The request body is not valid JSON.");
            return null;
        }

        if (body is null)
        {
            JsonProblem.Reject(context, StatusCodes.Status400BadRequest, "The request body must be a JSON object.");
            return null;
        }

        var results = new List<ValidationResult>();
        if (!Validator.TryValidateObject(body, new ValidationContext(body), results, validateAllProperties: true))
        {
            var errors = results
                .SelectMany(result => result.MemberNames.Select(member => (Member: JsonNamingPolicy.SnakeCaseLower.ConvertName(member), result.ErrorMessage)))
                .GroupBy(error => error.Member)
                .ToDictionary(group => group.Key, group => group.Select(error => error.ErrorMessage ?? "Invalid value.").ToArray());
            JsonProblem.Reject(context, StatusCodes.Status400BadRequest, "One or more fields are invalid.", errors);
            return null;
        }

        return body;
    }
}

/// <summary>OpenIddict's own form extraction, limited to <c>/connect/token</c>.</summary>
internal sealed class ExtractFormTokenRequest : IOpenIddictServerHandler<ExtractTokenRequestContext>
{
    private readonly OpenIddictServerAspNetCoreHandlers.ExtractPostRequest<ExtractTokenRequestContext> _builtIn = new();

    public static OpenIddictServerHandlerDescriptor Descriptor { get; } =
        OpenIddictServerHandlerDescriptor.CreateBuilder<ExtractTokenRequestContext>()
            .Import(OpenIddictServerAspNetCoreHandlers.ExtractPostRequest<ExtractTokenRequestContext>.Descriptor)
            .AddFilter<RequireOAuthRoute<ExtractTokenRequestContext>>()
            .UseSingletonHandler<ExtractFormTokenRequest>()
            .SetType(OpenIddictServerHandlerType.Custom)
            .Build();

    public ValueTask HandleAsync(ExtractTokenRequestContext context) => _builtIn.HandleAsync(context);
}

/// <summary>Lets a handler run only for the JSON routes (or, negated, only for the OAuth endpoint).</summary>
internal sealed class RequireJsonRoute<TContext> : IOpenIddictServerHandlerFilter<TContext> where TContext : OpenIddictServerEvents.BaseContext
{
    public ValueTask<bool> IsActiveAsync(TContext context) =>
        ValueTask.FromResult(context.Transaction.GetHttpRequest() is { } http && JsonRoutes.Match(http.Path) is not null);
}

internal sealed class RequireOAuthRoute<TContext> : IOpenIddictServerHandlerFilter<TContext> where TContext : OpenIddictServerEvents.BaseContext
{
    public ValueTask<bool> IsActiveAsync(TContext context) =>
        ValueTask.FromResult(context.Transaction.GetHttpRequest() is not { } http || JsonRoutes.Match(http.Path) is null);
}
