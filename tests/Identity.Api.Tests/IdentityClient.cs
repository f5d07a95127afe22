using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Security.Cryptography;
using System.Text.Json;
using System.Text.Json.Serialization;

namespace Identity.Api.Tests;

/// <summary>What a REST client of the identity routes does, in a few calls.</summary>
public sealed class IdentityClient(HttpClient http) : IDisposable
{
    public HttpClient Http { get; } = http;

    public static string NewEmail() => $"user-{Guid.NewGuid():N}@example.com";

    public static string NewPassword() => Convert.ToBase64String(RandomNumberGenerator.GetBytes(12));

    public Task<HttpResponseMessage> PostJsonAsync(string path, object body) => Http.PostAsJsonAsync(new Uri(path, UriKind.Relative), body);

    public Task<HttpResponseMessage> RegisterAsync(string email, string password, string? username = null) =>
        PostJsonAsync("/api/v1/auth/register", new { username = username ?? "u" + Guid.NewGuid().ToString("N")[..12], email, password });

    public Task<HttpResponseMessage> LoginAsync(string email, string password) =>
        PostJsonAsync("/api/v1/auth/login", new { email, password });

    public Task<HttpResponseMessage> RefreshAsync(string refreshToken) =>
        PostJsonAsync("/api/v1/auth/refresh", new { refresh_token = refreshToken });

    /// <summary>Registers a new trader and returns its first token response and credentials.</summary>
    public async Task<(TokenResponse Tokens, string Email, string Password)> NewUserAsync()
    {
        var (email, password) = (NewEmail(), NewPassword());
        using var response = await RegisterAsync(email, password);
        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        return ((await response.Content.ReadFromJsonAsync<TokenResponse>())!, email, password);
    }

    public async Task<TokenResponse> LoginOkAsync(string email, string password)
    {
        using var response = await LoginAsync(email, password);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        return (await response.Content.ReadFromJsonAsync<TokenResponse>())!;
    }

    public Task<HttpResponseMessage> GetAsync(string path, string? accessToken)
    {
        var request = new HttpRequestMessage(HttpMethod.Get, new Uri(path, UriKind.Relative));
        if (accessToken is not null)
        {
            request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", accessToken);
        }

        return Http.SendAsync(request);
    }

    public Task<HttpResponseMessage> PostAsync(string path, string? accessToken)
    {
        var request = new HttpRequestMessage(HttpMethod.Post, new Uri(path, UriKind.Relative));
        if (accessToken is not null)
        {
            request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", accessToken);
        }

        return Http.SendAsync(request);
    }

    public async Task<HttpStatusCode> StatusAsync(Task<HttpResponseMessage> call)
    {
        using var response = await call;
        return response.StatusCode;
    }

    public Task<HttpResponseMessage> TokenAsync(params (string Name, string Value)[] form) =>
        Http.PostAsync(new Uri("/connect/token", UriKind.Relative),
            new FormUrlEncodedContent(form.Select(pair => new KeyValuePair<string, string>(pair.Name, pair.Value))));

    public static async Task<JsonElement> JsonAsync(HttpResponseMessage response) =>
        JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement;

    public void Dispose() => Http.Dispose();
}

public sealed record TokenResponse(
    [property: JsonPropertyName("access_token")] string AccessToken,
    [property: JsonPropertyName("token_type")] string TokenType,
    [property: JsonPropertyName("expires_in")] int ExpiresIn,
    [property: JsonPropertyName("refresh_token")] string? RefreshToken,
    [property: JsonPropertyName("scope")] string? Scope);
