namespace PolicyChat.Core.Evaluation;

/// <summary>Recall@k and MRR@10 over the 1-based rank of the gold item (null = not retrieved), and latency percentiles.</summary>
public sealed record RetrievalMetrics(
    int Questions,
    double RecallAt1,
    double RecallAt5,
    double RecallAt10,
    double MrrAt10,
    double P50Ms,
    double P95Ms)
{
    public static RetrievalMetrics Compute(IReadOnlyList<int?> goldRanks, IReadOnlyList<double> latenciesMs)
    {
        ArgumentNullException.ThrowIfNull(goldRanks);
        ArgumentNullException.ThrowIfNull(latenciesMs);
        var n = goldRanks.Count;
        if (n == 0)
        {
            return new RetrievalMetrics(0, 0, 0, 0, 0, 0, 0);
        }
        double RecallAt(int k) => goldRanks.Count(r => r is { } rank && rank <= k) / (double)n;
        var mrr = goldRanks.Sum(r => r is { } rank && rank <= 10 ? 1.0 / rank : 0) / n;
        return new RetrievalMetrics(n, RecallAt(1), RecallAt(5), RecallAt(10), mrr,
            Percentile(latenciesMs, 0.50), Percentile(latenciesMs, 0.95));
    }

    /// <summary>Nearest-rank percentile.</summary>
    public static double Percentile(IReadOnlyList<double> values, double p)
    {
        ArgumentNullException.ThrowIfNull(values);
        if (values.Count == 0)
        {
            return 0;
        }
        var sorted = values.Order().ToArray();
        var index = (int)Math.Ceiling(p * sorted.Length) - 1;
        return sorted[Math.Clamp(index, 0, sorted.Length - 1)];
    }
}
