using System.Collections.Concurrent;

namespace Trading.Api.Orders;

/// <summary>
/// Serializes changes to one account inside this process, so parallel orders queue instead of
/// colliding. Correctness across replicas does not depend on it: the account's concurrency token does.
/// </summary>
internal sealed class AccountLocks
{
    private readonly ConcurrentDictionary<Guid, SemaphoreSlim> _locks = new();

    public async Task<IDisposable> AcquireAsync(Guid accountId, CancellationToken cancellationToken)
    {
        var gate = _locks.GetOrAdd(accountId, _ => new SemaphoreSlim(1, 1));
        await gate.WaitAsync(cancellationToken);
        return new Releaser(gate);
    }

    private sealed class Releaser(SemaphoreSlim gate) : IDisposable
    {
        public void Dispose() => gate.Release();
    }
}
