using System.Diagnostics;
using System.Globalization;

namespace AspireGateway.Tests;

/// <summary>
/// A real Redis-protocol server for a test run: the Redis named by <c>ConnectionStrings__cache</c>
/// when CI sets it, else a Garnet server on a free loopback port, in a process of its own
/// (<c>tests/CacheHost</c>) so that tests running in parallel cannot starve it of threads.
/// </summary>
public sealed class CacheServer : IDisposable
{
    private static readonly TimeSpan StartTimeout = TimeSpan.FromSeconds(30);
    private readonly Process? _process;

    public CacheServer()
    {
        var configured = Environment.GetEnvironmentVariable("ConnectionStrings__cache");
        if (!string.IsNullOrWhiteSpace(configured))
        {
            ConnectionString = configured;
            return;
        }

        var port = Ports.FreeLoopback().ToString(CultureInfo.InvariantCulture);
        var start = new ProcessStartInfo("dotnet",
            [Path.Combine(AppContext.BaseDirectory, "CacheHost.dll"), "--port", port, "--bind", "127.0.0.1", "--lua", "--lua-transaction-mode", "--memory", "128m", "--index", "16m"])
        {
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            UseShellExecute = false,
        };
        _process = Process.Start(start) ?? throw new InvalidOperationException("The cache host did not start.");
        // Read to the end, so that what it prints later never fills the pipe and blocks it.
        var ready = new TaskCompletionSource<bool>(TaskCreationOptions.RunContinuationsAsynchronously);
        var output = _process.StandardOutput;
        _ = Task.Run(async () =>
        {
            while (await output.ReadLineAsync() is { } line)
            {
                if (line == "ready")
                {
                    ready.TrySetResult(true);
                }
            }

            ready.TrySetResult(false);
        });
        if (!ready.Task.Wait(StartTimeout) || !ready.Task.Result)
        {
            _process.Kill(entireProcessTree: true);
            throw new InvalidOperationException("The cache host did not report ready.");
        }

        ConnectionString = $"127.0.0.1:{port}";
    }

    public string ConnectionString { get; }

    /// <summary>Which kind of server answers, for test output.</summary>
    public string Kind => _process is null ? "redis (ConnectionStrings__cache)" : "Garnet (tests/CacheHost process)";

    public void Dispose()
    {
        if (_process is null)
        {
            return;
        }

        // Closing its input is the host's signal to stop.
        _process.StandardInput.Close();
        if (!_process.WaitForExit(TimeSpan.FromSeconds(5)))
        {
            _process.Kill(entireProcessTree: true);
        }

        _process.Dispose();
    }
}
