using System.Collections.Concurrent;
using System.Globalization;
using AspireGateway.Tests;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;

namespace Gateway.Api.Tests.Auditing;

/// <summary>
/// A stand-in for identity's side of the security-event feed, on a loopback port: the token
/// endpoint for the <c>gateway-audit</c> client and <c>GET /internal/security-events</c> over an
/// in-memory outbox, exactly as the gateway expects identity to serve them.
/// </summary>
public sealed class StandInIdentity : IAsyncDisposable
{
    public const string Secret = "stand-in-secret";
    private const string AccessToken = "stand-in-access-token";
    private readonly List<Dictionary<string, object?>> _outbox = [];
    private WebApplication? _app;
    private TaskCompletionSource? _gate;
    private int _awaited;

    public string Address { get; private set; } = string.Empty;

    /// <summary>Every <c>after</c> value the gateway asked with, in order.</summary>
    public ConcurrentQueue<long> Requests { get; } = new();

    public ConcurrentQueue<IReadOnlyDictionary<string, string>> TokenRequests { get; } = new();

    public static async Task<StandInIdentity> StartAsync()
    {
        var identity = new StandInIdentity();
        var port = Ports.FreeLoopback();
        identity.Address = $"http://127.0.0.1:{port}";
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseUrls(identity.Address);
        builder.Logging.ClearProviders();
        var app = builder.Build();
        app.MapPost("/connect/token", async (HttpRequest request) =>
        {
            var form = await request.ReadFormAsync();
            identity.TokenRequests.Enqueue(form.ToDictionary(f => f.Key, f => f.Value.ToString()));
            return form["grant_type"] == "client_credentials" && form["client_id"] == "gateway-audit" && form["client_secret"] == Secret
                ? Results.Json(new Dictionary<string, object> { ["access_token"] = AccessToken, ["token_type"] = "Bearer", ["expires_in"] = 300 })
                : Results.Json(new Dictionary<string, string> { ["error"] = "invalid_client" }, statusCode: 401);
        });
        app.MapGet("/internal/security-events", async (HttpRequest request, long after, int limit) =>
        {
            if (request.Headers.Authorization != $"Bearer {AccessToken}")
            {
                return Results.StatusCode(401);
            }

            identity.Requests.Enqueue(after);
            await identity.PassGateAsync();
            lock (identity._outbox)
            {
                var page = identity._outbox.Where(e => (long)e["id"]! > after).OrderBy(e => (long)e["id"]!).Take(Math.Min(limit, 500)).ToList();
                return Results.Json(new { events = page });
            }
        });
        await app.StartAsync();
        identity._app = app;
        return identity;
    }

    /// <summary>
    /// Holds the next <paramref name="count"/> feed requests until all of them have arrived, then
    /// answers them at once from the same outbox: a barrier for importers that race.
    /// </summary>
    public void AnswerTogether(int count)
    {
        _awaited = count;
        _gate = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
    }

    private Task PassGateAsync()
    {
        if (_gate is not { } gate)
        {
            return Task.CompletedTask;
        }

        if (Interlocked.Decrement(ref _awaited) == 0)
        {
            _gate = null;
            gate.SetResult();
        }

        return gate.Task.WaitAsync(TimeSpan.FromSeconds(30));
    }

    /// <summary>Commits events to the outbox, ids continuing from the last one.</summary>
    public void Add(int count, string type = "login_failed", string outcome = "failure")
    {
        lock (_outbox)
        {
            for (var i = 0; i < count; i++)
            {
                long id = _outbox.Count + 1;
                _outbox.Add(new Dictionary<string, object?>
                {
                    ["id"] = id,
                    ["time"] = DateTimeOffset.UtcNow.ToString("O", CultureInfo.InvariantCulture),
                    ["type"] = type,
                    ["user_id"] = $"user-{id}",
                    ["client_id"] = "gateway-web",
                    ["client_ip"] = "203.0.113.7",
                    ["session_id"] = $"session-{id}",
                    ["outcome"] = outcome,
                    ["reason"] = outcome == "failure" ? "bad_credentials" : null,
                    ["password"] = "must-never-be-stored",
                });
            }
        }
    }

    public async ValueTask DisposeAsync()
    {
        if (_app is not null)
        {
            await _app.DisposeAsync();
        }
    }
}
