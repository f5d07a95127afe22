using Gateway.Api.Auditing;

namespace Gateway.Api.Tests.Auditing;

public sealed class WriterThreadTests
{
    [Fact]
    public async Task TheWritersLoopStaysOnItsOwnThreadAcrossAwaitsAndNeverTakesAPoolThread()
    {
        var threads = new List<(int Id, bool Pool, string? Name)>();
        void Note() => threads.Add((Environment.CurrentManagedThreadId, Thread.CurrentThread.IsThreadPoolThread, Thread.CurrentThread.Name));

        await WriterThread.Run(async () =>
        {
            Note();
            await Task.Delay(20);
            Note();
            await Task.Run(() => Thread.Sleep(10)); // finishes on the pool; the loop comes back
            Note();
            using var timer = new PeriodicTimer(TimeSpan.FromMilliseconds(10));
            await timer.WaitForNextTickAsync();
            Note();
        }, "audit-writer-test", niceness: 0);

        Assert.Equal(4, threads.Count);
        Assert.Single(threads.Select(t => t.Id).Distinct());
        Assert.All(threads, t => Assert.False(t.Pool));
        Assert.All(threads, t => Assert.Equal("audit-writer-test", t.Name));
    }

    [Fact]
    public async Task AFailureOfTheLoopReachesWhoeverWaitsForIt()
    {
        var failure = await Assert.ThrowsAsync<InvalidOperationException>(() => WriterThread.Run(async () =>
        {
            await Task.Yield();
            throw new InvalidOperationException("store gone");
        }, "audit-writer-test", niceness: 0));

        Assert.Equal("store gone", failure.Message);
    }

    [Fact]
    public async Task OnLinuxTheWriterThreadRunsAtALowerPriorityThanRequests()
    {
        if (!OperatingSystem.IsLinux())
        {
            return;
        }

        string? nice = null;
        await WriterThread.Run(() =>
        {
            // Field 19 of /proc/thread-self/stat is the thread's nice value; the name field may hold spaces, so count from its end.
            var stat = File.ReadAllText("/proc/thread-self/stat");
            nice = stat[(stat.LastIndexOf(')') + 2)..].Split(' ')[16];
            return Task.CompletedTask;
        }, "audit-writer-test", new AuditOptions().WriterNiceness);

        Assert.Equal("5", nice);
    }
}
