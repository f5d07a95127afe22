using System.Net;
using System.Net.Http.Json;
using System.Text;
using AspireGateway.Tests;

namespace Gateway.Api.Tests;

public sealed class EdgeHardeningTests(GatewayFixture fixture) : IClassFixture<GatewayFixture>
{
    [Theory]
    [InlineData("/", HttpStatusCode.OK)]
    [InlineData("/no/such/path", HttpStatusCode.NotFound)]
    [InlineData("/api/v1/trading/accounts", HttpStatusCode.Unauthorized)]
    public async Task EveryResponseCarriesTheSecurityHeaders(string path, HttpStatusCode status)
    {
        using var client = fixture.Client();

        using var response = await client.GetAsync(new Uri(path, UriKind.Relative));

        Assert.Equal(status, response.StatusCode);
        Assert.Equal("nosniff", response.Headers.GetValues("X-Content-Type-Options").Single());
        Assert.Equal("DENY", response.Headers.GetValues("X-Frame-Options").Single());
        Assert.Equal("no-referrer", response.Headers.GetValues("Referrer-Policy").Single());
        Assert.Equal("default-src 'none'; frame-ancestors 'none'", response.Headers.GetValues("Content-Security-Policy").Single());
        Assert.True(response.Headers.CacheControl?.NoStore);
        Assert.True(response.Headers.Contains("Permissions-Policy"));
        Assert.False(response.Headers.Contains("Server"));
        Assert.False(response.Headers.Contains("X-Powered-By"));
        Assert.True(response.Headers.Contains("X-Request-Id"));
    }

    [Fact]
    public async Task AWellFormedRequestIdIsKeptReturnedAndPassedDownstream()
    {
        using var client = fixture.Client(fixture.Tokens.Trader());
        using var request = new HttpRequestMessage(HttpMethod.Get, "/api/v1/trading/accounts");
        request.Headers.Add("X-Request-Id", "client-req_42.a");

        using var response = await client.SendAsync(request);
        var echoed = await response.Content.ReadFromJsonAsync<EchoedRequest>();

        Assert.Equal("client-req_42.a", response.Headers.GetValues("X-Request-Id").Single());
        Assert.Equal("client-req_42.a", echoed!.Header("X-Request-Id"));
    }

    [Theory]
    [InlineData("has spaces")]
    [InlineData("<script>")]
    [InlineData("")]
    public async Task AMalformedRequestIdIsReplaced(string supplied)
    {
        using var client = fixture.Client(fixture.Tokens.Trader());
        using var request = new HttpRequestMessage(HttpMethod.Get, "/api/v1/trading/accounts");
        request.Headers.TryAddWithoutValidation("X-Request-Id", supplied);

        using var response = await client.SendAsync(request);
        var echoed = await response.Content.ReadFromJsonAsync<EchoedRequest>();
        var returned = response.Headers.GetValues("X-Request-Id").Single();

        Assert.NotEqual(supplied, returned);
        Assert.Matches("^[A-Za-z0-9._-]{1,128}$", returned);
        Assert.Equal(returned, echoed!.Header("X-Request-Id"));
    }

    [Fact]
    public async Task ARequestIdOutsideAsciiIsReplacedAndTheRequestServed()
    {
        using var response = await SendLatin1HeaderAsync("X-Request-Id", "caf\u00e9-42");

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Matches("^[A-Za-z0-9._-]{1,128}$", response.Headers.GetValues("X-Request-Id").Single());
        Assert.Equal(response.Headers.GetValues("X-Request-Id").Single(), (await response.Content.ReadFromJsonAsync<EchoedRequest>())!.Header("X-Request-Id"));
    }

