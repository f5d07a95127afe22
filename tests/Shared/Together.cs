using System.Net;

namespace AspireGateway.Tests;

/// <summary>
/// Releases requests at the same moment: every sender is started and waits at one gate, which
/// opens once all of them are waiting, so the requests race instead of running one after another.
/// </summary>
public static class Together
{
    public static async Task<HttpResponseMessage[]> RunAsync(int count, Func<int, Task<HttpResponseMessage>> send)
    {
        var gate = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var waiting = 0;
        var senders = Enumerable.Range(0, count).Select(index => Task.Run(async () =>
        {
            if (Interlocked.Increment(ref waiting) == count)
            {
                gate.SetResult();
            }

            await gate.Task;
            return await send(index);
        })).ToArray();
        return await Task.WhenAll(senders).WaitAsync(TimeSpan.FromSeconds(60));
    }

    /// <summary>As <see cref="RunAsync(int, Func{int, Task{HttpResponseMessage}})"/>, for operations that are not requests.</summary>
    public static async Task RunAsync(params Func<Task>[] operations)
    {
        var gate = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var waiting = 0;
        var runs = operations.Select(operation => Task.Run(async () =>
        {
            if (Interlocked.Increment(ref waiting) == operations.Length)
            {
                gate.SetResult();
            }

            await gate.Task;
            await operation();
        })).ToArray();
        await Task.WhenAll(runs).WaitAsync(TimeSpan.FromSeconds(60));
    }

    /// <summary>As <see cref="RunAsync(int, Func{int, Task{HttpResponseMessage}})"/>, keeping only the status codes.</summary>
    public static async Task<HttpStatusCode[]> SendAsync(int count, Func<int, Task<HttpResponseMessage>> send)
    {
        var responses = await RunAsync(count, send);
        var statuses = responses.Select(response => response.StatusCode).ToArray();
        foreach (var response in responses)
        {
            response.Dispose();
        }

        return statuses;
    }
}
