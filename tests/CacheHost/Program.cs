using Garnet;

// A Redis-protocol server (Garnet) for the test fixtures, in a process of its own: inside the
// test process it shared the thread pool with tests that run in parallel and block, and answered
// late when they starved it. The arguments are Garnet's. Prints "ready" once it listens and runs
// until its standard input closes, which happens when the fixture stops it or its process ends.
using var server = new GarnetServer(args);
server.Start();
Console.WriteLine("ready");
await Console.In.ReadToEndAsync();
