using BenchmarkDotNet.Running;

namespace Benchmarks;

/// <summary>
/// <c>dotnet run -c Release --project tests/Benchmarks -- --filter '*' --job short --inProcess</c>
/// (in-process: the shared 2-core machine need not build a second project per run).
/// </summary>
internal static class Entry
{
    public static void Main(string[] args) => BenchmarkSwitcher.FromAssembly(typeof(Entry).Assembly).Run(args);
}
