using Microsoft.Extensions.Options;
using Microsoft.Extensions.Primitives;
using Microsoft.IdentityModel.Tokens;

namespace Identity.Api.Keys;

/// <summary>
/// The keys this replica uses now, as loaded from the database. The signing credentials are
/// ordered active key first (OpenIddict signs with the first), then the announced successor, then
/// retired keys still needed to validate live tokens; all of them are published in the JWKS.
/// When the order changes, OpenIddict's server and validation options are rebuilt.
/// </summary>
internal sealed class KeyRing
{
    private readonly Lock _gate = new();
    private CancellationTokenSource _changed = new();

    public IReadOnlyList<SigningCredentials> Signing { get; private set; } = [];

    public EncryptingCredentials? Encryption { get; private set; }

    public string? ActiveKeyId => Signing.Count > 0 ? Signing[0].Key.KeyId : null;

    public bool IsLoaded => Signing.Count > 0 && Encryption is not null;

    public IChangeToken ChangeToken()
    {
        lock (_gate)
        {
            return new CancellationChangeToken(_changed.Token);
        }
    }

    public void Update(IReadOnlyList<SigningCredentials> signing, EncryptingCredentials encryption)
    {
        CancellationTokenSource previous;
        lock (_gate)
        {
            var unchanged = IsLoaded
                && Signing.Select(credentials => credentials.Key.KeyId).SequenceEqual(signing.Select(credentials => credentials.Key.KeyId))
                && Encryption!.Key.KeyId == encryption.Key.KeyId;
            if (unchanged)
            {
                return;
            }

            Signing = signing;
            Encryption = encryption;
            previous = _changed;
            _changed = new CancellationTokenSource();
        }

        previous.Cancel();
        previous.Dispose();
    }
}

/// <summary>Rebuilds <typeparamref name="TOptions"/> whenever the key ring changes.</summary>
internal sealed class KeyRingChangeTokenSource<TOptions>(KeyRing ring) : IOptionsChangeTokenSource<TOptions>
{
    public string Name => Options.DefaultName;

    public IChangeToken GetChangeToken() => ring.ChangeToken();
}
