using System.Collections.Concurrent;
using System.Runtime.InteropServices;

namespace Gateway.Api.Auditing;

/// <summary>
/// Runs the audit writer's loop on a thread of its own instead of the thread pool. SQLite works
/// synchronously, so a group commit on a pool thread held that thread for tens of milliseconds;
/// on a one-core replica the pool has one or two threads, and every request waiting behind the
/// commit made the latency tail (p99 20-30 ms against 4-6 ms without the audit). On its own
/// thread, with a lower scheduling priority on Linux (<see cref="AuditOptions.WriterNiceness"/>),
/// the kernel lets a waking request thread run first and gives the writer the time the requests
/// leave, which at full load is still its weighted share, so it does not fall behind.
/// <para>
/// Every continuation of the loop comes back to this thread (a synchronization context that
/// runs what is posted to it, in order), so the loop's own work never lands on the pool.
/// </para>
/// </summary>
internal static class WriterThread
{
    /// <summary>Starts <paramref name="loop"/> on a new thread, at <paramref name="niceness"/> on Linux; the task ends with the loop.</summary>
    public static Task Run(Func<Task> loop, string name, int niceness)
    {
        var done = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var thread = new Thread(() =>
        {
            LowerPriority(niceness);
            var context = new PumpContext();
            SynchronizationContext.SetSynchronizationContext(context);
            Task task;
            try
            {
                task = loop();
            }
            catch (Exception ex)
            {
                task = Task.FromException(ex);
            }

            task.ContinueWith(_ => context.Complete(), CancellationToken.None, TaskContinuationOptions.ExecuteSynchronously, TaskScheduler.Default);
            context.Pump();
            SynchronizationContext.SetSynchronizationContext(null);
            if (task.Exception is { } failure)
            {
                done.SetException(failure.InnerExceptions);
            }
            else
            {
                done.SetResult();
            }
        })
        {
            IsBackground = true,
            Name = name,
        };
        thread.Start();
        return done.Task;
    }

    /// <summary>The calling thread's nice value on Linux; elsewhere the thread keeps its priority.</summary>
    private static void LowerPriority(int niceness)
    {
        if (OperatingSystem.IsLinux() && niceness > 0)
        {
            // Best effort: a refusal leaves the thread at normal priority, still off the pool.
            _ = SetPriority(PriorityOfProcess, GetThreadId(), niceness);
        }
    }

    private const int PriorityOfProcess = 0; // PRIO_PROCESS: on Linux, "who" may name a single thread

    // Plain int arguments: nothing to marshal, so no unsafe code is needed for these two calls.
    [DllImport("libc", EntryPoint = "setpriority")]
    private static extern int SetPriority(int which, int who, int priority);

    [DllImport("libc", EntryPoint = "gettid")]
    private static extern int GetThreadId();

    /// <summary>Runs posted callbacks on the pumping thread, one after another, until completed.</summary>
    private sealed class PumpContext : SynchronizationContext
    {
        private readonly BlockingCollection<(SendOrPostCallback Callback, object? State)> _work = [];

        public override void Post(SendOrPostCallback d, object? state)
        {
            try
            {
                _work.Add((d, state));
            }
            catch (InvalidOperationException)
            {
                // The loop has ended: a late continuation runs on the pool.
                ThreadPool.QueueUserWorkItem(s => d(s), state);
            }
        }

        public override void Send(SendOrPostCallback d, object? state) =>
            throw new NotSupportedException("The audit writer's thread takes posted work only.");

        public override SynchronizationContext CreateCopy() => this;

        public void Complete() => _work.CompleteAdding();

        public void Pump()
        {
            foreach (var (callback, state) in _work.GetConsumingEnumerable())
            {
                callback(state);
            }
        }
    }
}
