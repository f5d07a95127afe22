using System.Net;
using System.Net.Http.Json;
using System.Text.RegularExpressions;

namespace Gateway.Api.Tests.RateLimiting;

internal static partial class RateLimitAssertions
{
    public static string Header(HttpResponseMessage response, string name) =>
        response.Headers.TryGetValues(name, out var values) ? string.Join(", ", values) : string.Empty;

    /// <summary>The <c>r</c> and <c>t</c> of <c>RateLimit: "name";r=N;t=N</c> for the named policy.</summary>
    public static (long Remaining, long Reset) State(HttpResponseMessage response, string policy)
    {
        var match = StateField().Match(Header(response, "RateLimit"));
        Assert.True(match.Success, $"RateLimit header missing or malformed: '{Header(response, "RateLimit")}'");
        Assert.Equal(policy, match.Groups["name"].Value);
        return (long.Parse(match.Groups["r"].Value, System.Globalization.CultureInfo.InvariantCulture), long.Parse(match.Groups["t"].Value, System.Globalization.CultureInfo.InvariantCulture));
    }

    /// <summary>Sends until the first 429 (at most <paramref name="max"/> requests) and returns how many were allowed.</summary>
    public static async Task<(int Allowed, HttpResponseMessage Rejected)> SpendAsync(Func<Task<HttpResponseMessage>> send, int max = 50)
    {
        for (var allowed = 0; allowed < max; allowed++)
        {
            var response = await send();
            if (response.StatusCode == HttpStatusCode.TooManyRequests)
            {
                return (allowed, response);
            }

            Assert.True(response.IsSuccessStatusCode, $"Expected success or 429, got {(int)response.StatusCode}");
            response.Dispose();
        }

        throw new Xunit.Sdk.XunitException($"No 429 after {max} requests.");
    }

    public static async Task<ProblemBody> ProblemAsync(HttpResponseMessage response)
    {
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        return (await response.Content.ReadFromJsonAsync<ProblemBody>())!;
    }

    [GeneratedRegex("^\"(?<name>[^\"]+)\";r=(?<r>[0-9]+);t=(?<t>[0-9]+)$")]
    private static partial Regex StateField();
}

internal sealed record ProblemBody(string Type, string Title, int Status, string Detail, string TraceId);
