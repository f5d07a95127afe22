using System.Globalization;
using Microsoft.Diagnostics.Tracing;

// Summarizes the garbage collections in EventPipe traces of the runtime's GC events
// (dotnet-trace --providers Microsoft-Windows-DotNETRuntime:0x1:4): for each file one line with
// the collections by generation, their pauses (from the start of the suspension to the end of the
// restart, what a request in flight waits) and the bytes each promoted (survivors copied out of
// the generations it collected).
foreach (var path in args)
{
    var pauses = Read(path);
    Console.WriteLine(Summary(Path.GetFileNameWithoutExtension(path), pauses));
}

static List<Pause> Read(string path)
{
    using var source = new EventPipeEventSource(path);
    var pauses = new List<Pause>();
    double suspended = -1;
    int generation = -1;
    long promoted = 0;
    source.Clr.GCSuspendEEStart += e => suspended = e.TimeStampRelativeMSec;
    source.Clr.GCStart += e => generation = e.Depth;
    source.Clr.GCHeapStats += e => promoted = e.TotalPromotedSize0 + e.TotalPromotedSize1 + e.TotalPromotedSize2;
    source.Clr.GCRestartEEStop += e =>
    {
        // A restart without a collection (a suspension for another reason) is not a GC pause.
        if (suspended >= 0 && generation >= 0)
        {
            pauses.Add(new Pause(generation, e.TimeStampRelativeMSec - suspended, promoted));
        }

        (suspended, generation) = (-1, -1);
    };
    source.Process();
    return pauses;
}

static string Summary(string name, List<Pause> pauses)
{
    if (pauses.Count == 0)
    {
        return $"{name}: no collection";
    }

    var ms = pauses.Select(p => p.Milliseconds).Order().ToList();
    var byGeneration = string.Join("/", Enumerable.Range(0, 3).Select(g => pauses.Count(p => p.Generation == g)));
    return string.Create(CultureInfo.InvariantCulture,
        $"{name}: collections gen0/1/2 {byGeneration}; pause median {ms[ms.Count / 2]:F1} ms, max {ms[^1]:F1} ms, total {ms.Sum():F0} ms; promoted per collection {pauses.Average(p => p.Promoted) / 1024:F0} KB");
}

internal sealed record Pause(int Generation, double Milliseconds, long Promoted);
