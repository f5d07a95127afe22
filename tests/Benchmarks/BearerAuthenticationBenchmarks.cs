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
/// most a handler answering cached tokens itself could save. JwtBearer's default of keeping the raw
/// token in the ticket (<c>SaveToken</c>), which <c>AddTokenValidation</c> turns off, side by side.
/// </summary>
[MemoryDiagnoser]
public class BearerAuthenticationBenchmarks
{
    private const string SavingScheme = "saving";
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
        void Configure(JwtBearerOptions bearer, bool saveToken)
        {
            bearer.TokenHandlers.Clear();
            bearer.TokenHandlers.Add(_cache);
            bearer.MapInboundClaims = false;
            bearer.SaveToken = saveToken;
            bearer.Configuration = configuration; // held in memory: JwtBearer wraps it in a configuration manager of its own
            bearer.TokenValidationParameters = _parameters;
        }

        services.AddAuthentication(JwtBearerDefaults.AuthenticationScheme)
            .AddJwtBearer(bearer => Configure(bearer, saveToken: false))
            .AddJwtBearer(SavingScheme, bearer => Configure(bearer, saveToken: true));
        _services = services.BuildServiceProvider();

        if (!Cached().GetAwaiter().GetResult() || !ThroughJwtBearer().GetAwaiter().GetResult() || !ThroughJwtBearerSavingTheToken().GetAwaiter().GetResult())
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

    [Benchmark(Description = "JwtBearer AuthenticateAsync of a request, token seen before, the token kept in the ticket (before)")]
    public Task<bool> ThroughJwtBearerSavingTheToken() => AuthenticateAsync(SavingScheme);

    [Benchmark(Description = "JwtBearer AuthenticateAsync of a request, token seen before (now: SaveToken off)")]
    public Task<bool> ThroughJwtBearer() => AuthenticateAsync(JwtBearerDefaults.AuthenticationScheme);

    private async Task<bool> AuthenticateAsync(string scheme)
    {
        await using var scope = _services.CreateAsyncScope();
        var context = new DefaultHttpContext { RequestServices = scope.ServiceProvider };
        context.Request.Headers.Authorization = _header;
        return (await context.AuthenticateAsync(scheme)).Succeeded;
    }
}
