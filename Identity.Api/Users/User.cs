using Microsoft.AspNetCore.Identity;

namespace Identity.Api.Users;

/// <summary>A user account. <see cref="IsActive"/> is false while an administrator has locked it.</summary>
internal sealed class User : IdentityUser
{
    public bool IsActive { get; set; } = true;

    public DateTimeOffset CreatedAt { get; set; }
}

/// <summary>The role names tokens carry in their <c>role</c> claim.</summary>
internal static class Roles
{
    public const string Admin = "admin";
    public const string Trader = "trader";
    public const string Auditor = "auditor";

    public static readonly string[] All = [Admin, Trader, Auditor];
}
