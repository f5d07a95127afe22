using System.Runtime.InteropServices;
using System.Security.Cryptography;
using AspireGateway.Tests;

// The gateway's token authority during a load run: discovery and JWKS on a free loopback port
// (tests/Shared/TestTokenIssuer.cs), and one long-lived trader access token. Prints two lines,
// "authority=<url>" and "token=<jwt>", then serves until SIGTERM or SIGINT. A second argument N
// adds N more traders, one line "trader=<jwt>" each (the order benchmark spreads over accounts).
// With DPOP_KEY_FILE set it also makes a client DPoP key (ES256, written to that file as PEM) and
// prints "dpop_token=<jwt>", a trader token bound to it. Proofs are made later, just before they
// are used (a proof is only accepted for a few minutes), by the second form:
//   dotnet Issuer.dll proofs <key file> <method> <url> <access token> <count> <output file>
// which writes <count> proofs, one per line, each with its own jti.
if (args is ["proofs", var keyFile, var method, var url, var accessToken, var proofCount, var output])
{
    using var ec = ECDsa.Create();
    ec.ImportFromPem(await File.ReadAllTextAsync(keyFile));
    using var client = DPoPKey.EllipticCurve(ec);
    await using var lines = new StreamWriter(output);
    for (var i = int.Parse(proofCount, System.Globalization.CultureInfo.InvariantCulture); i > 0; i--)
    {
        await lines.WriteLineAsync(client.Proof(method, url, accessToken));
    }

    return;
}

var lifetime = TimeSpan.FromHours(args is [var hours, ..] ? double.Parse(hours, System.Globalization.CultureInfo.InvariantCulture) : 12);
var traders = args is [_, var count] ? int.Parse(count, System.Globalization.CultureInfo.InvariantCulture) : 0;
await using var issuer = await TestTokenIssuer.StartAsync();
var token = issuer.Mint("load-trader", roles: ["trader"], lifetime: lifetime, sessionId: "load-session");

Console.WriteLine($"authority={issuer.Address}");
for (var i = 1; i <= traders; i++)
{
    Console.WriteLine($"trader={issuer.Mint($"load-trader-{i}", roles: ["trader"], lifetime: lifetime, sessionId: $"load-session-{i}")}");
}

if (Environment.GetEnvironmentVariable("DPOP_KEY_FILE") is { Length: > 0 } dpopKeyFile)
{
    var ec = ECDsa.Create(ECCurve.NamedCurves.nistP256);
    await File.WriteAllTextAsync(dpopKeyFile, ec.ExportPkcs8PrivateKeyPem());
    using var client = DPoPKey.EllipticCurve(ec);
    Console.WriteLine($"dpop_token={issuer.Mint("load-dpop-trader", roles: ["trader"], lifetime: lifetime, sessionId: "load-dpop-session", boundToThumbprint: client.Thumbprint)}");
}

Console.WriteLine($"token={token}");

// The issuer's own host takes the signal to stop its server; these end the wait below as well.
using var stop = new CancellationTokenSource();
using var terminate = PosixSignalRegistration.Create(PosixSignal.SIGTERM, _ => stop.Cancel());
using var interrupt = PosixSignalRegistration.Create(PosixSignal.SIGINT, _ => stop.Cancel());
await Task.Delay(Timeout.Infinite, stop.Token).ContinueWith(_ => { }, TaskScheduler.Default);
