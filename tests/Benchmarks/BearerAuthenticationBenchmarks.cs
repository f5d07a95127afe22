using System.Security.Cryptography;
using BenchmarkDotNet.Attributes;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Authentication.JwtBearer;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.IdentityModel.Protocols.OpenIdConnect;
using Microsoft.IdentityModel.Tokens;

namespace Benchmarks;

/// <summary>
/// What JwtBearer adds around a cached token: the same token through <see cref="ValidatedTokenCache"/>
/// alone (the baseline), and through JwtBearer's whole <c>AuthenticateAsync</c> for a request (the
/// header read, its events, the per-request copy of the validation parameters with the keys of the
/// current configuration, the principal and the ticket), configured as <c>AddTokenValidation</c>
/// configures it, with the configuration held in memory instead of fetched. The difference is the
/// most a handler answering cached tokens itself could save.
/// </summary>
[MemoryDiagnoser]
public class BearerAuthenticationBenchmarks
{
    private readonly ValidatedTokenCache _cache = new(TimeProvider.System);
    private ECDsa _ecdsa = null!;
    private ServiceProvider _services = null!;
    private TokenValidationParameters _parameters = null!;
    private string _token = null!;
    private string _header = null!;

    [GlobalSetup]
    public void Setup()
    {
        _ecdsa = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var key = new ECDsaSecurityKey(_ecdsa) { KeyId = "es" };
        _token = TokenValidationBenchmarks.Mint(key, SecurityAlgorithms.EcdsaSha256);
        _header = "Bearer " + _token;

        var configuration = new OpenIdConnectConfiguration { Issuer = TokenValidationBenchmarks.Issuer };
        configuration.SigningKeys.Add(key);
        // As AddTokenValidation configures JwtBearer; JwtBearer copies them per request and adds the configuration's keys.
        _parameters = TokenValidationBenchmarks.Parameters(key);

        var services = new ServiceCollection();
        services.AddLogging();
        services.AddAuthentication(JwtBearerDefaults.AuthenticationScheme).AddJwtBearer(bearer =>
        {
            bearer.TokenHandlers.Clear();
            bearer.TokenHandlers.Add(_cache);
            bearer.MapInboundClaims = false;
            bearer.Configuration = configuration; // held in memory: JwtBearer wraps it in a configuration manager of its own
            bearer.TokenValidationParameters = _parameters;
        });
        _services = services.BuildServiceProvider();

        if (!Cached().GetAwaiter().GetResult() || !ThroughJwtBearer().GetAwaiter().GetResult())
        {
            throw new InvalidOperationException("The benchmark token does not authenticate.");
        }
    }

    [GlobalCleanup]
    public void Cleanup()
    {
        _services.Dispose();
        _ecdsa.Dispose();
    }

    [Benchmark(Baseline = true, Description = "ValidatedTokenCache alone, token seen before")]
    public async Task<bool> Cached() => (await _cache.ValidateTokenAsync(_token, _parameters)).IsValid;

    [Benchmark(Description = "JwtBearer AuthenticateAsync of a request, token seen before")]
    public async Task<bool> ThroughJwtBearer()
    {
        await using var scope = _services.CreateAsyncScope();
        var context = new DefaultHttpContext { RequestServices = scope.ServiceProvider };
        context.Request.Headers.Authorization = _header;
        return (await context.AuthenticateAsync(JwtBearerDefaults.AuthenticationScheme)).Succeeded;
    }
}
