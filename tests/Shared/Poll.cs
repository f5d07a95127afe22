using System.Net;

namespace AspireGateway.Tests;

public static class Poll
{
    /// <summary>Sends again, <paramref name="every"/> apart, until the answer is <paramref name="wanted"/> or <paramref name="within"/> has passed; returns the last status.</summary>
    public static async Task<HttpStatusCode> UntilAsync(Func<Task<HttpResponseMessage>> send, HttpStatusCode wanted, TimeSpan within, TimeSpan every)
    {
        var deadline = DateTime.UtcNow + within;
        HttpStatusCode last;
        do
        {
            using var response = await send();
            last = response.StatusCode;
            if (last == wanted)
            {
                break;
            }

            await Task.Delay(every);
        }
        while (DateTime.UtcNow < deadline);
        return last;
    }
}
