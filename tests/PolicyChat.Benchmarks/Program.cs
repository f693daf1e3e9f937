using System.Reflection;
using PolicyChat.Benchmarks;

// Every IBenchmark in this assembly is a verb; benchmarks report medians and ratios measured in one run.
var benchmarks = Assembly.GetExecutingAssembly().GetTypes()
    .Where(t => t is { IsAbstract: false, IsInterface: false } && typeof(IBenchmark).IsAssignableFrom(t))
    .Select(t => (IBenchmark)Activator.CreateInstance(t)!)
    .OrderBy(b => b.Name, StringComparer.Ordinal)
    .ToList();

var name = args.FirstOrDefault();
var selected = benchmarks.FirstOrDefault(b => string.Equals(b.Name, name, StringComparison.OrdinalIgnoreCase));
if (selected is null)
{
    Console.WriteLine("usage: dotnet run -c Release --project tests/PolicyChat.Benchmarks -- <benchmark> [args]");
    foreach (var b in benchmarks)
    {
        Console.WriteLine($"  {b.Name,-20} {b.Description}");
    }
    return name is null ? 0 : 2;
}

using var cts = new CancellationTokenSource();
Console.CancelKeyPress += (_, e) => { e.Cancel = true; cts.Cancel(); };
return await selected.RunAsync(args[1..], cts.Token);
