using Identity.Api.Data;
using Identity.Api.Tokens;
using Microsoft.AspNetCore.Identity;

namespace Identity.Api.Users;

internal static class UsersExtensions
{
    public static IHostApplicationBuilder AddUsers(this IHostApplicationBuilder builder)
    {
        builder.Services.AddOptions<DemoUsersOptions>().BindConfiguration(DemoUsersOptions.Section).ValidateDataAnnotations().ValidateOnStart();
        builder.Services.AddIdentityCore<User>(options =>
            {
                // Length is the rule (8–128); composition rules add little (NIST SP 800-63B).
                options.Password.RequiredLength = PasswordRules.MinLength;
                options.Password.RequireDigit = false;
                options.Password.RequireLowercase = false;
                options.Password.RequireUppercase = false;
                options.Password.RequireNonAlphanumeric = false;
                options.Password.RequiredUniqueChars = 1;
                options.Lockout.MaxFailedAccessAttempts = 5;
                options.Lockout.DefaultLockoutTimeSpan = TimeSpan.FromMinutes(15);
                options.Lockout.AllowedForNewUsers = true;
                options.User.RequireUniqueEmail = true;
                options.User.AllowedUserNameCharacters = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789._-";
            })
            .AddRoles<IdentityRole>()
            .AddEntityFrameworkStores<IdentityDb>();
        builder.Services.AddScoped<Credentials>();
        builder.Services.AddScoped<FailedLogins>();
        builder.Services.AddSingleton<DummyPasswordHash>();
        builder.Services.AddHostedService<UserSeeder>();
        return builder;
    }

    public static IEndpointRouteBuilder MapUsers(this IEndpointRouteBuilder routes)
    {
        routes.MapPost("/api/v1/auth/register", RegisterEndpoint.RegisterAsync).WithTags("Auth").WithName("Register")
            .WithSummary("Creates a trader account and signs it in; extra fields such as role are ignored.")
            .ExchangesForTokens<RegisterRequest>(StatusCodes.Status201Created)
            .ProducesProblem(StatusCodes.Status409Conflict);

        var signedIn = routes.MapGroup("/api/v1").WithTags("Users").RequireAuthorization()
            .ProducesProblem(StatusCodes.Status401Unauthorized);
        signedIn.MapGet("/auth/me", ProfileEndpoints.MeAsync).WithName("GetMe")
            .WithSummary("The caller's account, read from the store.");
        signedIn.MapGet("/users/profile", ProfileEndpoints.ProfileAsync).WithName("GetProfile")
            .WithSummary("The caller's profile, sensitive fields masked.");

        var admin = routes.MapGroup("/api/v1/admin/users").WithTags("Admin")
            .RequireAuthorization(policy => policy.RequireRole(Roles.Admin))
            .ProducesProblem(StatusCodes.Status401Unauthorized)
            .ProducesProblem(StatusCodes.Status403Forbidden);
        admin.MapGet("/", AdminEndpoints.ListAsync).WithName("ListUsers")
            .WithSummary("Every account with its roles, activity and lockout.");
        admin.MapPost("/{id}/lock", AdminEndpoints.LockAsync).WithName("LockUser")
            .WithSummary("Deactivates the account and ends its sessions at once.");
        admin.MapPost("/{id}/unlock", AdminEndpoints.UnlockAsync).WithName("UnlockUser")
            .WithSummary("Reactivates the account and clears its lockout.");
        admin.MapPost("/{id}/revoke-sessions", AdminEndpoints.RevokeSessionsAsync).WithName("RevokeUserSessions")
            .WithSummary("Ends every session of the account; its tokens are rejected at once.");
        return routes;
    }
}
