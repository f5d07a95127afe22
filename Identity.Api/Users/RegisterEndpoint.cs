using Identity.Api.Events;
using Identity.Api.Tokens;
using Microsoft.AspNetCore;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Identity;
using Microsoft.EntityFrameworkCore;
using OpenIddict.Abstractions;

namespace Identity.Api.Users;

/// <summary>
/// <c>POST /api/v1/auth/register</c>. A token endpoint URI like login: OpenIddict has turned the
/// JSON body into a password-grant request; this creates the user (always a trader, whatever the
/// body says) and signs it in, so the 201 carries the same token response as a login.
/// </summary>
internal static class RegisterEndpoint
{
    public static async Task<Results<SignInHttpResult, ProblemHttpResult, ValidationProblem>> RegisterAsync(
        HttpContext context, UserManager<User> users, TokenPrincipals principals, SecurityEvents events, TimeProvider time)
    {
        var request = context.GetOpenIddictServerRequest()
            ?? throw new InvalidOperationException("The OpenIddict request is missing: is passthrough enabled?");
        var cancellationToken = context.RequestAborted;
        var user = new User
        {
            UserName = (string?)request[ExtractJsonTokenRequest.RegisterUsernameParameter],
            Email = request.Username,
            CreatedAt = time.GetUtcNow(),
        };

        IdentityResult result;
        try
        {
            result = await users.CreateAsync(user, request.Password!);
        }
        catch (DbUpdateException)
        {
            // The unique index caught a concurrent registration of the same email.
            return EmailTaken();
        }

        if (!result.Succeeded)
        {
            var codes = result.Errors.Select(error => error.Code).ToHashSet(StringComparer.Ordinal);
            if (codes.Contains(nameof(IdentityErrorDescriber.DuplicateEmail)))
            {
                return EmailTaken();
            }

            if (codes.Contains(nameof(IdentityErrorDescriber.DuplicateUserName)))
            {
                return TypedResults.Problem(statusCode: StatusCodes.Status409Conflict, detail: "This username is already taken.");
            }

            return TypedResults.ValidationProblem(
                result.Errors.GroupBy(error => error.Code.Contains("Password", StringComparison.Ordinal) ? "password" : "username")
                    .ToDictionary(group => group.Key, group => group.Select(error => error.Description).ToArray()),
                detail: "One or more fields are invalid.");
        }

        await users.AddToRoleAsync(user, Roles.Trader);
        var principal = await principals.NewSessionAsync(user, request.ClientId!, [], cancellationToken);
        await events.RecordAsync(SecurityEventTypes.Registered, Outcomes.Success, user.Id, request.ClientId, principal.GetAuthorizationId(), cancellationToken: cancellationToken);
        return TokenEndpoint.SignIn(principal);
    }

    private static ProblemHttpResult EmailTaken() =>
        TypedResults.Problem(statusCode: StatusCodes.Status409Conflict, detail: "An account with this email already exists.");
}
