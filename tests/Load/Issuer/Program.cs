using System.Runtime.InteropServices;
using AspireGateway.Tests;

// The gateway's token authority during a load run: discovery and JWKS on a free loopback port
// (tests/Shared/TestTokenIssuer.cs), and one long-lived trader access token. Prints two lines,
// "authority=<url>" and "token=<jwt>", then serves until SIGTERM or SIGINT. A second argument N
// adds N more traders, one line "trader=<jwt>" each (the order benchmark spreads over accounts).
var lifetime = TimeSpan.FromHours(args is [var hours, ..] ? double.Parse(hours, System.Globalization.CultureInfo.InvariantCulture) : 12);
var traders = args is [_, var count] ? int.Parse(count, System.Globalization.CultureInfo.InvariantCulture) : 0;
await using var issuer = await TestTokenIssuer.StartAsync();
var token = issuer.Mint("load-trader", roles: ["trader"], lifetime: lifetime, sessionId: "load-session");

Console.WriteLine($"authority={issuer.Address}");
for (var i = 1; i <= traders; i++)
{
    Console.WriteLine($"trader={issuer.Mint($"load-trader-{i}", roles: ["trader"], lifetime: lifetime, sessionId: $"load-session-{i}")}");
}

Console.WriteLine($"token={token}");

// The issuer's own host takes the signal to stop its server; these end the wait below as well.
using var stop = new CancellationTokenSource();
using var terminate = PosixSignalRegistration.Create(PosixSignal.SIGTERM, _ => stop.Cancel());
using var interrupt = PosixSignalRegistration.Create(PosixSignal.SIGINT, _ => stop.Cancel());
await Task.Delay(Timeout.Infinite, stop.Token).ContinueWith(_ => { }, TaskScheduler.Default);
