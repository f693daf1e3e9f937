namespace PolicyChat.Benchmarks;

internal static class Stats
{
    public static double Median(IReadOnlyList<double> values) => Percentile(values, 0.5);

    public static double Percentile(IReadOnlyList<double> values, double p)
    {
        if (values.Count == 0)
        {
            return 0;
        }
        var sorted = values.Order().ToArray();
        return sorted[Math.Clamp((int)Math.Ceiling(p * sorted.Length) - 1, 0, sorted.Length - 1)];
    }

    public static string Mb(long bytes) => $"{bytes / 1024.0 / 1024.0:0} MB";
}
