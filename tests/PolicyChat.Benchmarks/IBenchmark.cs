namespace PolicyChat.Benchmarks;

/// <summary>A rerunnable benchmark: `dotnet run -c Release --project tests/PolicyChat.Benchmarks -- NAME [args]`.</summary>
public interface IBenchmark
{
    string Name { get; }

    string Description { get; }

    Task<int> RunAsync(string[] args, CancellationToken cancellationToken);
}
