using System.ComponentModel.DataAnnotations;
using System.Security.Cryptography;
using Microsoft.Extensions.Options;

namespace Trading.Api.Accounts;

/// <summary>
/// Keys for account identifiers at rest (section <c>Trading:Encryption</c>): secret key material
/// by id (at least 32 characters of entropy, e.g. <c>openssl rand -base64 32</c>; the AES-256 key
/// is derived from it with HKDF-SHA256), and the id new values are sealed with. Old ids stay configured until their values are
/// re-sealed, which is what lets keys rotate. Never in the repository: user-secrets, environment
/// or Key Vault.
/// </summary>
internal sealed class EncryptionOptions
{
    public const string Section = "Trading:Encryption";

    [Required(ErrorMessage = "Trading:Encryption:ActiveKeyId is not configured. Set it and Trading:Encryption:Keys:<id> (32+ characters of secret key material) from user-secrets, the environment or Key Vault.")]
    public string ActiveKeyId { get; set; } = string.Empty;

    public Dictionary<string, string> Keys { get; set; } = [];
}

internal sealed class EncryptionOptionsValidator : IValidateOptions<EncryptionOptions>
{
    public ValidateOptionsResult Validate(string? name, EncryptionOptions options)
    {
        if (!options.Keys.TryGetValue(options.ActiveKeyId, out var active))
        {
            return ValidateOptionsResult.Fail($"Trading:Encryption:Keys has no key '{options.ActiveKeyId}' (the ActiveKeyId).");
        }

        foreach (var (id, value) in options.Keys)
        {
            if (value.Length < 32)
            {
                return ValidateOptionsResult.Fail($"Trading:Encryption:Keys:{id} must be at least 32 characters of secret key material.");
            }
        }

        return active.Length > 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail("The active key is empty.");
    }
}