    [Fact]
    public async Task AnotherHeaderOutsideAsciiIsA400ProblemWithTheSecurityHeadersAndARequestId()
    {
        using var response = await SendLatin1HeaderAsync("X-Note", "caf\u00e9");

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        Assert.Contains("X-Note", await response.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        Assert.Equal("nosniff", response.Headers.GetValues("X-Content-Type-Options").Single());
        Assert.True(response.Headers.Contains("X-Request-Id"));
    }

    /// <summary>A proxied read with one header value sent as Latin-1 bytes, as some clients and proxies do (the response is buffered).</summary>
    private async Task<HttpResponseMessage> SendLatin1HeaderAsync(string name, string value)
    {
        await using var gateway = fixture.StartOnKestrel();
        using var client = new HttpClient(new SocketsHttpHandler { RequestHeaderEncodingSelector = (_, _) => Encoding.Latin1 }) { BaseAddress = gateway.ClientOptions.BaseAddress };
        using var request = new HttpRequestMessage(HttpMethod.Get, "/api/v1/trading/accounts");
        request.Headers.Authorization = new("Bearer", fixture.Tokens.Trader());
        request.Headers.Add(name, value);
        return await client.SendAsync(request);
    }

    [Fact]
    public async Task IdentityAndForwardingHeadersFromTheClientNeverReachTheBackend()
    {
        using var client = fixture.Client(fixture.Tokens.Trader());
        using var request = new HttpRequestMessage(HttpMethod.Get, "/api/v1/trading/accounts");
        request.Headers.Add("X-User-Id", "admin");
        request.Headers.Add("X-User-Roles", "admin");
        request.Headers.Add("X-Forwarded-For", "6.6.6.6");
        request.Headers.Add("X-Forwarded-Host", "evil.test");
        request.Headers.Add("Forwarded", "for=6.6.6.6");
        request.Headers.Add("X-Original-URL", "/api/v1/admin/users");

        using var response = await client.SendAsync(request);
        var echoed = await response.Content.ReadFromJsonAsync<EchoedRequest>();

        Assert.Null(echoed!.Header("X-User-Id"));
        Assert.Null(echoed.Header("X-User-Roles"));
        Assert.Null(echoed.Header("Forwarded"));
        Assert.Null(echoed.Header("X-Original-URL"));
        Assert.DoesNotContain("6.6.6.6", echoed.Header("X-Forwarded-For") ?? string.Empty, StringComparison.Ordinal);
        Assert.NotEqual("evil.test", echoed.Header("X-Forwarded-Host"));
        Assert.StartsWith("Bearer ", echoed.Header("Authorization"), StringComparison.Ordinal);
    }

    [Fact]
    public async Task ABodyOfAnotherMediaTypeIs415BeforeItReachesTheBackend()
    {
        using var client = fixture.Client(fixture.Tokens.Trader());
        using var request = new HttpRequestMessage(HttpMethod.Post, "/api/v1/trading/orders") { Content = new StringContent("symbol=AAPL", Encoding.UTF8, "text/plain") };
        request.Headers.Add("Idempotency-Key", "k1");

        using var response = await client.SendAsync(request);

        Assert.Equal(HttpStatusCode.UnsupportedMediaType, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
    }

    [Fact]
    public async Task AClientAcceptingOnlyHtmlStillGetsAProblemDocumentNotAServerError()
    {
        using var client = fixture.Client(fixture.Tokens.Trader());
        using var request = new HttpRequestMessage(HttpMethod.Post, "/api/v1/trading/orders") { Content = new StringContent("x", Encoding.UTF8, "text/plain") };
        request.Headers.Add("Idempotency-Key", "k3");
        request.Headers.Add("Accept", "text/html");

        using var response = await client.SendAsync(request);

        Assert.Equal(HttpStatusCode.UnsupportedMediaType, response.StatusCode);
        Assert.Contains("\"status\":415", await response.Content.ReadAsStringAsync(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task ABodyOverTheRouteLimitIs413()
    {
        using var client = fixture.Client(fixture.Tokens.Trader());
        using var request = new HttpRequestMessage(HttpMethod.Post, "/api/v1/trading/orders")
        {
            Content = new StringContent("{\"pad\":\"" + new string('x', 70 * 1024) + "\"}", Encoding.UTF8, "application/json"),
        };
        request.Headers.Add("Idempotency-Key", "k2");

        using var response = await client.SendAsync(request);

        Assert.Equal(HttpStatusCode.RequestEntityTooLarge, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
    }

    [Theory]
    [InlineData("/api/v1/auth/login", 16 * 1024)] // the route's own limit
    [InlineData("/api/v1/trading/orders", 64 * 1024)] // the default
    public async Task AChunkedBodyOverTheLimitIsThe413Problem(string path, int limit)
    {
        await using var gateway = fixture.StartOnKestrel();
        using var client = GatewayFixture.Client(gateway, fixture.Tokens.Trader());
        var body = "{\"pad\":\"" + new string('x', limit) + "\"}";

        using var declared = await client.SendAsync(Post(path, body, chunked: false));
        using var chunked = await client.SendAsync(Post(path, body, chunked: true));
        using var chunkedWithin = await client.SendAsync(Post(path, "{}", chunked: true));

        Assert.Equal(HttpStatusCode.OK, chunkedWithin.StatusCode);
        Assert.Equal(HttpStatusCode.RequestEntityTooLarge, declared.StatusCode);
        Assert.Equal(HttpStatusCode.RequestEntityTooLarge, chunked.StatusCode);
        Assert.Equal("application/problem+json", chunked.Content.Headers.ContentType?.MediaType);
        var problem = await chunked.Content.ReadFromJsonAsync<System.Text.Json.JsonElement>();
        var expected = await declared.Content.ReadFromJsonAsync<System.Text.Json.JsonElement>();
        Assert.Equal(expected.GetProperty("title").GetString(), problem.GetProperty("title").GetString());
        Assert.Equal(expected.GetProperty("detail").GetString(), problem.GetProperty("detail").GetString());

        static HttpRequestMessage Post(string path, string body, bool chunked)
        {
            var request = new HttpRequestMessage(HttpMethod.Post, path) { Content = new StringContent(body, Encoding.UTF8, "application/json") };
            request.Headers.TransferEncodingChunked = chunked;
            request.Headers.Add("Idempotency-Key", Guid.NewGuid().ToString());
            return request;
        }
    }

    [Fact]
    public async Task ABodyThatStopsShortOfItsContentLengthIsA4xxProblemNotA502()
    {
        await using var gateway = fixture.StartOnKestrel();
        using var http = GatewayFixture.Client(gateway);
        using var socket = new System.Net.Sockets.Socket(System.Net.Sockets.SocketType.Stream, System.Net.Sockets.ProtocolType.Tcp);
        await socket.ConnectAsync(http.BaseAddress!.Host, http.BaseAddress.Port);
        var head = $"POST /api/v1/trading/orders HTTP/1.1\r\nHost: localhost\r\nAuthorization: Bearer {fixture.Tokens.Trader()}\r\n"
            + "Idempotency-Key: short-body\r\nContent-Type: application/json\r\nContent-Length: 100\r\nConnection: close\r\n\r\n{\"symbol\":";

        // The client promises 100 bytes, sends a few and then nothing more: the server's minimum
        // body data rate ends the wait.
        await socket.SendAsync(Encoding.ASCII.GetBytes(head));
        var answer = new StringBuilder();
        var buffer = new byte[4096];
        int read;
        while ((read = await socket.ReceiveAsync(buffer).WaitAsync(TimeSpan.FromSeconds(30))) > 0)
        {
            answer.Append(Encoding.ASCII.GetString(buffer, 0, read));
        }

        var response = answer.ToString();
        Assert.Matches("^HTTP/1.1 4[0-9][0-9] ", response);
        Assert.Contains("application/problem+json", response, StringComparison.Ordinal);
    }

    [Fact]
    public async Task PlacingAnOrderWithoutIdempotencyKeyIs400AtTheEdge()
    {
        using var client = fixture.Client(fixture.Tokens.Trader());

        using var response = await client.PostAsJsonAsync(new Uri("/api/v1/trading/orders", UriKind.Relative), new { symbol = "AAPL" });

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
    }

    [Theory]
    [InlineData("too-long")]
    [InlineData("tab\there")]
    public async Task AnIdempotencyKeyTheServiceWouldRefuseIs400AtTheEdgeToo(string key)
    {
        using var client = fixture.Client(fixture.Tokens.Trader());
        using var request = new HttpRequestMessage(HttpMethod.Post, "/api/v1/trading/orders") { Content = JsonContent.Create(new { symbol = "AAPL" }) };
        request.Headers.TryAddWithoutValidation("Idempotency-Key", key == "too-long" ? new string('k', 256) : key);

        using var response = await client.SendAsync(request);

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal("Idempotency-Key required", (await response.Content.ReadFromJsonAsync<System.Text.Json.JsonElement>()).GetProperty("title").GetString());
    }

    [Fact]
    public async Task AKnownPathWithTheWrongMethodIs405Problem()
    {
        using var client = fixture.Client();

        using var response = await client.PutAsync(new Uri("/api/v1/auth/login", UriKind.Relative), new StringContent("{}", Encoding.UTF8, "application/json"));

        Assert.Equal(HttpStatusCode.MethodNotAllowed, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
    }

    [Fact]
    public async Task CorsIsDeniedUnlessTheOriginIsAllowListed()
    {
        await using var gateway = fixture.CreateGateway(fixture.Backend.Address, new Dictionary<string, string?> { ["Gateway:Edge:AllowedOrigins:0"] = "https://app.example" });
        using var client = GatewayFixture.Client(gateway);

        using var allowed = await client.SendAsync(Preflight("https://app.example"));
        using var denied = await client.SendAsync(Preflight("https://evil.example"));

        Assert.Equal("https://app.example", allowed.Headers.GetValues("Access-Control-Allow-Origin").Single());
        Assert.False(allowed.Headers.Contains("Access-Control-Allow-Credentials"));
        Assert.False(denied.Headers.Contains("Access-Control-Allow-Origin"));
    }

    [Theory]
    [InlineData("Gateway:Edge:AllowedOrigins:0", "*", "AllowedOrigins")]
    [InlineData("Gateway:Edge:AllowedOrigins:0", "https://app.example/path", "AllowedOrigins")]
    [InlineData("Gateway:Edge:TrustedProxies:0", "10.0.0.0/33", "TrustedProxies")]
    public async Task AnEdgeSettingThatCannotMeanWhatItSaysIsRefusedAtStart(string key, string value, string named)
    {
        await using var gateway = fixture.CreateGateway(fixture.Backend.Address, new Dictionary<string, string?> { [key] = value });

        var error = Assert.Throws<Microsoft.Extensions.Options.OptionsValidationException>(() => gateway.Server);

        Assert.Contains(named, error.Message, StringComparison.Ordinal);
        Assert.Contains(value, error.Message, StringComparison.Ordinal);
    }

    private static HttpRequestMessage Preflight(string origin)
    {
        var request = new HttpRequestMessage(HttpMethod.Options, "/api/v1/trading/accounts");
        request.Headers.Add("Origin", origin);
        request.Headers.Add("Access-Control-Request-Method", "GET");
        request.Headers.Add("Access-Control-Request-Headers", "authorization");
        return request;
    }
}
