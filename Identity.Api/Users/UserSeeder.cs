using Identity.Api.Data;
using Microsoft.AspNetCore.Identity;
using Microsoft.Extensions.Options;

namespace Identity.Api.Users;

/// <summary>
/// Creates the three roles everywhere and, in Development only, the demo users admin, trader and
/// auditor with the configured password. No password in code: without one, no demo user.
/// </summary>
internal sealed partial class UserSeeder(
    IServiceScopeFactory scopes,
    IHostEnvironment environment,
    IOptions<DemoUsersOptions> demo,
    TimeProvider time,
    ILogger<UserSeeder> logger) : IHostedService
{
    public Task StartAsync(CancellationToken cancellationToken) => scopes.WriteAsync(SeedAsync, cancellationToken);

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    private async Task SeedAsync(IServiceProvider services)
    {
        var roles = services.GetRequiredService<RoleManager<IdentityRole>>();
        foreach (var role in Roles.All)
        {
            if (!await roles.RoleExistsAsync(role))
            {
                await roles.CreateAsync(new IdentityRole(role));
            }
        }

        if (!environment.IsDevelopment())
        {
            return;
        }

        if (string.IsNullOrEmpty(demo.Value.Password))
        {
            NoDemoPassword(logger);
            return;
        }

        var users = services.GetRequiredService<UserManager<User>>();
        foreach (var role in Roles.All)
        {
            if (await users.FindByNameAsync(role) is not null)
            {
                continue;
            }

            var user = new User { UserName = role, Email = $"{role}@example.com", EmailConfirmed = true, CreatedAt = time.GetUtcNow() };
            var created = await users.CreateAsync(user, demo.Value.Password);
            if (!created.Succeeded)
            {
                DemoUserRejected(logger, role, string.Join(" ", created.Errors.Select(error => error.Code)));
                continue;
            }

            await users.AddToRoleAsync(user, role);
        }
    }

    [LoggerMessage(EventId = 4300, Level = LogLevel.Warning,
        Message = "No demo users seeded: Identity:DemoUsers:Password is not configured (dotnet user-secrets set Identity:DemoUsers:Password <password> --project Identity.Api)")]
    private static partial void NoDemoPassword(ILogger logger);

    [LoggerMessage(EventId = 4301, Level = LogLevel.Warning, Message = "Demo user {UserName} not created: {Errors}")]
    private static partial void DemoUserRejected(ILogger logger, string userName, string errors);
}
