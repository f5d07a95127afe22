using System.Collections.Concurrent;
using System.Diagnostics.Metrics;
using System.Net;
using Microsoft.Extensions.Options;
using Polly;
using Polly.CircuitBreaker;
using Polly.Retry;

namespace Gateway.Api.Proxy;

/// <summary>
/// One Polly pipeline per destination (scheme://host:port): a retry for requests that are safe
/// to repeat, around a circuit breaker that opens on repeated 5xx, timeouts or refused
/// connections (never on 4xx) and lets one probe through when half-open, around the budget of a
/// single attempt. An attempt that runs out of its budget counts against the breaker and is not
/// repeated: a service too slow to answer once is not asked twice.
/// </summary>
internal sealed partial class DestinationResilience(IOptions<ResilienceOptions> options, ILogger<DestinationResilience> logger, IMeterFactory meters)
{
    public static readonly ResiliencePropertyKey<bool> Repeatable = new("gateway.repeatable");
    public static readonly ResiliencePropertyKey<bool> RepeatableBeforeSend = new("gateway.repeatable-before-send");

    // Destination addresses come from configuration, so the spellings met are few; the bound only guards a transform that builds addresses from requests.
    private const int MaxSpellings = 256;

    private readonly ConcurrentDictionary<string, ResiliencePipeline<HttpResponseMessage>> _pipelines = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, ResiliencePipeline<HttpResponseMessage>>.AlternateLookup<ReadOnlySpan<char>> _bySpelling =
        new ConcurrentDictionary<string, ResiliencePipeline<HttpResponseMessage>>(StringComparer.Ordinal).GetAlternateLookup<ReadOnlySpan<char>>();
    private readonly Counter<long> _breakerChanges = meters.Create(TelemetryExtensions.SourcePrefix + "Gateway").CreateCounter<long>("gateway.breaker.transitions");

    /// <summary>
    /// The pipeline of the request's destination. The scheme and authority are looked up as the
    /// address spells them, without building a string per request; a spelling met for the first
    /// time is normalized (<see cref="Uri.GetLeftPart"/>), so every spelling of one destination
    /// shares one breaker.
    /// </summary>
    public ResiliencePipeline<HttpResponseMessage> For(Uri destination)
    {
        var spelling = Authority(destination.OriginalString);
        if (!spelling.IsEmpty && _bySpelling.TryGetValue(spelling, out var known))
        {
            return known;
        }

        var pipeline = _pipelines.GetOrAdd(destination.GetLeftPart(UriPartial.Authority), Build);
        if (!spelling.IsEmpty && _bySpelling.Dictionary.Count < MaxSpellings)
        {
            _bySpelling.TryAdd(spelling, pipeline);
        }

        return pipeline;
    }

    // "scheme://authority" of an absolute address as written; empty when it is not one.
    private static ReadOnlySpan<char> Authority(string address)
    {
        var start = address.IndexOf("://", StringComparison.Ordinal);
        if (start <= 0)
        {
            return [];
        }

        var end = address.AsSpan(start + 3).IndexOfAny('/', '?', '#');
        return end < 0 ? address : address.AsSpan(0, start + 3 + end);
    }

    private ResiliencePipeline<HttpResponseMessage> Build(string destination)
    {
        var settings = options.Value;
        var pipeline = new ResiliencePipelineBuilder<HttpResponseMessage>();
        if (settings.MaxRetries > 0)
        {
            pipeline.AddRetry(new RetryStrategyOptions<HttpResponseMessage>
            {
                MaxRetryAttempts = settings.MaxRetries,
                Delay = TimeSpan.FromMilliseconds(50),
                BackoffType = DelayBackoffType.Exponential,
                UseJitter = true,
                ShouldHandle = args => ValueTask.FromResult(ShouldRetry(args.Context, args.Outcome)),
            });
        }

        return pipeline
            .AddCircuitBreaker(new CircuitBreakerStrategyOptions<HttpResponseMessage>
            {
                FailureRatio = settings.FailureRatio,
                MinimumThroughput = settings.MinimumThroughput,
                SamplingDuration = settings.SamplingDuration,
                BreakDuration = settings.BreakDuration,
                ShouldHandle = args => ValueTask.FromResult(IsFailure(args.Outcome)),
                OnOpened = _ => Transition(destination, "open"),
                OnHalfOpened = _ => Transition(destination, "half-open"),
                OnClosed = _ => Transition(destination, "closed"),
            })
            .AddTimeout(settings.AttemptTimeout)
            .Build();
    }

    private static bool IsFailure(Outcome<HttpResponseMessage> outcome) => outcome switch
    {
        { Exception: HttpRequestException or TimeoutException or Polly.Timeout.TimeoutRejectedException } => true,
        { Result: { } response } => (int)response.StatusCode >= 500,
        _ => false,
    };

    // Idempotent methods repeat on any upstream failure. A POST with an Idempotency-Key repeats only
    // when the connection was refused: its streamed body was never sent, so nothing can run twice.
    private static bool ShouldRetry(ResilienceContext context, Outcome<HttpResponseMessage> outcome)
    {
        if (context.Properties.GetValue(Repeatable, false))
        {
            return outcome.Exception is HttpRequestException
                || outcome.Result?.StatusCode is HttpStatusCode.BadGateway or HttpStatusCode.ServiceUnavailable or HttpStatusCode.GatewayTimeout;
        }

        return context.Properties.GetValue(RepeatableBeforeSend, false)
            && outcome.Exception is HttpRequestException { InnerException: System.Net.Sockets.SocketException { SocketErrorCode: System.Net.Sockets.SocketError.ConnectionRefused } };
    }

    private ValueTask Transition(string destination, string state)
    {
        _breakerChanges.Add(1, new KeyValuePair<string, object?>("destination", destination), new KeyValuePair<string, object?>("state", state));
        LogBreaker(logger, destination, state);
        return ValueTask.CompletedTask;
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Circuit breaker for {Destination} is now {State}")]
    private static partial void LogBreaker(ILogger logger, string destination, string state);
}
