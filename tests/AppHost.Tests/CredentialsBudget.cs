using System.Net;
using System.Net.Http.Json;

namespace AppHost.Tests;

/// <summary>
/// The gateway's credentials policy allows 10 attempts a minute per client address, and every
/// AppHost test calls from 127.0.0.1. With a shared cache (CI's redis-server runs) one minute's
/// budget is shared by all test classes, and the replica test spends it on purpose. A test that
/// is not about the limit does what a well-behaved client does: it waits as long as
/// <c>Retry-After</c> says and asks once more.
/// </summary>
internal static class CredentialsBudget
{
    private static readonly TimeSpan LongestWait = TimeSpan.FromSeconds(70);

    public static async Task<HttpResponseMessage> SendAsync(HttpClient client, Func<HttpRequestMessage> request)
    {
        var response = await client.SendAsync(request());
        if (response.StatusCode != HttpStatusCode.TooManyRequests || response.Headers.RetryAfter?.Delta is not { } wait || wait > LongestWait)
        {
            return response;
        }

        response.Dispose();
        await Task.Delay(wait + TimeSpan.FromSeconds(1));
        return await client.SendAsync(request());
    }

    public static Task<HttpResponseMessage> PostAsJsonAsync<T>(HttpClient client, string path, T body) =>
        SendAsync(client, () => new HttpRequestMessage(HttpMethod.Post, path) { Content = JsonContent.Create(body) });
}
