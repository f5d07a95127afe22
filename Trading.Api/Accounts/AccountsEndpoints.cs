using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.Extensions.Options;
using Trading.Api.Auth;
using Trading.Api.Data;

namespace Trading.Api.Accounts;

internal static class AccountsEndpoints
{
    public static IHostApplicationBuilder AddAccounts(this IHostApplicationBuilder builder)
    {
        builder.Services.AddOptions<EncryptionOptions>().BindConfiguration(EncryptionOptions.Section).ValidateDataAnnotations().ValidateOnStart();
        builder.Services.AddSingleton<IValidateOptions<EncryptionOptions>, EncryptionOptionsValidator>();
        builder.Services.AddOptions<PaperTradingOptions>().BindConfiguration(PaperTradingOptions.Section).ValidateDataAnnotations().ValidateOnStart();
        builder.Services.AddSingleton<AccountNumberProtector>();
        builder.Services.AddScoped<AccountProvisioner>();
        return builder;
    }

    public static RouteGroupBuilder MapAccounts(this IEndpointRouteBuilder routes)
    {
        var group = routes.MapGroup("/api/v1/trading/accounts").WithTags("Trading").RequireAuthorization(TradingPolicies.OwnAccount);
        group.MapGet("/", ListAsync).WithSummary("The caller's accounts, account numbers masked.");
        return group;
    }

    internal static async Task<Ok<AccountsResponse>> ListAsync(HttpContext context, AccountProvisioner provisioner, AccountNumberProtector protector, CancellationToken cancellationToken)
    {
        var account = await provisioner.EnsureAccountAsync(Caller.From(context.User).Id, cancellationToken);
        return TypedResults.Ok(new AccountsResponse([ToResponse(account, protector)]));
    }

    private static AccountResponse ToResponse(Account account, AccountNumberProtector protector) => new(
        account.Id,
        AccountNumberProtector.Mask(protector.Unprotect(account.AccountNumberCipher, account.Id)),
        account.Currency,
        account.Cash,
        account.Cash - account.ReservedCash);
}

internal sealed record AccountsResponse(IReadOnlyList<AccountResponse> Accounts);

/// <summary><c>cash_balance</c> is all cash; <c>available_cash</c> excludes what open buy orders hold.</summary>
internal sealed record AccountResponse(Guid AccountId, string AccountNumber, string Currency, decimal CashBalance, decimal AvailableCash);
