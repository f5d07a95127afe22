using Polly;
using Yarp.ReverseProxy.Forwarder;

namespace Gateway.Api.Proxy;

/// <summary>YARP's outgoing client, with every send but a health probe going through its destination's pipeline.</summary>
internal sealed class ResilientForwarderHttpClientFactory(DestinationResilience resilience, ILogger<ForwarderHttpClientFactory> logger)
    : ForwarderHttpClientFactory(logger)
{
    protected override HttpMessageHandler WrapHandler(ForwarderHttpClientContext context, HttpMessageHandler handler) =>
        new ResilientHandler(resilience, base.WrapHandler(context, handler));

    private sealed class ResilientHandler(DestinationResilience resilience, HttpMessageHandler inner) : DelegatingHandler(inner)
    {
        protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
        {
            if (request.Options.TryGetValue(ProbeRequests.IsProbe, out var probe) && probe)
            {
                return await base.SendAsync(request, cancellationToken).ConfigureAwait(false);
            }

            var context = ResilienceContextPool.Shared.Get(cancellationToken);
            var method = request.Method;
            context.Properties.Set(DestinationResilience.Repeatable, method == HttpMethod.Get || method == HttpMethod.Head || method == HttpMethod.Options);
            context.Properties.Set(DestinationResilience.RepeatableBeforeSend, method == HttpMethod.Post && request.Headers.Contains("Idempotency-Key"));
            try
            {
                var outcome = await resilience.For(request.RequestUri!).ExecuteOutcomeAsync(
                    static async (ctx, state) =>
                    {
                        try
                        {
                            return Outcome.FromResult(await state.Handler.SendCoreAsync(state.Request, ctx.CancellationToken).ConfigureAwait(false));
                        }
                        catch (Exception ex) when (ex is not OperationCanceledException || !ctx.CancellationToken.IsCancellationRequested)
                        {
                            return Outcome.FromException<HttpResponseMessage>(ex);
                        }
                    },
                    context,
                    (Handler: this, Request: request)).ConfigureAwait(false);
                outcome.ThrowIfException();
                return outcome.Result!;
            }
            finally
            {
                ResilienceContextPool.Shared.Return(context);
            }
        }

        private Task<HttpResponseMessage> SendCoreAsync(HttpRequestMessage request, CancellationToken cancellationToken) =>
            base.SendAsync(request, cancellationToken);
    }
}
