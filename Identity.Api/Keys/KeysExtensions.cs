using Microsoft.Extensions.Options;
using OpenIddict.Server;
using OpenIddict.Validation;

namespace Identity.Api.Keys;

internal static class KeysExtensions
{
    public const string MissingSecret =
        "Identity:Keys:Secret is not configured. Outside Development the identity service refuses to start without it: " +
        "set a base64 secret of at least 32 random bytes (environment variable Identity__Keys__Secret, user-secrets or a key vault). " +
        "It encrypts the persisted signing keys and the refresh tokens; generate one with `openssl rand -base64 32`.";

    /// <summary>
    /// The key schedule's own clock (the service's TimeProvider by default), so a test can move it
    /// days ahead without moving the clock tokens are issued and validated by.
    /// </summary>
    public const string ClockKey = "keys";

    public static IHostApplicationBuilder AddKeys(this IHostApplicationBuilder builder)
    {
        builder.Services.AddKeyedSingleton(ClockKey, (services, _) => services.GetRequiredService<TimeProvider>());
        builder.Services.AddOptions<KeyOptions>()
            .BindConfiguration(KeyOptions.Section)
            .ValidateDataAnnotations()
            .Validate(options => string.IsNullOrWhiteSpace(options.Secret) || options.SecretBytes() is not null,
                "Identity:Keys:Secret must be base64 and decode to at least 32 bytes.")
            .Validate<IHostEnvironment>((options, environment) => environment.IsDevelopment() || options.SecretBytes() is not null, MissingSecret)
            .ValidateOnStart();

        builder.Services.AddSingleton<KeyRing>();
        builder.Services.AddSingleton<KeyProtector>();
        builder.Services.AddScoped<KeyStore>();
        builder.Services.AddSingleton<KeyRotationService>();
        builder.Services.AddHostedService(services => services.GetRequiredService<KeyRotationService>());

        // OpenIddict reads its keys from the options; the ring's change token rebuilds them on rotation.
        builder.Services.AddSingleton<IConfigureOptions<OpenIddictServerOptions>, ConfigureServerKeys>();
        builder.Services.AddSingleton<IPostConfigureOptions<OpenIddictValidationOptions>, ConfigureValidationKeys>();
        builder.Services.AddSingleton<IOptionsChangeTokenSource<OpenIddictServerOptions>, KeyRingChangeTokenSource<OpenIddictServerOptions>>();
        builder.Services.AddSingleton<IOptionsChangeTokenSource<OpenIddictValidationOptions>, KeyRingChangeTokenSource<OpenIddictValidationOptions>>();
        return builder;
    }
}

internal sealed class ConfigureServerKeys(KeyRing ring) : IConfigureOptions<OpenIddictServerOptions>
{
    public void Configure(OpenIddictServerOptions options)
    {
        if (!ring.IsLoaded)
        {
            throw new InvalidOperationException("The signing keys are used before they were loaded from the database.");
        }

        options.SigningCredentials.AddRange(ring.Signing);
        options.EncryptionCredentials.Add(ring.Encryption!);
    }
}

/// <summary>
/// Identity's own token validation (local server) copies the server's keys when its options are
/// built; both rebuild on the same ring change in no set order, so the keys come from the ring.
/// </summary>
internal sealed class ConfigureValidationKeys(KeyRing ring) : IPostConfigureOptions<OpenIddictValidationOptions>
{
    public void PostConfigure(string? name, OpenIddictValidationOptions options)
    {
        if (options.Configuration is { } configuration)
        {
            configuration.SigningKeys.Clear();
            foreach (var credentials in ring.Signing)
            {
                configuration.SigningKeys.Add(credentials.Key);
            }
        }
    }
}
