using System.Security.Claims;
using System.Text.Json.Serialization;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Identity;
using OpenIddict.Abstractions;

namespace Identity.Api.Users;

/// <summary>The caller's own account, read from the store (never from the token).</summary>
internal static class ProfileEndpoints
{
    public static async Task<Results<Ok<MeResponse>, UnauthorizedHttpResult>> MeAsync(ClaimsPrincipal caller, UserManager<User> users)
    {
        if (await FindAsync(caller, users) is not { } user)
        {
            return TypedResults.Unauthorized();
        }

        return TypedResults.Ok(new MeResponse(user.Id, user.UserName!, user.Email!, [.. await users.GetRolesAsync(user)]));
    }

    public static async Task<Results<Ok<ProfileResponse>, UnauthorizedHttpResult>> ProfileAsync(ClaimsPrincipal caller, UserManager<User> users)
    {
        if (await FindAsync(caller, users) is not { } user)
        {
            return TypedResults.Unauthorized();
        }

        return TypedResults.Ok(new ProfileResponse(
            user.Id, user.UserName!, MaskEmail(user.Email!), MaskPhone(user.PhoneNumber),
            [.. await users.GetRolesAsync(user)], user.CreatedAt, user.TwoFactorEnabled));
    }

    /// <summary><c>alice@example.com</c> → <c>a***@example.com</c>: enough to recognise, not to harvest.</summary>
    public static string MaskEmail(string email)
    {
        var at = email.IndexOf('@', StringComparison.Ordinal);
        return at <= 0 ? "***" : $"{email[0]}***{email[at..]}";
    }

    private static string? MaskPhone(string? phone) =>
        string.IsNullOrEmpty(phone) ? null : "****" + phone[^Math.Min(4, phone.Length)..];

    private static async Task<User?> FindAsync(ClaimsPrincipal caller, UserManager<User> users) =>
        caller.GetClaim(OpenIddictConstants.Claims.Subject) is { } id && await users.FindByIdAsync(id) is { IsActive: true } user ? user : null;
}

internal sealed record MeResponse(
    [property: JsonPropertyName("user_id")] string UserId,
    string Username,
    string Email,
    string[] Roles);

internal sealed record ProfileResponse(
    [property: JsonPropertyName("user_id")] string UserId,
    string Username,
    string Email,
    string? Phone,
    string[] Roles,
    [property: JsonPropertyName("created_at")] DateTimeOffset CreatedAt,
    [property: JsonPropertyName("two_factor_enabled")] bool TwoFactorEnabled);
