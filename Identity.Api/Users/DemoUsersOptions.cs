namespace Identity.Api.Users;

/// <summary>Options of section <c>Identity:DemoUsers</c>: one shared password for the Development demo users.</summary>
internal sealed class DemoUsersOptions
{
    public const string Section = "Identity:DemoUsers";

    public string? Password { get; set; }
}
